"""What a plugin declares: frozen data, validated when it is built (layer 1: data types).

A plugin returns :class:`Technique` objects from ``mesosim_techniques``; a plugin may also add
to the shared :class:`Vocabulary` (steps, parameters, conditions, activities) through
``mesosim_vocabulary``. Every figure is a :class:`Range` that carries its ``source``: a seed
reference such as ``002:11`` (see ``shared/domain.md``) or ``default`` when the sources give no
number. Config overrides replace a range with one whose source names the config file and line.

The step graph is a :class:`StepGraph`: its nodes are step *slots*, an edge ``a -> b`` means
"``a`` must come before ``b``". A slot's id is its step name, except where a technique repeats a
step (the roller is disinfected before and after rolling): then the slot has an id of its own
and names its step (``StepGraph.chain("device-disinfection", ("device-disinfection-after",
"device-disinfection"))``). ``StepGraph.networkx()`` gives the networkx ``DiGraph`` for analysis
and display; the checks themselves walk the plain edge list so that a check does not pay
networkx's import time (~190 ms, more than checking a small file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from attr import evolve, field, frozen
from attr.validators import deep_iterable, ge, in_, instance_of, matches_re, optional

from mesosim.units import UNITS, Quantity, dimension_of, fmt_number, parse_quantity

if TYPE_CHECKING:
    import networkx as nx

#: The plugin API this mesosim implements. A technique declaring a newer one is refused.
API_VERSION: Final = 1
#: A citation: ``SOURCE:LINE`` or ``SOURCE:FIRST-LAST`` (``002:11``, ``acme-cryo-manual:12``),
#: where SOURCE is a registered source (:class:`Source`; the host refuses an unknown one).
CITATION_PATTERN: Final = r"[a-z0-9][a-z0-9._-]*:\d+(?:-\d+)?"
#: ``002:11``, ``002:175-181, 000:98``, ``default`` (no source gives a figure: say why in a
#: note), or ``<config file>.toml:<line>`` (a school's override).
SOURCE_PATTERN: Final = (rf"^(default|{CITATION_PATTERN}(, ?{CITATION_PATTERN})*"
                         r"|.+\.toml:\d+)$")
NAME_PATTERN: Final = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SETTINGS: Final = ("clinic", "home")
#: the zones the core vocabulary declares (``mesosim.plugin.core``); plugins may add more
ZONES: Final = ("face", "periorbital", "neck", "decollete", "scalp", "body", "hands")
#: the kinds of course a protocol describes: the intensive course, or maintenance sessions
COURSE_KINDS: Final = ("intensive", "maintenance")
#: injection (the active step punctures the skin) or not
METHODS: Final = ("injection", "non-injection")
#: the figures a technique or a zone may declare per scope (:class:`Figure`)
FIGURES: Final = ("interval", "course_length", "session_duration", "session_dose")


def citations(source: str) -> list[tuple[str, str]]:
    """``"002:11, 000:95-98"`` -> ``[("002", "11"), ("000", "95-98")]``; ``[]`` for
    ``default`` or a configuration line."""
    if source == "default" or source.endswith(tuple(f".toml:{d}" for d in "0123456789")) or \
            ".toml:" in source:
        return []
    out = []
    for part in source.split(","):
        sid, _, lines = part.strip().rpartition(":")
        out.append((sid, lines))
    return out


def _tuple(v: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(v)


def _frozen_map(v: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only view: declarations are shared by every file a run checks, so a plugin
    that changed one would make the results depend on the order and the worker (hostile
    input, round 2)."""
    from types import MappingProxyType

    return v if isinstance(v, MappingProxyType) else MappingProxyType(dict(v))


def _names(v: Iterable[str]) -> frozenset[str]:
    return frozenset(v)


def _opt_name(_inst: object, attr: Any, value: str | None) -> None:
    import re

    if value is not None and not re.match(NAME_PATTERN, value):
        raise ValueError(f"{attr.name} {value!r} is not a name (lowercase words joined by -)")


