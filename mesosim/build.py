"""Build the protocol model (format v1) from a loaded :class:`~mesosim.document.Document`.

:func:`build` is the one named constructor of :class:`~mesosim.protocol.Protocol`. It validates
the shape (keys, types, units, allowed values) as it converts, reporting every problem as a
finding located at the offending node, and builds as much of the model as it can so that later
checks still run on the parts that are right. Nothing here knows a technique: names are checked
against the catalog's vocabulary.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import TYPE_CHECKING, Any, Final

from mesosim import rules
from mesosim._text import did_you_mean
from mesosim.declarations import COURSE_KINDS, SETTINGS, ZONES
from mesosim.document import Document, Path
from mesosim.findings import Sink
from mesosim.loader import to_date
from mesosim.protocol import (
    ALLERGY_TEST,
    COURSE_KEYS,
    FORMAT_VERSION,
    MAINTENANCE_KEYS,
    MAX_SESSIONS,
    PATIENT_KEYS,
    PLAN_KEYS,
    REQUIRED_TOP,
    SESSION_KEYS,
    TOP_KEYS,
    Course,
    Patient,
    Plan,
    Protocol,
    Step,
)
from mesosim.units import Quantity, UnitError, parse_quantity

if TYPE_CHECKING:
    from mesosim.catalog import Catalog

#: the decimals of a number written with a decimal comma in a flow mapping (`0,3 mm` -> `3 mm`)
_DECIMALS: Final = re.compile(r"^\d+\s*[^\d\s,:][^,:]*$")
#: written like a date, so a failure to read it is a date that does not exist (2026-02-30)
_DATE_LIKE: Final = re.compile(r"^\s*\d{4}-\d\d-\d\d(?:[Tt ].*)?$")
#: each section's keys as a set: one C-level test that every key of a mapping is known
#: (the usual case) instead of a scan of the tuple per key: 0.70 -> 0.25 us for the top level
#: (speed round 2)
_KNOWN_KEYS: Final[dict[tuple[str, ...], frozenset[str]]] = {keys: frozenset(keys) for keys in (
    TOP_KEYS, PATIENT_KEYS, PLAN_KEYS, COURSE_KEYS, MAINTENANCE_KEYS, SESSION_KEYS)}


def _date_error(v: str) -> str:
    """Why ``v`` is not a date: the reason :mod:`datetime` gives."""
    try:
        _dt.datetime.fromisoformat(v.strip())
    except ValueError as exc:
        return str(exc)
    return "not a calendar date"


def _stem(path: str) -> str:
    import os

    return os.path.splitext(os.path.basename(path))[0] or path


def _names_in(value: object, budget: int = 1000) -> list[str]:
    """The text found in a value of the wrong type (a mapping's keys and values, a nested
    list's items), at most ``budget`` of them, depth first."""
    out: list[str] = []
    stack = [value]
    while stack and len(out) < budget:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(reversed([x for kv in v.items() for x in kv]))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    return out


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if v is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(v), f"a {type(v).__name__}"
    )


