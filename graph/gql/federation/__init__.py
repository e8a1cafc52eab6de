"""The Apollo Federation 2 subgraph: its schema (keys, `_service`, `_entities`) and inline FTV1 traces."""
