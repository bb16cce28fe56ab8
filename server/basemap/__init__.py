"""The offline basemap: vector tiles of the festival area built from an OpenStreetMap extract into one PMTiles
archive, served with HTTP range requests, and named by the `map` entry of the festival answer and the bundle."""
