from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSyntaxError, Source, TokenKind, parse
from graphql.language import Lexer

from graph.gql.parsing import StringLexer, parse_document
from tests.support.benchmark_operations import BY_IDS, FILTERED_SEARCH, NESTED, PICKER

STRINGS = [
    '""',
    '"Ford"',
    '"Mercedes-Benz 300 SL Gullwing"',
    '"ünïcödé ☃ 汽车"',
    '"an emoji 🚗 in it"',  # a supplementary code point, one character in Python
    '"with \\"escaped\\" quotes"',
    '"tab\\tnewline\\nunicode\\u00e9 braces\\u{1F697}"',
    '"a backslash \\\\ at the end\\\\"',
    '"$1"',
    '"""block "string" """',
    '"unterminated',
    '"line\nbreak"',
    '"carriage\rreturn"',
    '"bad \\x escape"',
    '"bad \\u12 escape"',
    '"lone \ud800 surrogate"',
    '"control \u0007 character"',
]


def tokens(lexer: Lexer) -> list[tuple[Any, ...]]:
    found = []
    while True:
        token = lexer.advance()
        found.append((token.kind, token.start, token.end, token.line, token.column, token.value))
        if token.kind is TokenKind.EOF:
            return found


def lexed(lexer_class: type[Lexer], text: str) -> Any:
    try:
        return tokens(lexer_class(Source(text)))
    except GraphQLSyntaxError as error:
        return ("error", error.formatted)


@pytest.mark.parametrize("string", STRINGS)
def test_strings_lex_as_graphql_core_lexes_them(string: str) -> None:
    text = f"{{ vehicle(id: {string}) {{ id }} }}"
    assert lexed(StringLexer, text) == lexed(Lexer, text)


@pytest.mark.parametrize("query", [FILTERED_SEARCH, NESTED, PICKER, BY_IDS, *STRINGS])
def test_documents_and_errors_are_graphql_cores(query: str) -> None:
    text = query if query.startswith(("query", "{")) else f"{{ vehicle(id: {query}) {{ id }} }}"

    def parsed(parse_function: Any) -> Any:
        try:
            document = parse_function(text, max_tokens=2000)
        except GraphQLSyntaxError as error:
            return ("error", error.formatted)
        return document, document.loc, document.loc.source.body if document.loc else None

    assert parsed(parse_document) == parsed(parse)


@pytest.mark.parametrize(
    ("string", "plain"),
    [
        ('""', True),
        ('"Ford"', True),
        ('"ünïcödé ☃ 汽车"', True),
        ('"an emoji 🚗 in it"', True),
        ('"$1"', True),
        ('"with \\"escaped\\" quotes"', False),
        ('"tab\\tnewline"', False),
        ('"line\nbreak"', False),
        ('"carriage\rreturn"', False),
        ('"lone \ud800 surrogate"', False),
        ('"unterminated', False),
    ],
)
def test_plain_strings_are_read_in_one_step_and_the_rest_by_graphql_core(string: str, plain: bool) -> None:
    # graph/compat/graphql_core.py reads a string itself when plain_string_end finds its end
    # (tests/unit/test_compat_graphql_core.py pins that graphql-core's lexer asks it).
    body = f"{{ vehicle(id: {string}) {{ id }} }}"
    start = body.index('"')
    end = StringLexer(Source(body)).plain_string_end(body, start)
    if plain:
        assert end == start + len(string) - 1
        assert body[end] == '"'
    else:
        assert end is None


def test_the_token_limit_still_applies() -> None:
    many = "{ " + " ".join(f'v{i}: vehicle(id: "{i}") {{ id }}' for i in range(200)) + " }"
    with pytest.raises(GraphQLSyntaxError) as raised:
        parse_document(many, max_tokens=100)
    with pytest.raises(GraphQLSyntaxError) as expected:
        parse(many, max_tokens=100)
    assert raised.value.formatted == expected.value.formatted