def _opt_in(choices: tuple[str, ...]) -> Any:
    def check(_inst: object, attr: Any, value: str | None) -> None:
        if value is not None and value not in choices:
            raise ValueError(f"{attr.name} {value!r} is not one of {', '.join(choices)}")
    return check


@frozen
class Scope:
    """Where a declaration applies: a zone, a setting, a course kind, a method, or a
    combination (``None``: any). A declaration made by a zone applies on that zone, whatever
    its own ``zone`` says.

    ``method`` is ``injection`` for techniques whose active step punctures the skin (manual
    injection, the gun, the roller, a vendor's microneedle pen) and ``non-injection`` for the
    others: the sources give many facts for one of the two only (002:171-205, 002:612-618).
    """

    zone: str | None = field(default=None, validator=_opt_name)
    setting: str | None = field(default=None, validator=_opt_in(SETTINGS))
    course: str | None = field(default=None, validator=_opt_in(COURSE_KINDS))
    method: str | None = field(default=None, validator=_opt_in(METHODS))

    def applies(self, zone: str | None, setting: str | None, course: str | None,
                method: str | None = None) -> bool:
        return ((self.zone is None or self.zone == zone)
                and (self.setting is None or self.setting == setting)
                and (self.course is None or self.course == (course or "intensive"))
                and (self.method is None or self.method == method))

    def __str__(self) -> str:
        parts = [f"zone {self.zone}" if self.zone else "",
                 f"{self.setting}" if self.setting else "",
                 f"{self.course} course" if self.course else "",
                 f"{self.method} techniques" if self.method else ""]
        return ", ".join(p for p in parts if p) or "everywhere"


def _scope(v: Any) -> Scope:
    if v is None:
        return Scope()
    if isinstance(v, Scope):
        return v
    if isinstance(v, Mapping):
        return Scope(**v)
    raise TypeError("scope must be a Scope, a mapping of zone/setting/course, or None")


@frozen
class Range:
    """An allowed interval ``[min, max]`` in ``unit``, with where the figures come from.

    Either bound may be ``None`` (open). ``note`` records what the sources say otherwise, shown
    by ``mesosim explain`` and ``mesosim techniques show``.
    """

    min: float | None
    max: float | None
    #: a unit spelling (checked when the plugin loads: a plugin may declare units of its own)
    unit: str = field(validator=instance_of(str))
    source: str = field(validator=matches_re(SOURCE_PATTERN))
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.min is None and self.max is None:
            raise ValueError("a range needs at least one bound")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range min {self.min} > max {self.max} ({self.source})")

    @property
    def dimension(self) -> str:
        return UNITS[self.unit][0]

    def contains(self, q: Quantity) -> bool:
        # the same few values meet the same few ranges in every file of a class: each verdict
        # is worked out once (the memo keeps the range, so no other takes its id), 0.25-0.4 ->
        # 0.13 us a call, 13 calls per protocol (speed round 2). A unit unknown yet could be
        # registered later with a meaning of its own: its verdicts are not kept.
        key = (id(self), q.value, q.unit)
        hit = _VERDICTS.get(key)
        if hit is not None:
            return hit[1]
        v = q.to(self.unit)
        eps = 1e-9 * max(1.0, abs(v))
        inside = not ((self.min is not None and v < self.min - eps)
                      or (self.max is not None and v > self.max + eps))
        if q.unit in UNITS:
            if len(_VERDICTS) >= 4096:
                _VERDICTS.clear()
            _VERDICTS[key] = (self, inside)
        return inside

    def contains_value(self, value: float, unit: str, dimension: str) -> bool:
        """``contains(Quantity(value, unit, dimension))``, without making the quantity when
        the verdict is known (0.5 -> 0.15 us)."""
        hit = _VERDICTS.get((id(self), value, unit))
        if hit is not None:
            return hit[1]
        return self.contains(Quantity(value, unit, dimension))

    def __str__(self) -> str:
        u = f" {self.unit}" if self.unit else ""
        if self.min is None:
            return f"at most {fmt_number(self.max or 0)}{u}"
        if self.max is None:
            return f"at least {fmt_number(self.min)}{u}"
        if self.min == self.max:
            return f"{fmt_number(self.min)}{u}"
        if self.min < 0 or self.max < 0:  # "-20 to -5 °C", not "-20--5 °C"
            return f"{fmt_number(self.min)} to {fmt_number(self.max)}{u}"
        return f"{fmt_number(self.min)}-{fmt_number(self.max)}{u}"


