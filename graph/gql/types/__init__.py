"""The GraphQL object, input and enum types, each converting a record with a classmethod."""
