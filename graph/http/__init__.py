"""The HTTP edge: middleware, request ids, client addresses, rate limiting, health and the index page."""