#: (id of a range, value, unit) -> (the range, whether it contains the value): Range.contains
_VERDICTS: dict[tuple[int, float, str], tuple[Range, bool]] = {}


def between(lo: float | None, hi: float | None, unit: str, source: str, note: str = "") -> Range:
    """Shorthand used by plugins: ``between(1.5, 2, "mm", "002:11")``."""
    return Range(lo, hi, unit, source, note)


@frozen
class ParamRange:
    """The range of one step parameter, for a zone and/or setting (``None`` = any)."""

    step: str = field(validator=matches_re(NAME_PATTERN))
    param: str = field(validator=matches_re(r"^[a-z][a-z0-9_]*$"))
    range: Range = field(validator=instance_of(Range))
    zone: str | None = field(default=None, validator=_opt_name)
    setting: str | None = field(default=None, validator=optional(in_(SETTINGS)))

    @property
    def specificity(self) -> int:
        return (self.zone is not None) * 2 + (self.setting is not None)

    def applies(self, zone: str | None, setting: str | None) -> bool:
        return (self.zone is None or self.zone == zone) and (
            self.setting is None or self.setting == setting
        )


@frozen
class Contraindication:
    """A patient condition that rules the technique out (``error``) or calls for caution
    (``warning``), in a scope (default: everywhere the technique or zone is used).

    Contraindications add up: every one that applies to the protocol's technique, zone,
    setting and course kind is checked (the general ones, the zone's, the technique's).
    """

    condition: str = field(validator=matches_re(NAME_PATTERN))
    source: str = field(validator=matches_re(SOURCE_PATTERN))
    severity: str = field(default="error", validator=in_(("error", "warning")))
    note: str = ""
    scope: Scope = field(default=None, converter=_scope)


@frozen
class Care:
    """A restriction around each session: ``activity`` avoided for at least ``minimum``, in a
    scope (default: everywhere).

    Used for aftercare (after each session) and before-care (before each session). Where
    several apply (the technique's, the zone's), the longest minimum is the one in force.
    """

    activity: str = field(validator=matches_re(NAME_PATTERN))
    minimum: Range = field(validator=instance_of(Range))
    scope: Scope = field(default=None, converter=_scope)


@frozen
class Figure:
    """One of a technique's figures (``interval``, ``course_length``, ``session_duration``,
    ``session_dose``) for a scope: the eye area's 3-7 procedures, a maintenance course's
    interval. The most specific that applies is in force: the technique's for the zone, then
    the zone's own, then the technique's for the setting or course kind, then its general one.
    For ``interval`` and ``course_length`` a scope without a course kind means the intensive
    course: a maintenance course has figures of its own.
    """

    name: str = field(validator=in_(FIGURES))
    range: Range = field(validator=instance_of(Range))
    scope: Scope = field(default=None, converter=_scope)


@frozen
class Limit:
    """Why a technique is not used on a zone or in a setting it leaves out: the source, or
    ``default`` with a note when no source says so (the gun and the eye area). Shown by
    ``techniques show`` and in the MS204 message."""

    source: str = field(validator=matches_re(SOURCE_PATTERN))
    zone: str | None = field(default=None, validator=_opt_name)
    setting: str | None = field(default=None, validator=_opt_in(SETTINGS))
    note: str = ""


