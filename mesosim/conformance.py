"""The conformance suite a plugin vendor runs from one test (exposed as :mod:`mesosim.testing`).

::

    from mesosim.testing import assert_conformance

    def test_conformance():
        assert_conformance("my-device")              # the entry-point name, once installed
        # or, before installing: assert_conformance(my_package.my_device)

It loads the plugin the way ``mesosim`` does (the built-ins plus this one plugin, third-party
autoload off) and checks what the host does not check at load time, listing *every* problem:

* the plugin loaded (not refused), and declares at least one technique or rule;
* each step graph is a DAG (networkx) over step names in the vocabulary; every slot is
  reachable from a root; every required step is in the graph and each session state it needs
  (``StepKind.requires``) is provided by a step that must come before it;
* every range (parameters, interval, course length, session duration and dose, aftercare,
  before-care) has min <= max, a unit of the right dimension and a source (``default`` when
  the figure is made up), and every ``default`` range (unless ``require_default_notes=False``)
  also has a note saying why that figure was chosen; every contraindication and care names a
  vocabulary word;
* ``mesosim techniques show NAME`` renders each technique without an error;
* every rule it adds has an explanation, a code of its own (not ``MS``), and is reported by at
  least one sample;
* its sample protocols give exactly their expected findings: ``valid/NAME.yaml`` none at all,
  ``invalid/NAME.yaml`` those of ``invalid/NAME.yaml.expected`` (``CODE KIND LINE`` a line);
  each technique has at least one valid sample.

Samples are found in ``samples_dir``, else in the plugin module's ``MESOSIM_SAMPLES``
attribute, else in a ``samples/`` folder beside the plugin module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mesosim.declarations import API_VERSION, SOURCE_PATTERN, Range

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Technique
    from mesosim.plugin.host import PluginHost


class ConformanceError(AssertionError):
    """Raised by :func:`assert_conformance`; its message lists every problem found."""


def assert_conformance(plugin: str | object, samples_dir: str | None = None, *,
                       name: str | None = None, require_samples: bool = True,
                       require_default_notes: bool = True, require_limits: bool = False) -> None:
    """Fail with every problem found unless ``plugin`` passes the conformance suite.

    :param plugin: the plugin's name (its entry-point name, for an installed plugin) or the
        plugin module/object itself (registered directly, so it need not be installed).
    :param samples_dir: folder of sample protocols (``valid/``, ``invalid/``); default: the
        module's ``MESOSIM_SAMPLES`` or a ``samples/`` folder beside it.
    :param name: the plugin name to register a module under (default: its ``NAME`` attribute,
        else its module name).
    :param require_samples: set ``False`` only for a plugin that declares no technique.
    :param require_limits: require a :class:`~mesosim.declarations.Limit` (a source, or
        ``default`` with a note) for every vocabulary zone and setting a technique leaves out
        (mesosim's built-ins do).
    :param require_default_notes: require a ``note`` on every range whose source is
        ``default``: a figure no source gives must say why it was chosen (on by default).
    """
    problems = check_conformance(plugin, samples_dir, name=name, require_samples=require_samples,
                                 require_default_notes=require_default_notes,
                                 require_limits=require_limits)
    if problems:
        label = plugin if isinstance(plugin, str) else name or _default_name(plugin)
        raise ConformanceError(f"plugin '{label}' fails the mesosim conformance suite "
                               f"({len(problems)} problem{'s' * (len(problems) != 1)}):\n"
                               + "\n".join(f"  - {p}" for p in problems))


def check_conformance(plugin: str | object, samples_dir: str | None = None, *,
                      name: str | None = None, require_samples: bool = True,
                      require_default_notes: bool = True, require_limits: bool = False
                      ) -> list[str]:
    """Every conformance problem of ``plugin`` (see :func:`assert_conformance`); ``[]`` if none."""
    host, pname = _host_for(plugin, name)
    reg = host.catalog
    info = next((p for p in reg.plugins if p.name == pname), None)
    if info is None:
        return [f"no plugin named '{pname}' is installed (see 'mesosim techniques')"]
    if info.status != "loaded":
        return [f"the plugin was {info.status} at load: {info.reason}"]
    techniques = [t for t in reg.techniques.values() if t.plugin == pname]
    own_rules = sorted(code for code, r in reg.rules.items() if r.origin == pname)
    problems: list[str] = []
    if not techniques and not own_rules:
        problems.append("the plugin declares no technique and no rule")
    for tech in techniques:
        problems += graph_problems(tech, reg)
        problems += range_problems(tech, reg, require_default_notes=require_default_notes)
        problems += claim_problems(tech, reg, pname)
        if require_limits:
            problems += limit_problems(tech, reg)
        problems += show_problems(tech, reg)
    problems += rule_problems(own_rules, reg)
    folder = samples_dir or _samples_of(host.pm.get_plugin(pname))
    if folder is None or not os.path.isdir(folder):
        if require_samples and techniques:
            where = folder or "a 'samples/' folder beside the plugin module"
            problems.append(f"no sample protocols: {where} does not exist (give samples_dir=)")
    else:
        problems += sample_problems(folder, host, [t.name for t in techniques], own_rules)
    return problems


# --- loading -------------------------------------------------------------------------------


def _default_name(plugin: object) -> str:
    return str(getattr(plugin, "NAME", None) or getattr(plugin, "__name__", None)
               or type(plugin).__name__)


def _host_for(plugin: str | object, name: str | None) -> tuple[PluginHost, str]:
    """The host with the built-ins and ``plugin`` (by name, or registered directly)."""
    from mesosim.plugin.host import load_host

    if isinstance(plugin, str):
        return load_host(autoload=False, only=(plugin,)), plugin
    base = load_host(autoload=False)
    if base.pm.is_registered(plugin):  # a built-in passed as its module
        return base, base.pm.get_name(plugin) or _default_name(plugin)
    pname = name or _default_name(plugin)
    return load_host(autoload=False, extra_plugins=((pname, plugin),)), pname


def _samples_of(plugin: object) -> str | None:
    if plugin is None:
        return None
    declared = getattr(plugin, "MESOSIM_SAMPLES", None)
    if declared:
        return str(declared)
    module = plugin if isinstance(plugin, ModuleType) else None
    path = getattr(module, "__file__", None)
    return os.path.join(os.path.dirname(os.path.abspath(path)), "samples") if path else None


# --- declarations ---------------------------------------------------------------------------


def graph_problems(tech: Technique, reg: Catalog) -> list[str]:
    """DAG over known steps; every slot reachable from a root; required steps reachable."""
    import networkx as nx

    t = tech.name
    g = tech.steps.networkx()
    problems = []
    if not nx.is_directed_acyclic_graph(g):
        cycle = " -> ".join(str(a) for a, _b in nx.find_cycle(g))
        problems.append(f"{t}: the step graph has a cycle ({cycle})")
    unknown = sorted({step for step in tech.steps.slots.values() if step not in reg.steps})
    if unknown:
        problems.append(f"{t}: the step graph names steps not in the vocabulary: "
                        f"{', '.join(unknown)}")
    roots = [n for n in g if g.in_degree(n) == 0]
    reached = set(roots).union(*(nx.descendants(g, r) for r in roots))
    stranded = sorted(set(g) - reached)
    if stranded:
        problems.append(f"{t}: slots not reachable from any first step: {', '.join(stranded)}")
    for slot in sorted(tech.required):
        if slot not in g:
            problems.append(f"{t}: required step '{slot}' is not in the step graph")
            continue
        if slot in stranded:
            problems.append(f"{t}: required step '{slot}' cannot be reached")
            continue
        kind = reg.steps.get(tech.steps.slots[slot])
        if kind is None:
            continue
        before = {tech.steps.slots[a] for a in nx.ancestors(g, slot)}
        provided = set().union(*(reg.steps[s].provides for s in before if s in reg.steps))
        for state in sorted(kind.requires - provided):
            problems.append(f"{t}: required step '{slot}' needs '{state}', which no step that "
                            "must come before it provides")
    if tech.api_version > API_VERSION:
        problems.append(f"{t}: built for plugin API {tech.api_version}, this mesosim provides "
                        f"API {API_VERSION}")
    return problems


def _ranges(tech: Technique, reg: Catalog) -> Iterable[tuple[str, Range, str | None]]:
    """(label, range, expected dimension) for every range ``tech`` declares."""
    for pr in tech.parameters:
        scope = "".join(f" [{x}]" for x in (pr.zone, pr.setting) if x)
        yield f"{pr.step}.{pr.param}{scope}", pr.range, reg.parameters.get(pr.param)
    for label, r, dim in (("interval", tech.interval, "time"),
                          ("course_length", tech.course_length, "count"),
                          ("session_duration", tech.session_duration, "time"),
                          ("session_dose", tech.session_dose, "volume")):
        if r is not None:
            yield label, r, dim
    for kind, cares in (("aftercare", tech.aftercare), ("beforecare", tech.beforecare)):
        for c in cares:
            yield f"{kind} {c.activity}", c.minimum, "time"


def range_problems(tech: Technique, reg: Catalog, *, require_default_notes: bool = True
                   ) -> list[str]:
    """min <= max, unit of the right dimension, a source (and, if asked, a note on every
    ``default``); known conditions and activities."""
    from mesosim.units import dimension_of

    t = tech.name
    problems = []
    for label, r, want in _ranges(tech, reg):
        if r.min is None and r.max is None:
            problems.append(f"{t}: range {label} has no bound")
        if r.min is not None and r.max is not None and r.min > r.max:
            problems.append(f"{t}: range {label} has min {r.min} > max {r.max}")
        got = dimension_of(r.unit)
        if want is None:
            problems.append(f"{t}: range {label}: the parameter is not in the vocabulary")
        elif got != want:
            problems.append(f"{t}: range {label} is in {r.unit!r} ({got}), expected a {want}")
        if not _is_source(r.source):
            problems.append(f"{t}: range {label} has no valid source ({r.source!r}); cite "
                            "'file:line' or write 'default' for a figure of your own")
        elif require_default_notes and r.source == "default" and not r.note.strip():
            problems.append(f"{t}: range {label} is a 'default' without a note; say why this "
                            "figure was chosen (between(..., 'default', note=...))")
    for c in tech.contraindications:
        if c.condition not in reg.conditions:
            problems.append(f"{t}: contraindication '{c.condition}' is not a vocabulary "
                            "condition, so no protocol can trigger it")
        if not _is_source(c.source):
            problems.append(f"{t}: contraindication '{c.condition}' has no valid source")
    for care in (*tech.aftercare, *tech.beforecare):
        if care.activity not in reg.activities:
            problems.append(f"{t}: care activity '{care.activity}' is not in the vocabulary")
    return problems


def claim_problems(tech: Technique, reg: Catalog, plugin: str) -> list[str]:
    """Every line the technique cites of a source its own plugin registered has a claim, so
    that a student can read what it says (``mesosim sources REF``)."""
    from mesosim.declarations import citations, labelled_ranges
    from mesosim.describe import claims_of

    own = {src.id for src in reg.sources.values() if src.id not in ("000", "002")}
    texts = [r.source for _l, r, _d in labelled_ranges(tech, reg.parameters)]
    texts += [c.source for c in tech.contraindications] + [lim.source for lim in tech.limits]
    problems = []
    for text in texts:
        for sid, lines in citations(text or "default"):
            if sid in own and not claims_of(reg, f"{sid}:{lines}"):
                problems.append(f"{tech.name}: cites {sid}:{lines}, which has no claim (add one "
                                f"line of your own words to Source('{sid}', claims=...))")
    return sorted(set(problems))


def limit_problems(tech: Technique, reg: Catalog) -> list[str]:
    """A zone or a setting the technique leaves out says why (a Limit)."""
    from mesosim.declarations import SETTINGS

    problems = []
    for zone in sorted(set(reg.zones) - tech.zones):
        if not any(lim.zone == zone for lim in tech.limits):
            problems.append(f"{tech.name}: leaves out zone '{zone}' without saying why (add "
                            "Limit(zone=..., source=..., note=...))")
    for setting in sorted(set(SETTINGS) - tech.settings):
        if not any(lim.setting == setting for lim in tech.limits):
            problems.append(f"{tech.name}: leaves out setting '{setting}' without saying why "
                            "(add Limit(setting=..., source=..., note=...))")
    return problems


def show_problems(tech: Technique, reg: Catalog) -> list[str]:
    """``mesosim techniques show NAME`` renders the technique without an error."""
    from mesosim.describe import show_technique

    try:
        show_technique(reg, tech)
    except Exception as exc:  # noqa: BLE001 - any failure is the problem to report
        return [f"{tech.name}: 'mesosim techniques show {tech.name}' fails: "
                f"{type(exc).__name__}: {exc}"]
    return []


def _is_source(source: Any) -> bool:
    return isinstance(source, str) and re.match(SOURCE_PATTERN, source) is not None


def rule_problems(codes: list[str], reg: Catalog) -> list[str]:
    """Each added rule has a code of its own and an explanation ``mesosim explain`` prints."""
    from mesosim.describe import explain_rule

    problems = []
    for code in codes:
        rule = reg.rules[code]
        if code.startswith("MS"):
            problems.append(f"rule {code}: the MS prefix is mesosim's own; use a prefix of yours")
        if not rule.summary.strip() or not rule.explanation.strip():
            problems.append(f"rule {code} has no summary or explanation text")
        elif not explain_rule(reg, code):
            problems.append(f"rule {code}: 'mesosim explain {code}' prints nothing")
    return problems


# --- samples --------------------------------------------------------------------------------


def sample_problems(folder: str, host: PluginHost, techniques: list[str], own_rules: list[str]
                    ) -> list[str]:
    """Each sample gives exactly its expected findings; layout and coverage are complete."""
    from mesosim.gallery import actual, expected_path, gallery_files, read_expected
    from mesosim.runner import check_file

    reg = host.catalog

    problems = []
    files = sorted(gallery_files(folder))
    if not files:
        return [f"no sample protocols in {folder}"]
    valid_for: set[str] = set()
    reported: set[str] = set()
    for path in files:
        rel = os.path.relpath(path, folder)
        parts = rel.split(os.sep)
        has_expected = os.path.exists(expected_path(path))
        if "valid" in parts and has_expected:
            problems.append(f"{rel}: a valid sample must not have an .expected file")
        if "invalid" in parts and not has_expected:
            problems.append(f"{rel}: an invalid sample needs {os.path.basename(path)}.expected")
        try:
            expected = read_expected(path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        result = check_file(path, host)
        got = actual(result)
        reported |= {code for code, _kind, _line in got}
        if got != expected:
            missing = [e for e in expected if e not in got]
            extra = [f"{f.rule} {f.kind} {f.line} ({f.message})" for f in result.findings
                     if (f.rule, f.kind, f.line) not in expected]
            problems.append(f"{rel}: findings differ from the expected ones; expected but not "
                            f"found: {missing or 'none'}; found but not expected: "
                            f"{extra or 'none'}")
        unknown = sorted({f.rule for f in result.findings if f.rule not in reg.rules})
        if unknown:
            problems.append(f"{rel}: reports codes no rule declares: {', '.join(unknown)} "
                            "(declare them with mesosim_rules)")
        if "valid" in parts and not got:
            valid_for.add(_technique_of(path))
    for t in techniques:
        if t not in valid_for:
            problems.append(f"{t}: no valid sample (a valid/ protocol of this technique that "
                            "gives no finding)")
    for code in own_rules:
        if code not in reported:
            problems.append(f"rule {code} is reported by no sample: add an invalid sample that "
                            "shows it")
    return problems


def _technique_of(path: str) -> str:
    from mesosim.loader import load_file

    data = load_file(path).data
    return str(data.get("technique", "")) if isinstance(data, dict) else ""
