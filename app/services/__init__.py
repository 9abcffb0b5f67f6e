"""Plain-Python services: no request objects; they flush, the caller commits."""
