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


def test_graphql_core_still_reads_strings_through_read_string(monkeypatch: pytest.MonkeyPatch) -> None:
    # The gain rests on graphql-core's lexer calling read_string for every string; an
    # upgrade that inlines it or renames it fails here rather than silently parsing slower.
    seen: list[int] = []
    original = StringLexer.read_string

    def counting(self: StringLexer, start: int) -> Any:
        seen.append(start)
        return original(self, start)

    monkeypatch.setattr(StringLexer, "read_string", counting)
    document = parse_document('{ vehicle(id: "Ford") { id } }')
    assert seen == [14]
    assert document.loc is not None


def test_the_token_limit_still_applies() -> None:
    many = "{ " + " ".join(f'v{i}: vehicle(id: "{i}") {{ id }}' for i in range(200)) + " }"
    with pytest.raises(GraphQLSyntaxError) as raised:
        parse_document(many, max_tokens=100)
    with pytest.raises(GraphQLSyntaxError) as expected:
        parse(many, max_tokens=100)
    assert raised.value.formatted == expected.value.formatted
