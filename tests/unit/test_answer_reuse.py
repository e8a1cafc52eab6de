"""The store of reusable answers: bounded by count and bytes, least recently used first out."""

from __future__ import annotations

import orjson

from datasources.cache.read_ledger import EntryRead
from graph.gql.answer_reuse import Answer, AnswerKey, ReusableAnswers, _distinct


def key(name: str) -> AnswerKey:
    return ("autos-v1", f"{{ {name} }}", None, b"{}")


def answer(size: int) -> Answer:
    return Answer(data=orjson.Fragment(b"{}"), reads=(), size=size)


def test_the_least_recently_used_answer_goes_first() -> None:
    answers = ReusableAnswers(max_answers=2, max_bytes=1_000)
    answers.put(key("a"), answer(10))
    answers.put(key("b"), answer(10))
    assert answers.get(key("a")) is not None  # now b is the oldest
    answers.put(key("c"), answer(10))
    assert answers.get(key("b")) is None
    assert answers.get(key("a")) is not None
    assert answers.get(key("c")) is not None
    assert len(answers) == 2


def test_bytes_are_bounded_and_an_oversized_answer_is_not_kept() -> None:
    answers = ReusableAnswers(max_answers=10, max_bytes=100)
    answers.put(key("a"), answer(60))
    answers.put(key("b"), answer(60))
    assert answers.get(key("a")) is None
    assert answers.get(key("b")) is not None
    answers.put(key("huge"), answer(101))
    assert answers.get(key("huge")) is None
    assert answers.get(key("b")) is not None


def test_replacing_and_discarding_keep_the_byte_count_right() -> None:
    answers = ReusableAnswers(max_answers=10, max_bytes=100)
    answers.put(key("a"), answer(60))
    answers.put(key("a"), answer(60))
    answers.put(key("b"), answer(40))
    assert len(answers) == 2
    answers.discard(key("a"))
    answers.put(key("c"), answer(60))
    assert answers.get(key("b")) is not None
    assert answers.get(key("c")) is not None


def test_entries_read_twice_count_once_unless_they_changed_in_between() -> None:
    first = EntryRead(cache="manufacturer_groups", key="k1", raw="v1")
    other = EntryRead(cache="facets", key="k2", raw="v2")
    assert _distinct([first, other, first]) == (first, other)
    assert _distinct([first, EntryRead(cache="manufacturer_groups", key="k1", raw="v1b")]) is None
    assert _distinct([]) == ()
