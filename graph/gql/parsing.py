"""Parsing a document with graphql-core's parser, its plain strings read in one step.

graphql-core's lexer reads a string literal character by character in Python,
checking each one. A client that inlines its values sends documents that are
mostly strings (a list of ids, say), and a new document is parsed once, so
reading its strings is a large share of parsing it (docs/cold-path.md).

`StringLexer` finds the end of a string that has no escape, no line terminator
and no surrogate code point with one regular expression, and leaves every
other string to graphql-core's own reading, which reports errors and decodes
escapes. tests/unit/test_parsing.py compares tokens, documents and errors with
graphql-core's own lexer.
"""

from __future__ import annotations

import re
from typing import Any, Final

from graphql import DocumentNode, Source
from graphql.language.parser import Parser

from graph.compat.graphql_core import StringReadingLexer

# What graphql-core's read_string copies as it is: not a quote, a backslash, a line terminator,
# nor a surrogate (a lone one is an error; a pair is read the careful way).
_PLAIN_RUN: Final = re.compile(r'[^"\\\r\n\ud800-\udfff]*')


class StringLexer(StringReadingLexer):
    def plain_string_end(self, body: str, start: int) -> int | None:
        end = _PLAIN_RUN.match(body, start + 1).end()  # type: ignore[union-attr]
        return end if end < len(body) and body[end] == '"' else None


def parse_document(query: str, **options: Any) -> DocumentNode:
    """`graphql.parse(query, **options)`, with the string lexer."""
    source = Source(query)
    return Parser(source, lexer=StringLexer(source), **options).parse_document()
