"""Query cost: the `@cost`/`@listSize` table, an operation's requested and actual cost, `extensions.cost`."""
