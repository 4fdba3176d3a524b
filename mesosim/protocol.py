"""The protocol model (format v1): frozen data built from a :class:`~mesosim.document.Document`
by :func:`mesosim.build.build` (layer 1: data types, no engine)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Final

from attr import field, frozen

from mesosim.document import Document, Path, Pos
from mesosim.units import Quantity

FORMAT_VERSION: Final = 1
ALLERGY_TEST: Final = ("negative", "positive", "not-done")
TOP_KEYS: Final = ("mesosim", "id", "title", "description", "notes", "technique", "zone",
                   "setting", "patient", "course", "maintenance", "session", "aftercare")
#: ``id`` is optional: the file's name stands in for it
REQUIRED_TOP: Final = ("mesosim", "technique", "zone", "patient", "course", "session")
PATIENT_KEYS: Final = ("age", "conditions", "allergy_test", "plans", "notes")
COURSE_KEYS: Final = ("kind", "start", "sessions", "interval", "dates")
#: the keys of the optional ``maintenance`` section (maintenance sessions after the course)
MAINTENANCE_KEYS: Final = ("start", "sessions", "interval", "dates")
SESSION_KEYS: Final = ("steps", "notes")
PLAN_KEYS: Final = ("activity", "date", "until", "notes")
#: the largest number of sessions a course may declare (bounds the simulation)
MAX_SESSIONS: Final = 1000


@frozen
class Step:
    """One step of the session as written: its name, parameters, and where it is."""

    name: str
    index: int
    params: Mapping[str, Quantity] = field(factory=dict)
    path: Path = ()
    #: every parameter written, including those whose value could not be read
    written: frozenset[str] = frozenset()


@frozen
class Plan:
    """Something the patient plans to do (``sauna`` on a date, ``beach`` from a date until one)."""

    activity: str
    date: _dt.date
    until: _dt.date | None
    path: Path = ()


@frozen
class Patient:
    age: int | None = None
    conditions: tuple[str, ...] = ()
    #: condition -> where it is written
    condition_paths: Mapping[str, Path] = field(factory=dict)
    allergy_test: str | None = None
    plans: tuple[Plan, ...] = ()


@frozen
class Course:
    """A course: ``intensive`` (the course itself) or ``maintenance`` sessions, laid out from
    ``start`` every ``interval`` or on explicit ``dates``."""

    start: _dt.date | None = None
    sessions: int | None = None
    interval: Quantity | None = None
    dates: tuple[_dt.date, ...] = ()
    kind: str = "intensive"
    #: where the section is in the file (``("course",)`` or ``("maintenance",)``)
    path: Path = ("course",)


@frozen
class Protocol:
    """A protocol file, validated and converted. ``doc`` keeps the positions of its nodes."""

    doc: Document = field(eq=False, repr=False)
    id: str
    title: str
    technique: str
    zone: str | None
    setting: str
    patient: Patient
    course: Course
    steps: tuple[Step, ...]
    aftercare: Mapping[str, Quantity]
    #: maintenance sessions after the course (the ``maintenance`` section), if any
    maintenance: Course | None = None

    @property
    def path(self) -> str:
        return self.doc.path

    def pos(self, path: Path) -> Pos:
        return self.doc.pos(path)
