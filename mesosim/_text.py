"""Small text helpers shared by every layer (layer 0: no mesosim imports)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any


@functools.lru_cache(maxsize=1024)
def _close_match(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib

    got = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return got[0] if got else None


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word``, for "did you mean ...?" suggestions.

    Remembered: difflib costs ~0.1 ms a call, and a hostile file may repeat one unknown name
    100,000 times (aliases)."""
    if not isinstance(word, str):
        return None
    return _close_match(word, tuple(choices))


def plural(n: int, word: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{n} {word}{'s' * (n != 1)}"
