"""Parsing with graphql-core's parser, a string literal without escapes read in one step.

graphql-core's lexer reads strings character by character, and a document that
inlines its values is mostly strings (docs/cold-path.md). `StringLexer` finds the
end of a plain string with one regular expression and leaves every other string
to graphql-core; tests/unit/test_parsing.py compares both lexers token by token.
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
