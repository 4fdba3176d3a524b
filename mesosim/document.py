"""A parsed protocol file as plain data: :class:`Document` and the problems found reading it.

Built by :mod:`mesosim.loader`; read by the model builder, the suppressions and the reporters.
A value's place in the file is its *path* (``("session", "steps", 3, "injection", "depth")``),
and ``positions`` maps each path to its 1-based ``(line, column)``.
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

    def pos(self, path: Path) -> Pos:
        """Position of ``path``, or of its nearest ancestor that has one."""
        p = path
        while p:
            got = self.positions.get(p)
            if got is not None:
                return got
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: Path) -> Pos:
        """Position of the key that introduces ``path`` (falls back to :meth:`pos`)."""
        return self.key_positions.get(path) or self.pos(path)

    @property
    def line_count(self) -> int:
        """How many lines the file has (at least 1): the last line a finding may point at."""
        return max(1, self.text.count("\n") + (not self.text.endswith("\n")))
