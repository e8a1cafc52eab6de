"""The `autos-graph` console script: serving the API, managing the index and its data, the schema."""
