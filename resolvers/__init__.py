"""The operations: transport-agnostic async functions over a DataScope, shared by GraphQL and REST."""