@frozen
class Procedure:
    """Steps a scope adds to a session (the eye area's rest, then a second disinfection, then
    a mask: 002:139-140), whatever the technique.

    ``after_active`` is a chain placed after the technique's active step (each item as in
    :meth:`StepGraph.chain`: a step name or a ``(slot id, step name)`` pair); a step the
    technique already has after its active step is reused, not added. ``required`` names the
    slots a protocol must then contain. ``parameters`` are ranges of those steps.
    """

    source: str = field(validator=matches_re(SOURCE_PATTERN))
    after_active: tuple[str | tuple[str, str], ...] = field(default=(), converter=_tuple)
    required: frozenset[str] = field(default=frozenset(), converter=_names)
    scope: Scope = field(default=None, converter=_scope)
    note: str = ""
    #: slots of ``after_active`` whose time does not count in the session's measured span (the
    #: eye area's half-hour rest comes after the procedure a session's duration measures)
    unmeasured: frozenset[str] = field(default=frozenset(), converter=_names)


@frozen
class StepKind:
    """A step of the shared vocabulary: what it takes, needs and provides, how long it lasts.

    ``requires``/``provides`` are session states (``skin-disinfected``, ``device-disinfected``,
    ``anesthetised``...) that the simulator tracks; ``consumes`` are states a step ends (rolling
    leaves the device used, so it must be disinfected again before it is put away).
    """

    name: str = field(validator=matches_re(NAME_PATTERN))
    description: str = ""
    params: tuple[str, ...] = field(default=(), converter=_tuple)
    requires: frozenset[str] = field(default=frozenset(), converter=_names)
    provides: frozenset[str] = field(default=frozenset(), converter=_names)
    consumes: frozenset[str] = field(default=frozenset(), converter=_names)
    duration: Quantity | None = field(default=None, converter=lambda v: _time(v))
    punctures: bool = False


def _time(v: Any) -> Quantity | None:
    if v is None or isinstance(v, Quantity):
        return v
    return parse_quantity(v, "time")


@frozen
class Dimension:
    """A dimension a plugin adds: its name, canonical unit and an example for messages;
    ``negative`` lets values go below zero (a temperature)."""

    name: str = field(validator=matches_re(NAME_PATTERN))
    canonical: str = field(validator=instance_of(str))
    example: str = ""
    negative: bool = False


@frozen
class Unit:
    """A unit spelling a plugin adds: ``value * factor + offset`` is the value in the
    dimension's canonical unit (kelvin to degrees Celsius: factor 1, offset -273.15)."""

    spelling: str = field(validator=instance_of(str))
    dimension: str = field(validator=instance_of(str))
    factor: float = 1.0
    offset: float = 0.0


@frozen
class Source:
    """A document figures are cited from: ``002`` (a source article), ``acme-cryo-manual``.

    ``claims`` maps a cited line or range (``"11"``, ``"175-181"``) to what it says, in one
    line of the plugin's own words: ``mesosim explain``, ``techniques show`` and ``mesosim
    sources REF`` print it beside the citation.
    """

    id: str = field(validator=matches_re(r"^[a-z0-9][a-z0-9._-]*$"))
    title: str
    where: str = ""
    claims: Mapping[str, str] = field(factory=dict)


@frozen
class Activity:
    """Something a patient does, and the restrictions it involves: a bath is sauna-like heat,
    a beach is sun, a shower washes the hair. A plan is matched by meaning: a plan of
    ``activity`` meets the windows of ``activity`` and of everything it ``involves``."""

    name: str = field(validator=matches_re(NAME_PATTERN))
    description: str = ""
    involves: frozenset[str] = field(default=frozenset(), converter=_names)
    source: str | None = field(default=None, validator=optional(matches_re(SOURCE_PATTERN)))


def _activities(v: Iterable[Any]) -> tuple[Activity, ...]:
    return tuple(a if isinstance(a, Activity) else Activity(a) for a in v)


@frozen
class Zone:
    """A treatment zone and what the sources say of it, whatever the technique: its
    contraindications, care, figures (the eye area's 3-7 procedures), the steps its procedure
    adds, and step parameter ranges. Everything here applies to every technique used on the
    zone, a vendor's included; a declaration's own ``scope.zone`` is ignored (it is this zone).
    """

    name: str = field(validator=matches_re(NAME_PATTERN))
    description: str = ""
    source: str = field(default="default", validator=matches_re(SOURCE_PATTERN))
    contraindications: tuple[Contraindication, ...] = field(default=(), converter=_tuple)
    aftercare: tuple[Care, ...] = field(default=(), converter=_tuple)
    beforecare: tuple[Care, ...] = field(default=(), converter=_tuple)
    figures: tuple[Figure, ...] = field(default=(), converter=_tuple)
    procedures: tuple[Procedure, ...] = field(default=(), converter=_tuple)
    parameters: tuple[ParamRange, ...] = field(default=(), converter=_tuple)


