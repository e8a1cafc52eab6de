"""The data layer: the only package that knows the Elasticsearch client and the cache backend."""
