"""Parsing a document with graphql-core's parser, its plain strings read in one step.

graphql-core's lexer reads a string literal character by character in Python,
checking each one. A client that inlines its values sends documents that are
mostly strings (a hundred ids is 2 KB of them), and a new document is parsed
once: reading its strings was about 40 % of parsing it.

`StringLexer` reads a string that has no escape, no line terminator and no
surrogate code point with one regular expression, and leaves every other string
to graphql-core's own `read_string`, which reports errors and decodes escapes.
For the strings it reads it makes the token graphql-core would make (the text
between the quotes). It plugs into graphql-core's public `Parser(lexer=...)`;
`read_string` and `create_token` are methods graphql-core's documentation marks
private, so tests/unit/test_parsing.py compares tokens, documents and errors
with graphql-core's own lexer and fails if graphql-core stops calling
`read_string` for strings.
"""

from __future__ import annotations

import re
from typing import Any, Final

from graphql import DocumentNode, Source, Token, TokenKind
from graphql.language import Lexer
from graphql.language.parser import Parser

# What graphql-core's read_string copies as it is: not a quote, a backslash, a line terminator,
# nor a surrogate (a lone one is an error; a pair is read the careful way).
_PLAIN_RUN: Final = re.compile(r'[^"\\\r\n\ud800-\udfff]*')


class StringLexer(Lexer):
    def read_string(self, start: int) -> Token:
        body = self.source.body
        end = _PLAIN_RUN.match(body, start + 1).end()  # type: ignore[union-attr]
        if end < len(body) and body[end] == '"':
            return self.create_token(TokenKind.STRING, start, end + 1, body[start + 1 : end])
        return super().read_string(start)


def parse_document(query: str, **options: Any) -> DocumentNode:
    """`graphql.parse(query, **options)`, with the string lexer."""
    source = Source(query)
    return Parser(source, lexer=StringLexer(source), **options).parse_document()
