"""Encodings with no domain of their own: unpadded base64url and QR codes."""
