"""The Strawberry GraphQL schema: types, queries, mutations, loaders and error policy."""