@frozen
class Vocabulary:
    """Names a plugin adds to the shared vocabulary. Merged across plugins by the host."""

    steps: tuple[StepKind, ...] = field(default=(), converter=_tuple)
    #: parameter name -> dimension (``depth`` -> ``length``)
    parameters: Mapping[str, str] = field(factory=dict)
    conditions: frozenset[str] = field(default=frozenset(), converter=_names)
    #: activities, as names or :class:`Activity` (with what each involves)
    activities: tuple[Activity, ...] = field(default=(), converter=_activities)
    #: general contraindications, applying to every technique
    contraindications: tuple[Contraindication, ...] = field(default=(), converter=_tuple)
    #: parameter name -> the kind of finding a value out of range is (``depth``, ``dose``,
    #: ``duration``); a parameter not listed is a ``device-setting``
    parameter_kinds: Mapping[str, str] = field(factory=dict)
    zones: tuple[Zone, ...] = field(default=(), converter=_tuple)
    dimensions: tuple[Dimension, ...] = field(default=(), converter=_tuple)
    units: tuple[Unit, ...] = field(default=(), converter=_tuple)
    sources: tuple[Source, ...] = field(default=(), converter=_tuple)


SlotSpec = str | tuple[str, str]


@frozen
class StepGraph:
    """A DAG over step slots. ``slots`` maps slot id -> step name; edges mean "before"."""

    slots: Mapping[str, str] = field(converter=_frozen_map)
    edges: tuple[tuple[str, str], ...] = field(converter=_tuple)
    _order: tuple[str, ...] = field(init=False, eq=False, repr=False, default=())
    _ancestors: Mapping[str, frozenset[str]] = field(init=False, eq=False, repr=False,
                                                     factory=dict)
    _by_step: Mapping[str, tuple[str, ...]] = field(init=False, eq=False, repr=False,
                                                    factory=dict)

    def __attrs_post_init__(self) -> None:
        import graphlib

        for a, b in self.edges:
            for s in (a, b):
                if s not in self.slots:
                    raise ValueError(f"edge ({a!r}, {b!r}) names an unknown slot {s!r}")
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for s in self.slots:
            sorter.add(s)
        for a, b in self.edges:
            sorter.add(b, a)
        try:
            order = tuple(sorter.static_order())
        except graphlib.CycleError as exc:
            raise ValueError(f"step graph has a cycle: {' -> '.join(exc.args[1])}") from None
        object.__setattr__(self, "_order", order)
        # ancestors of every slot: computed once, so an order check is a few set lookups
        parents: dict[str, set[str]] = {s: set() for s in self.slots}
        for a, b in self.edges:
            parents[b].add(a)
        ancestors: dict[str, frozenset[str]] = {}
        for s in order:
            acc: set[str] = set()
            for p in parents[s]:
                acc.add(p)
                acc |= ancestors[p]
            ancestors[s] = frozenset(acc)
        object.__setattr__(self, "_ancestors", ancestors)
        by_step: dict[str, list[str]] = {}
        for s in order:
            by_step.setdefault(self.slots[s], []).append(s)
        object.__setattr__(self, "_by_step", {k: tuple(v) for k, v in by_step.items()})

    @property
    def slots_of(self) -> Mapping[str, tuple[str, ...]]:
        """Step name -> its slots, in topological order."""
        return self._by_step

    @property
    def ancestors(self) -> Mapping[str, frozenset[str]]:
        """Slot -> every slot that must come before it (transitively)."""
        return self._ancestors

    @property
    def order(self) -> tuple[str, ...]:
        """Slots in a topological order (a valid session order)."""
        return self._order

    @classmethod
    def chain(cls, *slots: SlotSpec | Iterable[SlotSpec], extra: Iterable[tuple[str, str]] = ()
              ) -> StepGraph:
        """A graph from a sequence: each item must come before the next.

        An item is a step name, a ``(slot id, step name)`` pair for a repeated step, or a
        list of either for steps that may come in any order between their neighbours.
        ``extra`` adds edges between slot ids.
        """
        mapping: dict[str, str] = {}
        groups: list[list[str]] = []
        for item in slots:
            members = [item] if isinstance(item, str | tuple) else list(item)
            group = []
            for m in members:
                sid, step = (m, m) if isinstance(m, str) else m
                mapping[sid] = step
                group.append(sid)
            groups.append(group)
        edges = [(a, b) for g1, g2 in zip(groups, groups[1:], strict=False) for a in g1 for b in g2]
        return cls(mapping, (*edges, *extra))

    @classmethod
    def from_networkx(cls, graph: nx.DiGraph) -> StepGraph:
        """Accept a networkx ``DiGraph``; a node's ``step`` attribute names its step."""
        slots = {str(n): str(d.get("step", n)) for n, d in graph.nodes(data=True)}
        return cls(slots, tuple((str(a), str(b)) for a, b in graph.edges()))

    def networkx(self) -> nx.DiGraph:
        """This graph as a networkx ``DiGraph`` (nodes carry their ``step``)."""
        import networkx as nx

        g = nx.DiGraph()
        for sid, step in self.slots.items():
            g.add_node(sid, step=step)
        g.add_edges_from(self.edges)
        return g

    def steps(self) -> frozenset[str]:
        return frozenset(self.slots.values())


