"""The HTTP edge: middleware, request ids, client addresses, rate limit and cost budget, health, index."""
