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

from attrs import evolve, field, frozen
from attrs.validators import deep_iterable, ge, in_, instance_of, matches_re, optional

from mesosim.units import UNITS, Quantity, dimension_of, fmt_number, parse_quantity

if TYPE_CHECKING:
    import networkx as nx

#: The plugin API this mesosim implements. A technique declaring a newer one is refused.
API_VERSION: Final = 1
#: ``002:11``, ``002:175-181``, ``000:98``, ``default``, or ``<config file>:<line>``.
SOURCE_PATTERN: Final = r"^(default|\d{3}:\d+(-\d+)?(, ?\d{3}:\d+(-\d+)?)*|.+\.toml:\d+)$"
NAME_PATTERN: Final = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SETTINGS: Final = ("clinic", "home")
ZONES: Final = ("face", "periorbital", "neck", "decollete", "scalp", "body", "hands")


def _tuple(v: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(v)


def _names(v: Iterable[str]) -> frozenset[str]:
    return frozenset(v)


def _known_unit(_inst: object, _attr: object, value: str) -> None:
    if value not in UNITS:
        raise ValueError(f"unknown unit {value!r}")


@frozen
class Range:
    """An allowed interval ``[min, max]`` in ``unit``, with where the figures come from.

    Either bound may be ``None`` (open). ``note`` records what the sources say otherwise, shown
    by ``mesosim explain`` and ``mesosim techniques show``.
    """

    min: float | None
    max: float | None
    unit: str = field(validator=_known_unit)
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
        v = q.to(self.unit)
        eps = 1e-9 * max(1.0, abs(v))
        if self.min is not None and v < self.min - eps:
            return False
        return not (self.max is not None and v > self.max + eps)

    def __str__(self) -> str:
        u = f" {self.unit}" if self.unit else ""
        if self.min is None:
            return f"at most {fmt_number(self.max or 0)}{u}"
        if self.max is None:
            return f"at least {fmt_number(self.min)}{u}"
        if self.min == self.max:
            return f"{fmt_number(self.min)}{u}"
        return f"{fmt_number(self.min)}-{fmt_number(self.max)}{u}"


def between(lo: float | None, hi: float | None, unit: str, source: str, note: str = "") -> Range:
    """Shorthand used by plugins: ``between(1.5, 2, "mm", "002:11")``."""
    return Range(lo, hi, unit, source, note)


@frozen
class ParamRange:
    """The range of one step parameter, for a zone and/or setting (``None`` = any)."""

    step: str = field(validator=matches_re(NAME_PATTERN))
    param: str = field(validator=matches_re(r"^[a-z][a-z0-9_]*$"))
    range: Range = field(validator=instance_of(Range))
    zone: str | None = field(default=None, validator=optional(in_(ZONES)))
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
    """A patient condition that rules the technique out (``error``) or calls for caution."""

    condition: str = field(validator=matches_re(NAME_PATTERN))
    source: str = field(validator=matches_re(SOURCE_PATTERN))
    severity: str = field(default="error", validator=in_(("error", "warning")))
    note: str = ""


@frozen
class Care:
    """A restriction around each session: ``activity`` avoided for at least ``minimum``.

    Used for aftercare (after each session) and before-care (before each session).
    """

    activity: str = field(validator=matches_re(NAME_PATTERN))
    minimum: Range = field(validator=instance_of(Range))


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
class Vocabulary:
    """Names a plugin adds to the shared vocabulary. Merged across plugins by the host."""

    steps: tuple[StepKind, ...] = field(default=(), converter=_tuple)
    #: parameter name -> dimension (``depth`` -> ``length``)
    parameters: Mapping[str, str] = field(factory=dict)
    conditions: frozenset[str] = field(default=frozenset(), converter=_names)
    activities: frozenset[str] = field(default=frozenset(), converter=_names)
    #: general contraindications, applying to every technique
    contraindications: tuple[Contraindication, ...] = field(default=(), converter=_tuple)
    #: parameter name -> the kind of finding a value out of range is (``depth``, ``dose``,
    #: ``duration``); a parameter not listed is a ``device-setting``
    parameter_kinds: Mapping[str, str] = field(factory=dict)


SlotSpec = str | tuple[str, str]


@frozen
class StepGraph:
    """A DAG over step slots. ``slots`` maps slot id -> step name; edges mean "before"."""

    slots: Mapping[str, str]
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
    return {k: _time(q) for k, q in v.items()}  # type: ignore[misc]


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
    interval: Range
    course_length: Range
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
    zones: frozenset[str] = field(default=frozenset(ZONES), converter=_names,
                                  validator=deep_iterable(in_(ZONES)))
    settings: frozenset[str] = field(default=frozenset(("clinic",)), converter=_names,
                                     validator=deep_iterable(in_(SETTINGS)))
    #: default durations of steps in this technique (overrides the vocabulary's)
    durations: Mapping[str, Quantity] = field(factory=dict, converter=_quantities)
    api_version: int = field(default=API_VERSION, validator=[instance_of(int), ge(1)])
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
        for name, r, dim in (("interval", self.interval, "time"),
                             ("course_length", self.course_length, "count"),
                             ("session_duration", self.session_duration, "time"),
                             ("session_dose", self.session_dose, "volume")):
            if r is not None and r.dimension != dim:
                raise ValueError(f"{name} must be a {dim} range, got unit {r.unit!r}")
        for c in (*self.aftercare, *self.beforecare):
            if c.minimum.dimension != "time":
                raise ValueError(f"care '{c.activity}' must be a time, got {c.minimum.unit!r}")

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


def check_dimensions(tech: Technique, parameters: Mapping[str, str]) -> list[str]:
    """Problems with ``tech``'s parameter ranges against the vocabulary's dimensions."""
    problems = []
    for pr in tech.parameters:
        want = parameters.get(pr.param)
        if want is None:
            problems.append(f"parameter {pr.step}.{pr.param} is not in the vocabulary")
        elif dimension_of(pr.range.unit) != want:
            problems.append(
                f"range for {pr.step}.{pr.param} is in {pr.range.unit!r}, expected a {want}"
            )
    return problems