def _graph(v: Any) -> StepGraph:
    if isinstance(v, StepGraph):
        return v
    if hasattr(v, "nodes") and hasattr(v, "edges"):
        return StepGraph.from_networkx(v)
    raise TypeError("steps must be a StepGraph or a networkx DiGraph")


def _quantities(v: Mapping[str, Any]) -> Mapping[str, Quantity]:
    return _frozen_map({k: _time(q) for k, q in v.items()})  # type: ignore[misc]


@frozen
class Technique:
    """Everything a technique declares. Built by plugins; checked at load by the host."""

    name: str = field(validator=matches_re(NAME_PATTERN))
    description: str
    #: the step that delivers the cocktail (``injection``, ``rolling``, ``sonophoresis``...)
    active_step: str = field(validator=matches_re(NAME_PATTERN))
    steps: StepGraph = field(converter=_graph)
    #: slot ids that must be present
    required: frozenset[str] = field(converter=_names)
    #: the intensive course's interval and length (general scope); scoped ones in ``figures``
    interval: Range | None
    course_length: Range | None
    parameters: tuple[ParamRange, ...] = field(default=(), converter=_tuple)
    session_duration: Range | None = None
    #: the (first, last) steps whose span ``session_duration`` measures; ``None``: the whole
    #: session. E.g. 002:46's 20-25 min is the procedure itself, not the consultation.
    session_span: tuple[str, str] | None = None
    #: total volume of the active step per session (points x volume per point)
    session_dose: Range | None = None
    contraindications: tuple[Contraindication, ...] = field(default=(), converter=_tuple)
    aftercare: tuple[Care, ...] = field(default=(), converter=_tuple)
    beforecare: tuple[Care, ...] = field(default=(), converter=_tuple)
    #: the source requiring an allergy test before the course, or ``None``
    allergy_test: str | None = field(default=None, validator=optional(matches_re(SOURCE_PATTERN)))
    #: the zones it is used on (checked against the vocabulary's zones when it loads)
    zones: frozenset[str] = field(default=frozenset(ZONES), converter=_names)
    settings: frozenset[str] = field(default=frozenset(("clinic",)), converter=_names,
                                     validator=deep_iterable(in_(SETTINGS)))
    #: default durations of steps in this technique (overrides the vocabulary's)
    durations: Mapping[str, Quantity] = field(factory=dict, converter=_quantities)
    api_version: int = field(default=API_VERSION, validator=[instance_of(int), ge(1)])
    #: figures for a scope (a zone, a setting, a course kind): see :class:`Figure`
    figures: tuple[Figure, ...] = field(default=(), converter=_tuple)
    #: steps a scope adds (see :class:`Procedure`)
    procedures: tuple[Procedure, ...] = field(default=(), converter=_tuple)
    #: required slot -> (who requires it, source), for slots a scope's procedure added (set by
    #: resolution: the eye area's rest, 002:139-140)
    required_by: Mapping[str, tuple[str, str]] = field(factory=dict, converter=_frozen_map)
    #: why it is not used on the zones and settings it leaves out (see :class:`Limit`)
    limits: tuple[Limit, ...] = field(default=(), converter=_tuple)
    #: step names whose time the session's measure leaves out (set by resolution from the
    #: procedures in force, see :mod:`mesosim.resolve`)
    unmeasured: frozenset[str] = field(default=frozenset(), converter=_names)
    #: plugin name and distribution, filled in by the host
    plugin: str = ""
    distribution: str = ""
    version: str = ""

    def __attrs_post_init__(self) -> None:
        missing = [s for s in self.required if s not in self.steps.slots]
        if missing:
            raise ValueError(f"required slots {sorted(missing)} are not in the step graph")
        if self.session_span is not None and not set(self.session_span) <= self.steps.steps():
            raise ValueError(f"session_span {self.session_span} names steps not in the graph")
        if self.active_step not in self.steps.steps():
            raise ValueError(f"active step {self.active_step!r} is not in the step graph")

    def range_for(self, step: str, param: str, zone: str | None, setting: str | None
                  ) -> ParamRange | None:
        """The most specific declared range for ``step.param`` in ``zone``/``setting``."""
        best: ParamRange | None = None
        for pr in self.parameters:
            if pr.step == step and pr.param == param and pr.applies(zone, setting) and (
                best is None or pr.specificity > best.specificity
            ):
                best = pr
        return best

    def with_overrides(self, **changes: Any) -> Technique:
        return evolve(self, **changes)


