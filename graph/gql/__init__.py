"""GraphQL: the schema and its types, the context, limits, query cost, errors and how operations execute."""
