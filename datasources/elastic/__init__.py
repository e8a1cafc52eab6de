"""Talking to Elasticsearch: the client and its nodes, the index and its versions, bulk loads, errors."""
