"""Wayfinding: the travel model, the offline venue matrix, the day planner, the OSRM client and GeoJSON output.

Pure modules without tables or handlers: `travel` (distances, per-mode estimates, rush hours), `matrix` (the
venue × venue matrix of the bundle), `planner` (itineraries), `osrm` (the optional routing engine) and
`geojson` (RFC 7946 output).
"""
