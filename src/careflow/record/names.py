"""Forgiving name keys for finding a child: a normalised form and a phonetic (Soundex) key of each name.

A worker types "Lilly Brown" or "brown, lily" and finds Lily Browne: names are compared word by word, in any
order, after folding case and accents and dropping punctuation; each word's Soundex code (Russell's American
Soundex, as the US census and many case-management systems use it) catches spelling variants that sound alike,
and a similarity ratio orders what was found. The keys are stored on each person (``people.name_key``,
``people.phonetic_key``) so the database narrows the candidates on any backend.

Example:
    >>> soundex("Browne"), soundex("Brown"), soundex("Lilly"), soundex("Lily")
    ('B650', 'B650', 'L400', 'L400')
    >>> name_key("  Zoë  O'Neil-Smith ")
    'zoe oneil smith'
"""

from __future__ import annotations

import difflib
import unicodedata

__all__ = ["name_key", "name_similarity", "phonetic_key", "soundex", "words"]

_CODES = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"), "l": "4",
          **dict.fromkeys("mn", "5"), "r": "6"}


def words(text: str) -> list[str]:
    """The words of a name: accents folded, lower case, letters only (hyphens and commas split words)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    out: list[str] = []
    for raw in folded.replace("-", " ").replace(",", " ").replace(".", " ").split():
        word = "".join(ch for ch in raw if ch.isalpha())
        if word:
            out.append(word)
    return out


def soundex(word: str) -> str:
    """The American Soundex code of one word (letter + three digits); '' for a word without letters."""
    letters = [ch for ch in word.lower() if ch.isalpha()]
    if not letters:
        return ""
    first = letters[0]
    out = [first.upper()]
    last = _CODES.get(first, "")
    for ch in letters[1:]:
        code = _CODES.get(ch, "")
        if code and code != last:
            out.append(code)
        if ch not in "hw":  # h and w do not separate letters with the same code; vowels do
            last = code
        if len(out) == 4:
            break
    return "".join(out).ljust(4, "0")


def name_key(*names: str | None) -> str:
    """The words of the names joined by spaces (what is compared)."""
    return " ".join(w for n in names if n for w in words(n))


def phonetic_key(*names: str | None) -> str:
    """The Soundex code of each word, space separated and framed by spaces (so ``LIKE '% B650 %'`` finds one)."""
    codes = sorted({soundex(w) for n in names if n for w in words(n)})
    return " " + " ".join(codes) + " " if codes else ""


def name_similarity(query: str, given: str, family: str) -> float:
    """How alike a typed name and a person's names are, 0 to 1, in any word order (the mean over the query's
    words of the best ratio against the person's words)."""
    wanted = words(query)
    have = words(given) + words(family)
    if not wanted or not have:
        return 0.0
    total = 0.0
    for w in wanted:
        total += max(difflib.SequenceMatcher(None, w, h).ratio() for h in have)
    return total / len(wanted)
