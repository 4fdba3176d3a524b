"""A parsed protocol file as plain data: :class:`Document` and the problems found reading it.

Built by :mod:`mesosim.loader`; read by the model builder, the suppressions and the reporters.
A value's place in the file is its *path* (``("session", "steps", 3, "injection", "depth")``),
and :meth:`Document.pos` gives its 1-based ``(line, column)`` (found in the parsed nodes when
asked, or from the ``positions`` map of a document built by hand).
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from attr import field, frozen

Path = tuple[str | int, ...]
Pos = tuple[int, int]

#: Default largest file read, in bytes (``--max-file-size`` / ``max-file-size`` setting).
DEFAULT_MAX_BYTES: Final = 4 * 1024 * 1024


class LoadProblem(NamedTuple):
    """Something wrong with the file itself. ``code`` is a rule code from :mod:`mesosim.rules`."""

    code: str
    message: str
    pos: Pos = (1, 1)
    suggestion: str | None = None


@frozen
class Document:
    """A parsed file: its data (``None`` when unreadable), node positions, and problems found."""

    path: str
    data: Any
    positions: dict[Path, Pos] = field(factory=dict)
    key_positions: dict[Path, Pos] = field(factory=dict)
    problems: tuple[LoadProblem, ...] = ()
    text: str = ""
    #: what the loader leaves to find positions when asked, instead of ``positions`` and
    #: ``key_positions`` (an object with ``pos(path)`` and ``key_pos(path)``, the latter
    #: ``None`` when no key introduces the path); ``None`` for a document built with its maps
    locator: Any = field(default=None, eq=False, repr=False)

    def pos(self, path: Path) -> Pos:
        """Position of ``path``, or of its nearest ancestor that has one."""
        if self.locator is not None:
            return self.locator.pos(path)  # type: ignore[no-any-return]
        p = path
        while p:
            got = self.positions.get(p)
            if got is not None:
                return got
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: Path) -> Pos:
        """Position of the key that introduces ``path`` (falls back to :meth:`pos`)."""
        if self.locator is not None:
            return self.locator.key_pos(path) or self.locator.pos(path)  # type: ignore[no-any-return]
        return self.key_positions.get(path) or self.pos(path)

    @property
    def line_count(self) -> int:
        """How many lines the file has (at least 1): the last line a finding may point at."""
        return max(1, self.text.count("\n") + (not self.text.endswith("\n")))
