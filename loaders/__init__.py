"""Per-request DataLoaders: keys asked in one tick become one Elasticsearch call (mget, msearch, aggs)."""
