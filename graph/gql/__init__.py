"""GraphQL: the schema and its types, the context, limits, errors and how operations execute."""
