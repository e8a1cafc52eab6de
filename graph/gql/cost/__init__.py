"""Query cost: the `@cost`/`@listSize` table, the requested and actual cost of an operation, and `extensions.cost`."""
