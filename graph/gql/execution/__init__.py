"""Faster completion of plain selections: plans compiled per document, with graphql-core as the fallback."""