#: the dimension of each figure
FIGURE_DIMENSIONS: Final = {"interval": "time", "course_length": "count",
                            "session_duration": "time", "session_dose": "volume"}


def labelled_ranges(owner: Technique | Zone, parameters: Mapping[str, str]
                    ) -> list[tuple[str, Range, str | None]]:
    """``(label, range, expected dimension)`` of every range a technique or a zone declares
    (``None``: the parameter is not in the vocabulary)."""
    out: list[tuple[str, Range, str | None]] = []
    for pr in owner.parameters:
        scope = "".join(f" [{x}]" for x in (pr.zone, pr.setting) if x)
        out.append((f"{pr.step}.{pr.param}{scope}", pr.range, parameters.get(pr.param)))
    if isinstance(owner, Technique):
        for name in FIGURES:
            r = getattr(owner, name)
            if r is not None:
                out.append((name, r, FIGURE_DIMENSIONS[name]))
    for fig in owner.figures:
        out.append((f"{fig.name} [{fig.scope}]", fig.range, FIGURE_DIMENSIONS[fig.name]))
    for kind, cares in (("aftercare", owner.aftercare), ("beforecare", owner.beforecare)):
        for c in cares:
            out.append((f"{kind} {c.activity}", c.minimum, "time"))
    return out


def check_dimensions(owner: Technique | Zone, parameters: Mapping[str, str]) -> list[str]:
    """Problems of ``owner``'s ranges: an unknown unit, a unit of the wrong dimension, a
    parameter not in the vocabulary."""
    problems = []
    for label, r, want in labelled_ranges(owner, parameters):
        got = dimension_of(r.unit)
        if want is None:
            problems.append(f"parameter {label} is not in the vocabulary")
        elif got is None:
            problems.append(f"range for {label} is in {r.unit!r}, which is no known unit "
                            "(declare it with Vocabulary.units)")
        elif got != want:
            problems.append(f"range for {label} is in {r.unit!r}, expected a {want}")
    return problems