class _Builder:
    #: did-you-mean suggestions computed per file: difflib costs ~0.1 ms a name, and a hostile
    #: file of 99,000 distinct unknown names took 14 s; past this many, no more suggestions
    MAX_HINTS: Final = 200

    def hint(self, word: Any, choices: Any) -> str | None:
        """The closest of ``choices`` to ``word`` (see :data:`MAX_HINTS`)."""
        key = (word, id(choices)) if isinstance(word, str) else None
        if key not in self.hinted:
            if len(self.hinted) >= self.MAX_HINTS:
                return None
            self.hinted.add(key)
        return did_you_mean(word, choices)

    def __init__(self, doc: Document, catalog: Catalog, sink: Sink) -> None:
        self.hinted: set[tuple[str, int] | None] = set()
        self.doc = doc
        self.catalog = catalog
        self.sink = sink

    # -- helpers ---------------------------------------------------------------------------
    def mapping(self, v: Any, where: Path, what: str) -> dict[str, Any] | None:
        if isinstance(v, dict):
            return v
        self.sink.add(rules.WRONG_TYPE, where, f"{what} must be a mapping (key: value lines), found "
                      f"{_type_name(v)}")
        return None

    def keys(self, m: dict[str, Any], allowed: tuple[str, ...], where: Path, what: str) -> None:
        known = _KNOWN_KEYS.get(allowed)
        if known is not None and known.issuperset(m):
            return
        for k in m:
            if k not in allowed:
                hint = self.hint(k, allowed)
                self.sink.add(rules.UNKNOWN_KEY, (*where, k), f"unknown key '{k}' in {what}; expected one "
                              f"of: {', '.join(allowed)}", key=True,
                              suggestion=f"did you mean '{hint}'?" if hint else None)

    def text(self, m: dict[str, Any], key: str, where: Path, required: bool) -> str | None:
        if key not in m:
            if required:
                self.sink.add(rules.MISSING_KEY, where, f"missing required key '{key}'")
            return None
        v = m[key]
        if isinstance(v, str) and v.strip():
            return v
        if isinstance(v, int | float) and not isinstance(v, bool):
            return str(v)
        self.sink.add(rules.WRONG_TYPE, (*where, key), f"'{key}' must be text, found {_type_name(v)}")
        return None

    def choice(self, m: dict[str, Any], key: str, allowed: tuple[str, ...] | frozenset[str],
               where: Path, required: bool, code: str = rules.BAD_VALUE) -> str | None:
        v = self.text(m, key, where, required)
        if v is None:
            return None
        if v not in allowed:
            hint = self.hint(v, allowed)
            self.sink.add(code, (*where, key), f"'{key}' is '{v}', expected one of: "
                          f"{', '.join(sorted(allowed))}",
                          suggestion=f"did you mean '{hint}'?" if hint else None)
            return None
        return v

    def quantity(self, v: Any, dimension: str, where: Path, what: str) -> Quantity | None:
        try:
            return parse_quantity(v, dimension)
        except UnitError as exc:
            self.unit_error(exc, v, where, what)
            return None

    def unit_error(self, exc: UnitError, v: Any, where: Path, what: str) -> None:
        """Report that ``v`` (at ``where``, ``what`` in the message) is not a quantity."""
        code = rules.WRONG_DIMENSION if exc.problem == "wrong-dimension" else rules.UNIT_ERROR
        if exc.problem == "not-a-number" and not isinstance(v, str | int | float):
            code = rules.WRONG_TYPE
        self.sink.add(code, where, f"{what}: {exc}",
                      suggestion=f"write '{exc.suggestion}'" if exc.suggestion else None)

    def date(self, v: Any, where: Path, what: str) -> _dt.date | None:
        d = to_date(v)
        if d is None:
            if isinstance(v, dict | list):
                msg = f"{what} must be a date, found {_type_name(v)}"
            elif isinstance(v, str) and _DATE_LIKE.match(v):
                msg = f"{what} is {v.strip()}, which is not a real date ({_date_error(v)})"
            else:
                msg = f"{what} must be a date written YYYY-MM-DD, found {v!r}"
            self.sink.add(rules.BAD_VALUE, where, msg, suggestion="write a real date such as 2026-12-01")
        return d

    def whole(self, v: Any, where: Path, what: str, lo: int, hi: int) -> int | None:
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.sink.add(rules.WRONG_TYPE, where, f"{what} must be a whole number, found {_type_name(v)}")
            return None
        if isinstance(v, float) and (not math.isfinite(v) or v != int(v)):
            self.sink.add(rules.BAD_VALUE, where, f"{what} must be a whole number, found {v}")
            return None
        if not lo <= v <= hi:
            self.sink.add(rules.BAD_VALUE, where, f"{what} is {int(v)}, expected {lo} to {hi}")
            return None
        return int(v)

    # -- sections --------------------------------------------------------------------------
    def protocol(self) -> Protocol | None:
        top = self.doc.data
        if not isinstance(top, dict):
            # it parsed: the shape is wrong, not the syntax (declarations issue)
            self.sink.add(rules.WRONG_TYPE, (), f"the top level must be a mapping (a protocol "
                          f"starting with 'mesosim: 1'), found {_type_name(top)}",
                          suggestion="write the protocol's keys at the top level: 'mesosim: 1', "
                          "'technique: ...', 'zone: ...'")
            return None
        self.keys(top, TOP_KEYS, (), "the protocol")
        version = top.get("mesosim")
        if "mesosim" not in top:
            self.sink.add(rules.FORMAT_VERSION, (), "missing 'mesosim: 1' (the format version)",
                          suggestion="add 'mesosim: 1' as the first line")
        elif version != FORMAT_VERSION or isinstance(version, bool):
            self.sink.add(rules.FORMAT_VERSION, ("mesosim",), f"format version {version!r} is not supported; "
                          f"this mesosim reads version {FORMAT_VERSION}")
        for k in REQUIRED_TOP:
            if k not in top and k != "mesosim":
                self.sink.add(rules.MISSING_KEY, (), f"missing required key '{k}'")
        # the file's name stands in for a missing id
        pid = self.text(top, "id", (), False) or _stem(self.doc.path)
        title = self.text(top, "title", (), False) or ""
        for k in ("description", "notes"):
            if k in top:
                self.text(top, k, (), False)
        technique = self.text(top, "technique", (), False) or ""
        if technique and technique not in self.catalog.techniques:
            hint = self.hint(technique, self.catalog.techniques)
            self.sink.add(rules.UNKNOWN_TECHNIQUE, ("technique",), f"unknown technique '{technique}'; loaded "
                          f"techniques: {', '.join(sorted(self.catalog.techniques)) or 'none'}",
                          suggestion=f"did you mean '{hint}'?" if hint else None)
        zone = self.choice(top, "zone", tuple(self.catalog.zones) or ZONES, (), False)
        setting = self.choice(top, "setting", SETTINGS, (), False) or "clinic"
        patient = self.patient(top.get("patient"), ("patient",)) if "patient" in top else Patient()
        course = self.course(top.get("course"), ("course",)) if "course" in top else Course()
        maintenance = self.course(top.get("maintenance"), ("maintenance",), "maintenance") \
            if "maintenance" in top and top.get("maintenance") is not None else None
        steps = self.session(top.get("session"), ("session",)) if "session" in top else ()
        aftercare = self.aftercare(top.get("aftercare"), ("aftercare",)) \
            if "aftercare" in top else {}
        return Protocol(self.doc, pid, title, technique, zone, setting, patient, course, steps,
                        aftercare, maintenance)

    def patient(self, v: Any, where: Path) -> Patient:
        m = self.mapping(v, where, "'patient'")
        if m is None:
            return Patient()
        self.keys(m, PATIENT_KEYS, where, "'patient'")
        age = self.whole(m["age"], (*where, "age"), "'age'", 0, 130) if "age" in m else None
        conditions: list[str] = []
        cpaths: dict[str, Path] = {}
        if "conditions" in m:
            cv = m["conditions"]
            if cv is None:
                cv = []
            # a value of the wrong type is reported, and the names in it are still checked:
            # `conditions: pregnancy` must not hide a contraindication behind a type error
            items: list[tuple[object, Path]]
            if isinstance(cv, list):
                items = [(c, (*where, "conditions", i)) for i, c in enumerate(cv)]
            else:
                self.sink.add(rules.WRONG_TYPE, (*where, "conditions"), "'conditions' must be a "
                              f"list of condition names, found {_type_name(cv)}",
                              suggestion="write e.g. 'conditions: [pregnancy]'")
                items = [(c, (*where, "conditions")) for c in _names_in(cv)]
            for c, cw in items:
                if not isinstance(c, str):
                    self.sink.add(rules.WRONG_TYPE, cw, f"a condition must be a name, found "
                                  f"{_type_name(c)}")
                    inner = list(_names_in(c))
                    if not inner:
                        continue
                    items.extend((x, cw) for x in inner)
                    continue
                if c not in self.catalog.conditions:
                    hint = self.hint(c, self.catalog.conditions)
                    self.sink.add(rules.UNKNOWN_CONDITION, cw, f"unknown condition '{c}'",
                                  suggestion=f"did you mean '{hint}'?" if hint else None)
                conditions.append(c)
                cpaths.setdefault(c, cw)
        allergy = self.choice(m, "allergy_test", ALLERGY_TEST, where, False)
        plans: list[Plan] = []
        if "plans" in m and m["plans"] is not None:
            pv = m["plans"]
            if not isinstance(pv, list):
                self.sink.add(rules.WRONG_TYPE, (*where, "plans"), "'plans' must be a list of "
                              f"{{activity, date}} mappings, found {_type_name(pv)}")
                pv = []
            for i, p in enumerate(pv):
                plan = self.plan(p, (*where, "plans", i))
                if plan is not None:
                    plans.append(plan)
        return Patient(age, tuple(conditions), cpaths, allergy, tuple(plans))

    def plan(self, v: Any, where: Path) -> Plan | None:
        m = self.mapping(v, where, "a plan")
        if m is None:
            return None
        self.keys(m, PLAN_KEYS, where, "a plan")
        activity = self.text(m, "activity", where, True)
        if "date" not in m:
            self.sink.add(rules.MISSING_KEY, where, "missing required key 'date' in a plan")
            return None
        d = self.date(m["date"], (*where, "date"), "a plan's 'date'")
        until = self.date(m["until"], (*where, "until"), "a plan's 'until'") \
            if "until" in m else None
        if activity is not None and activity not in self.catalog.activities:
            hint = self.hint(activity, self.catalog.activities)
            self.sink.add(rules.UNKNOWN_ACTIVITY, (*where, "activity"), f"unknown activity '{activity}'",
                          suggestion=f"did you mean '{hint}'?" if hint else None)
        if activity is None or d is None:
            return None
        if until is not None and until < d:
            self.sink.add(rules.BAD_VALUE, (*where, "until"), f"a plan's 'until' ({until}) is before its "
                          f"'date' ({d})")
            until = None
        return Plan(activity, d, until, where)

    def course(self, v: Any, where: Path, fixed_kind: str | None = None) -> Course:
        what = f"'{where[0]}'"
        m = self.mapping(v, where, what)
        if m is None:
            return Course(kind=fixed_kind or "intensive", path=where)
        self.keys(m, MAINTENANCE_KEYS if fixed_kind else COURSE_KEYS, where, what)
        kind = fixed_kind or self.choice(m, "kind", COURSE_KINDS, where, False) or "intensive"
        dates: list[_dt.date] = []
        if "dates" in m:
            dv = m["dates"]
            if not isinstance(dv, list):
                self.sink.add(rules.WRONG_TYPE, (*where, "dates"), "'dates' must be a list of dates, "
                              f"found {_type_name(dv)}")
            else:
                for i, d in enumerate(dv[:MAX_SESSIONS + 1]):
                    got = self.date(d, (*where, "dates", i), "a course date")
                    if got is not None:
                        dates.append(got)
                if len(dv) > MAX_SESSIONS:
                    self.sink.add(rules.BAD_VALUE, (*where, "dates"), f"a course of {len(dv)} sessions "
                                  f"is not plausible (at most {MAX_SESSIONS})")
                    dates = dates[:MAX_SESSIONS]
            for k in ("start", "interval"):
                if k in m:
                    self.sink.add(rules.BAD_VALUE, (*where, k), f"give either 'dates' or 'start' with "
                                  f"'interval' and 'sessions', not both ('{k}' is ignored)")
            sessions = None
            if "sessions" in m:
                sessions = self.whole(m["sessions"], (*where, "sessions"), "'sessions'", 1,
                                      MAX_SESSIONS)
                if sessions is not None and dates and sessions != len(dates):
                    self.sink.add(rules.BAD_VALUE, (*where, "sessions"), f"'sessions' is {sessions} but "
                                  f"{len(dates)} dates are listed")
            return Course(dates[0] if dates else None, len(dates) or None, None, tuple(dates),
                          kind, where)
        start = self.date(m["start"], (*where, "start"), "'start'") if "start" in m else None
        sessions = self.whole(m["sessions"], (*where, "sessions"), "'sessions'", 1,
                              MAX_SESSIONS) if "sessions" in m else None
        interval = self.quantity(m["interval"], "time", (*where, "interval"), "'interval'") \
            if "interval" in m else None
        for k in ("start", "sessions"):
            if k not in m:
                self.sink.add(rules.MISSING_KEY, where, f"missing required key '{k}' in {what} "
                              "(or give 'dates')")
        if "interval" not in m and (sessions or 0) > 1:
            self.sink.add(rules.MISSING_KEY, where, f"missing required key 'interval' in {what} "
                          "(or give 'dates')")
        if start is not None and sessions and interval is not None:
            try:  # the calendar ends on 31 December 9999
                start + _dt.timedelta(days=round((sessions - 1) * interval.to("d")))
            except OverflowError:
                self.sink.add(rules.BAD_VALUE, (*where, "sessions"), f"the {what[1:-1]}'s last "
                              "session would fall after 31 December 9999, where the calendar "
                              "ends", suggestion="check the start date, the interval and the "
                              "number of sessions")
        return Course(start, sessions, interval, (), kind, where)

    def session(self, v: Any, where: Path) -> tuple[Step, ...]:
        m = self.mapping(v, where, "'session'")
        if m is None:
            return ()
        self.keys(m, SESSION_KEYS, where, "'session'")
        if "steps" not in m:
            self.sink.add(rules.MISSING_KEY, where, "missing required key 'steps' in 'session'")
            return ()
        sv = m["steps"]
        if not isinstance(sv, list):
            self.sink.add(rules.WRONG_TYPE, (*where, "steps"), "'steps' must be a list of steps, found "
                          f"{_type_name(sv)}")
            return ()
        out = []
        for i, item in enumerate(sv):
            step = self.step(item, (*where, "steps", i), i)
            if step is not None:
                out.append(step)
        return tuple(out)

    def step(self, item: Any, where: Path, index: int) -> Step | None:
        raw_params: Any = None
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict) and len(item) == 1:
            name, raw_params = next(iter(item.items()))
            if raw_params is not None and not isinstance(raw_params, dict):
                self.sink.add(rules.WRONG_TYPE, (*where, name), f"the parameters of step '{name}' must be "
                              f"a mapping, found {_type_name(raw_params)}",
                              suggestion=f"write '- {name}: {{param: value}}'")
                raw_params = None
        else:
            self.sink.add(rules.WRONG_TYPE, where, "a step must be a name or a single '{name: {parameters}}'"
                          f" mapping, found {_type_name(item)}"
                          + (f" with {len(item)} keys" if isinstance(item, dict) else ""))
            return None
        kind = self.catalog.steps.get(name)
        if kind is None:
            hint = self.hint(name, self.catalog.steps)
            self.sink.add(rules.UNKNOWN_STEP, where, f"unknown step '{name}'",
                          suggestion=f"did you mean '{hint}'?" if hint else None, subject=name)
            return Step(name, index, {}, where)
        if not raw_params:  # a bare name (two steps in three)
            return Step(name, index, {}, where, frozenset())
        params: dict[str, Quantity] = {}
        items = list(raw_params.items())
        # `{depth: 0,3 mm}`: YAML splits a decimal comma into `depth: 0` and a key `3 mm`
        split: set[int] = set()
        for i in range(1, len(items)):
            if items[i][1] is None and _DECIMALS.match(str(items[i][0])) \
                    and isinstance(items[i - 1][1], int) and not isinstance(items[i - 1][1], bool):
                split.add(i)
        # the path and the message's subject are built only for a finding; with the bare-name
        # return above and the same in aftercare(): build 31.5 -> 25.5 us per protocol (speed
        # round 2)
        for i, (p, value) in enumerate(items):
            if i in split:
                continue
            if i + 1 in split:
                pw = (*where, name, p)
                written = f"{value},{items[i + 1][0]}"
                self.sink.add(rules.UNIT_ERROR, pw, f"'{name}' parameter '{p}': '{written}' uses "
                              "a decimal comma, which YAML reads as two entries ('{0}' and "
                              "'{1}')".format(value, items[i + 1][0]),
                              suggestion=f"write '{written.replace(',', '.', 1)}'")
                continue
            if p not in kind.params:
                hint = self.hint(p, kind.params)
                takes = ", ".join(kind.params) or "no parameters"
                self.sink.add(rules.UNKNOWN_PARAMETER, (*where, name, p), f"step '{name}' takes "
                              f"no parameter '{p}' (it takes: {takes})", key=True,
                              suggestion=f"did you mean '{hint}'?" if hint else None)
                continue
            try:
                params[p] = parse_quantity(value, self.catalog.parameters.get(p, "count"))
            except UnitError as exc:
                self.unit_error(exc, value, (*where, name, p), f"'{name}' parameter '{p}'")
        return Step(name, index, params, where, frozenset(raw_params))

    def aftercare(self, v: Any, where: Path) -> dict[str, Quantity]:
        if v is None:
            return {}
        m = self.mapping(v, where, "'aftercare'")
        if m is None:
            return {}
        out = {}
        activities = self.catalog.activities
        # the path and the message's subject are built only for a finding (see step())
        for activity, value in m.items():
            if activity not in activities:
                hint = self.hint(activity, activities)
                self.sink.add(rules.UNKNOWN_ACTIVITY, (*where, activity), f"unknown aftercare "
                              f"activity '{activity}'", key=True,
                              suggestion=f"did you mean '{hint}'?" if hint else None)
            try:
                out[activity] = parse_quantity(value, "time")
            except UnitError as exc:
                self.unit_error(exc, value, (*where, activity), f"aftercare '{activity}'")
        return out


def build(doc: Document, catalog: Catalog, sink: Sink) -> Protocol | None:
    """Validate ``doc`` against format v1 and convert it; problems go to ``sink``."""
    return _Builder(doc, catalog, sink).protocol()
