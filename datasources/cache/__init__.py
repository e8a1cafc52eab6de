"""Caching: the backend (Redis or memory), the aggregation cache, and what an operation read."""
