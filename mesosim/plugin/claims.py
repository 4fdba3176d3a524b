"""What each cited line of the two source articles says, in mesosim's own words.

The claims live in ``mesosim/sources.toml`` (shipped with the package; ``docs/sources.md`` is
generated from it and a test keeps the two equal). They are read only when something shows
them (``explain``, ``techniques show``, ``sources``), never on the way of ``mesosim check``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class _Claims:
    """The claims file, read once, on first use."""

    def __init__(self) -> None:
        self._data: dict[str, Any] | None = None

    def data(self) -> dict[str, Any]:
        if self._data is None:
            import tomllib
            from importlib.resources import files

            text = files("mesosim").joinpath("sources.toml").read_text("utf-8")
            self._data = tomllib.loads(text)
        return self._data

    def for_source(self, source: str) -> Mapping[str, str]:
        return _SourceClaims(self, source)


class _SourceClaims(Mapping[str, str]):
    """``line or range -> claim`` of one source, loaded when first read."""

    def __init__(self, claims: _Claims, source: str) -> None:
        self._claims = claims
        self._source = source
        self._map: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._map is None:
            prefix = f"{self._source}:"
            self._map = {c["ref"][len(prefix):]: c["text"]
                         for c in self._claims.data().get("claim", ())
                         if c["ref"].startswith(prefix)}
        return self._map

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __eq__(self, other: object) -> bool:  # two loads of one source are the same source
        if isinstance(other, _SourceClaims):
            return self._source == other._source
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<claims of source {self._source}>"


CLAIMS = _Claims()
