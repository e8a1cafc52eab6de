"""Revision aliases of a generation: their names, and which one is the newest."""

from __future__ import annotations

from datasources.elastic.index_schema import generation_number, newest_revision, revision_alias


def test_the_newest_revision_is_the_highest_number_of_that_index_only() -> None:
    index = "autos-unified-v3"
    aliases = [
        "autos-unified",
        revision_alias(index, 9),
        revision_alias(index, 1733480000123),
        revision_alias("autos-unified-v30", 1733480000999),  # another generation's, sharing a prefix
        f"{index}-rollback",
    ]
    assert newest_revision(index, aliases) == "autos-unified-v3-r1733480000123"
    assert newest_revision(index, ["autos-unified"]) is None


def test_a_revision_alias_is_never_taken_for_a_generation() -> None:
    assert generation_number("autos-unified", revision_alias("autos-unified-v3", 7)) is None
    assert generation_number("autos-unified", "autos-unified-v3") == 3
