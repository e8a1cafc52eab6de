"""The edge: everything that knows HTTP, GraphQL or the command line.

The modules here assemble the application (settings, lifespan, shared state,
the Starlette app); each job has its own subpackage: `http` (the HTTP edge and
its middleware), `observability` (metrics, traces, logs), `gql` (the GraphQL
schema and its execution), `rest` (the v1 compatibility shim) and `cli` (the
`autos-graph` console script). See docs/architecture.md.
"""
