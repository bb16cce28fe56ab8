"""Check-ins: signed pass and stamp tokens, their keys, QR rendering, scans, occupancy, posters."""
