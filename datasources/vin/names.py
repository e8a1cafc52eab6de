"""Normalised manufacturer and model names, so 'Mercedes-Benz', 'MERCEDES BENZ'
and 'Mercedes Benz AG' all find the same table entry."""

from __future__ import annotations

import functools
import unicodedata
from typing import Final

# Words that name the company rather than the marque; dropped when an exact key misses.
_CORPORATE_WORDS: Final = frozenset(
    {
        "motor",
        "motors",
        "company",
        "co",
        "corporation",
        "corp",
        "inc",
        "ag",
        "gmbh",
        "spa",
        "sa",
        "ltd",
        "limited",
        "llc",
        "cars",
        "automobiles",
        "automobili",
        "group",
        "division",
        "usa",
        "of",
        "america",
        "na",
        "the",
    }
)


def words(name: str) -> list[str]:
    """Lower-case ASCII words: accents folded, punctuation treated as a space."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").casefold()
    return "".join(char if char.isalnum() else " " for char in folded).split()


@functools.lru_cache(maxsize=8192)
def normalise(name: str) -> str:
    """The lookup key: the words run together ('Alfa Romeo' -> 'alfaromeo')."""
    return "".join(words(name))


def without_corporate_words(name: str) -> str:
    return "".join(word for word in words(name) if word not in _CORPORATE_WORDS)
