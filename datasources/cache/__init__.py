"""Caching: the backend (Redis or memory), the aggregation cache, the answer cache, persisted documents."""
