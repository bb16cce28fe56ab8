"""Wayfinding: the travel model, the offline travel model, the day planner, the OSRM client and GeoJSON output.

Pure modules without tables or handlers: `travel` (distances, per-mode estimates, rush hours), `model` (the
travel model of the bundle and venue distances), `planner` (itineraries, over `plan_types`, `plan_problem`, `plan_exact`
and `plan_heuristic`), `osrm` (the optional routing engine) and `geojson` (RFC 7946 output). `wayfinder`
keeps one app's caches and engine and answers through `routes`, `nearby`, `itineraries` and `trails`.
"""
