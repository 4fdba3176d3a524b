"""The plugin host: owns the pluggy ``PluginManager``, loads and validates the plugins, produces
the :class:`~mesosim.catalog.Catalog`, and runs the check hooks (layer 4).

The manager is built in :func:`load_host`, never at import. Order (cf. pytest):
``add_hookspecs`` -> blocked names -> the core vocabulary -> ``mesosim`` entry points (the
built-in techniques are entry points of the ``mesosim`` distribution itself; third-party ones
are skipped when ``MESOSIM_DISABLE_PLUGIN_AUTOLOAD`` is set, unless named with ``-p``) ->
``check_pending`` -> each plugin's declarations validated.

Every hook is called through the manager (``pm.hook.<name>(...)``), so pluggy's semantics hold:
``MESOSIM_TRACE_PLUGINS=1`` prints every hook call to stderr, ``wrapper=True`` implementations
wrap the call, ``tryfirst``/``trylast`` order it. Faults stay per plugin: each plain
implementation is guarded where pluggy calls it, so one that raises (or calls ``sys.exit``)
is recorded against its plugin and the call goes on with the others. A plugin whose
declarations fail is refused whole (MS902); one that fails while checking a file is a
``plugin-error`` finding (MS901) in that file. Neither is ever a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from attr import evolve, field, frozen

from mesosim.catalog import Catalog, PluginInfo
from mesosim.declarations import (
    API_VERSION,
    Care,
    Contraindication,
    Figure,
    Procedure,
    Source,
    StepKind,
    Technique,
    Vocabulary,
    Zone,
    check_dimensions,
    citations,
)
from mesosim.findings import Finding
from mesosim.results import HookFailure
from mesosim.rules import RULES, Rule, validate_rule

if TYPE_CHECKING:
    import pluggy

    from mesosim.overrides import Override
    from mesosim.protocol import Protocol
    from mesosim.trace import Trace

ENTRY_POINT_GROUP: Final = "mesosim"
BUILTIN_DISTRIBUTION: Final = "mesosim"
CORE_PLUGIN: Final = "mesosim-core"
ENV_DISABLE_AUTOLOAD: Final = "MESOSIM_DISABLE_PLUGIN_AUTOLOAD"
ENV_TRACE: Final = "MESOSIM_TRACE_PLUGINS"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


class _Calls:
    """What the guarded implementations of one hook call produced, plugin by plugin."""

    def __init__(self) -> None:
        self.results: list[tuple[str, Any]] = []
        self.failures: list[tuple[str, str]] = []
        self.printed = ""


#: the environment variable that sets the time limit of one hook call, in seconds
ENV_TIMEOUT: Final = "MESOSIM_HOOK_TIMEOUT"
DEFAULT_TIMEOUT: Final = 60.0


class HookTimeout(Exception):
    """A plugin's hook ran past the time limit."""


def _timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_TIMEOUT, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


class _contained:
    """Around one hook call: the standard output captured, a time limit armed (SIGALRM, where
    there is one and on the main thread; elsewhere no limit)."""

    def __init__(self, calls: _Calls, hook: str) -> None:
        self.calls = calls
        self.hook = hook
        self.limit = _timeout()
        self.armed = False

    def __enter__(self) -> None:
        import io
        import signal
        import sys
        import threading

        self.saved_stdout = sys.stdout
        self.buffer = io.StringIO()
        sys.stdout = self.buffer
        if self.limit and hasattr(signal, "setitimer") and \
                threading.current_thread() is threading.main_thread():
            def expire(_signum: int, _frame: object) -> None:
                raise HookTimeout(f"took longer than {self.limit:g} s ({ENV_TIMEOUT})")

            self.saved_handler = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.limit)
            self.armed = True

    def __exit__(self, *exc: object) -> None:
        import signal
        import sys

        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.saved_handler)
        sys.stdout = self.saved_stdout
        self.calls.printed = self.buffer.getvalue()


def _guard(function: Callable[..., Any], plugin: str, calls: list[_Calls]) -> Callable[..., Any]:
    """``function`` as pluggy calls it, with its result or its failure recorded against
    ``plugin``; a failure returns ``None``, which pluggy leaves out of the results."""

    def guarded(*args: Any) -> Any:
        import sys

        before = sys.stdout.tell() if hasattr(sys.stdout, "tell") and calls else 0
        try:
            result = function(*args)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - isolate the plugin, name it
            if calls:
                calls[-1].failures.append((plugin, _describe(exc)))
            return None
        finally:
            if calls and hasattr(sys.stdout, "getvalue") and sys.stdout.tell() > before:
                printed = sys.stdout.getvalue()[before:].strip()
                shown = printed if len(printed) <= 60 else printed[:57] + "..."
                calls[-1].failures.append((plugin, f"wrote to the standard output ({shown!r}); "
                                                   "a plugin reports findings, it does not print"))
        if calls:
            calls[-1].results.append((plugin, result))
        return result

    guarded.__name__ = getattr(function, "__name__", "guarded")
    guarded.__doc__ = getattr(function, "__doc__", None)
    return guarded


@frozen
class PluginHost:
    """The loaded plugins: the manager, the merged :class:`Catalog`, one method per hook.

    Immutable; :meth:`with_catalog` gives a host whose catalog carries a configuration's
    overrides. Core code never calls ``pm.hook`` itself: it goes through these methods.
    """

    #: the manager; ``None`` for a host whose catalog came from the cache (none of its plugins
    #: checks files), until :attr:`pm` is asked for and loads the plugins
    _pm: pluggy.PluginManager | None = field(eq=False, repr=False, alias="pm")
    catalog: Catalog
    _calls: list[_Calls] = field(eq=False, repr=False, factory=list)
    #: ``(autoload, only, blocked)`` of a cached host: how to load its plugins when needed
    _plugins: tuple[bool, tuple[str, ...], tuple[str, ...]] | None = field(
        default=None, eq=False, repr=False, alias="plugins")

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plugin manager (a cached host loads its plugins the first time it is asked)."""
        if self._pm is None:
            autoload, only, blocked = self._plugins or (False, (), ())
            loaded = load_host(autoload=autoload, only=only, blocked=blocked)
            object.__setattr__(self, "_pm", loaded._pm)
            object.__setattr__(self, "_calls", loaded._calls)
        assert self._pm is not None
        return self._pm

    def with_catalog(self, catalog: Catalog) -> PluginHost:
        return evolve(self, catalog=catalog)

    def _call(self, hook: str, **kwargs: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
        """Call ``hook`` through pluggy: ``([(plugin, result)], [(plugin, failure)])``, in
        pluggy's call order (last registered first, ``tryfirst`` before, ``trylast`` after).

        A result a hook wrapper put in is attributed to the wrappers; a wrapper that raises
        fails the call for the wrappers, and the plain implementations' own results stand.
        What a plugin prints is kept out of mesosim's own output (a JSON or SARIF report on
        stdout) and is a failure of the plugin; a plugin that takes longer than the time limit
        (:data:`ENV_TIMEOUT`, :data:`DEFAULT_TIMEOUT` seconds) is stopped there.
        """
        calls = _Calls()
        self._calls.append(calls)
        caller = getattr(self.pm.hook, hook)
        try:
            with _contained(calls, hook):
                outcome = caller(**kwargs)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - only a wrapper gets here
            wrappers = ", ".join(sorted({i.plugin_name for i in caller.get_hookimpls()
                                         if i.wrapper or i.hookwrapper})) or "?"
            return calls.results, [*calls.failures, (wrappers, f"a hook wrapper raised "
                                                                f"{_describe(exc)}")]
        finally:
            self._calls.pop()
        origin = {id(r): p for p, r in calls.results}
        wrappers = ", ".join(sorted({i.plugin_name for i in caller.get_hookimpls()
                                     if i.wrapper or i.hookwrapper}))
        results = [(origin.get(id(r), wrappers or "?"), r) for r in outcome or ()]
        return results, calls.failures

    # --- registration hooks (once, in load_host) -------------------------------------------
    def call_vocabulary(self) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
        return self._call("mesosim_vocabulary")

    def call_techniques(self) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
        return self._call("mesosim_techniques")

    def call_rules(self) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
        return self._call("mesosim_rules")

    # --- checks (once per protocol) ---------------------------------------------------------
    def run_checks(self, protocol: Protocol, technique: Technique, trace: Trace
                   ) -> tuple[list[Finding], list[HookFailure]]:
        """Every plugin's ``mesosim_check``. A plugin may report only findings of the codes
        it declared, in this file, on one of its lines; anything else is refused and becomes
        a failure naming the plugin (MS901), while its valid findings stand."""
        if self._pm is None:  # from the cache: no plugin checks files (mesosim/plugin/cache.py)
            return [], []
        if not self.pm.hook.mesosim_check.get_hookimpls():
            return [], []
        results, failed = self._call("mesosim_check", protocol=protocol, technique=technique,
                                     trace=trace)
        hook = "mesosim_check"
        failures = [HookFailure(p, hook, why) for p, why in failed]
        found: list[Finding] = []
        last_line = protocol.doc.line_count
        for plugin, result in results:
            if not isinstance(result, list | tuple):
                failures.append(HookFailure(plugin, hook, f"returned {type(result).__name__}, "
                                                         "expected a list of findings"))
                continue
            for f in result:
                problem = self._finding_problem(plugin, f, protocol.path, last_line)
                if problem:
                    failures.append(HookFailure(plugin, hook, problem))
                else:
                    found.append(f)
        return found, failures

    def _finding_problem(self, plugin: str, f: object, path: str, last_line: int) -> str | None:
        if not isinstance(f, Finding):
            return f"returned {type(f).__name__}, expected Finding"
        rule = self.catalog.rules.get(f.rule)
        if rule is None or rule.origin != plugin:
            owner = "a core rule" if rule is not None and rule.origin == "core" else (
                f"a rule of plugin '{rule.origin}'" if rule is not None else "undeclared")
            return (f"reported {f.rule}, which it did not declare ({owner}); a plugin reports "
                    "only the codes it declares with mesosim_rules")
        if f.path != path:
            return f"reported {f.rule} on another file ({f.path!r}), not the one checked"
        if not 1 <= f.line <= last_line or f.column < 0:
            return (f"reported {f.rule} at line {f.line}, column {f.column}, outside the file "
                    f"(lines 1-{last_line})")
        return None


def _entry_points() -> Iterable[Any]:
    from mesosim.plugin.entrypoints import entry_points

    return entry_points(ENTRY_POINT_GROUP)


def load_host(
    *,
    autoload: bool | None = None,
    only: Sequence[str] = (),
    blocked: Sequence[str] = (),
    extra_plugins: Sequence[tuple[str, object]] = (),
    cache: bool = False,
) -> PluginHost:
    """Load every plugin and merge their declarations into the host's catalog.

    :param autoload: load third-party entry points; ``None`` reads
        ``MESOSIM_DISABLE_PLUGIN_AUTOLOAD`` (set = no autoload). Built-ins always load.
    :param only: third-party plugin names to load even when autoload is off (``-p NAME``).
    :param blocked: plugin names never to load (``--no-plugin NAME``).
    :param extra_plugins: ``(name, module_or_object)`` registered directly (tests, embedding).
    :param cache: read the merged catalog from the cache, and keep it there, when nothing it
        depends on has changed (:mod:`mesosim.plugin.cache`; the command line does).
    """
    if autoload is None:
        autoload = not os.environ.get(ENV_DISABLE_AUTOLOAD)
    points = sorted(_entry_points(), key=lambda e: e.name)
    key = None
    if cache and not extra_plugins and not os.environ.get(ENV_TRACE):
        from mesosim.plugin import cache as catalog_cache

        key = catalog_cache.fingerprint(points, autoload=autoload, only=only, blocked=blocked)
        cached = catalog_cache.load(key) if key is not None else None
        if cached is not None:
            return PluginHost(None, cached, [], (autoload, tuple(only), tuple(blocked)))
    import pluggy

    from mesosim.plugin import hookspecs

    pm = pluggy.PluginManager("mesosim")
    pm.add_hookspecs(hookspecs)
    if os.environ.get(ENV_TRACE):
        import sys

        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    for name in blocked:
        pm.set_blocked(name)

    from mesosim.plugin import core

    pm.register(core, name=CORE_PLUGIN)
    infos: dict[str, PluginInfo] = {}
    refused: dict[str, str] = {}

    def refuse(name: str, reason: str) -> None:
        refused.setdefault(name, reason)

    for ep in points:
        dist = getattr(ep, "dist", None)
        dist_name = dist.name if dist is not None else "?"
        version = dist.version if dist is not None else "?"
        builtin = dist_name == BUILTIN_DISTRIBUTION
        info = PluginInfo(ep.name, dist_name, version, builtin, "loaded")
        if ep.name in blocked:
            infos[ep.name] = evolve(info, status="blocked", reason="blocked by --no-plugin")
            continue
        if not builtin and not autoload and ep.name not in only:
            infos[ep.name] = evolve(info, status="not-autoloaded",
                                    reason=f"{ENV_DISABLE_AUTOLOAD} is set; load it with -p "
                                    f"{ep.name}")
            continue
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        infos[ep.name] = info
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken plugin must not take the rest down
            refuse(ep.name, f"could not be loaded: {_describe(exc)}")
    for name, obj in extra_plugins:
        if name in blocked:
            continue
        infos[name] = PluginInfo(name, "(registered directly)", "", False, "loaded")
        try:
            pm.register(obj, name=name)
        except Exception as exc:  # noqa: BLE001
            refuse(name, f"could not be registered: {_describe(exc)}")
    for name in only:
        if name not in infos:
            infos[name] = PluginInfo(name, "?", "?", False, "refused",
                                     reason="no installed plugin has this name (-p)")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        bad = getattr(exc, "plugin", None)
        refuse(pm.get_name(bad) or "?" if bad else "?", f"implements an unknown hook: {exc}")
        if bad is not None:
            pm.unregister(bad)

    # Fault isolation inside pluggy's own call: each plain implementation is replaced, where
    # pluggy keeps it, by a guarded one (same arguments: pluggy read them at registration), so
    # the call still goes through the manager (tracing, wrappers, tryfirst/trylast) and one
    # plugin's exception no longer ends it for the others. pluggy offers no hook for this;
    # tests/test_host.py pins the behaviour (tracing, a wrapper, tryfirst, a raising plugin).
    calls: list[_Calls] = []
    for caller in pm.hook.__dict__.values():
        if isinstance(caller, pluggy.HookCaller):
            for impl in caller.get_hookimpls():
                if not (impl.wrapper or impl.hookwrapper):
                    setattr(impl, "function", _guard(impl.function, impl.plugin_name, calls))  # noqa: B010
    empty = Catalog({}, {}, {}, frozenset(), frozenset(), (), dict(RULES))
    host = PluginHost(pm, empty, calls)
    catalog = _merge(host, infos, refuse, refused)
    if (key is not None and not pm.hook.mesosim_check.get_hookimpls()
            and all(p.status != "refused" for p in catalog.plugins)
            and all(getattr(p, "MESOSIM_CACHEABLE", True) is not False
                    for p in pm.get_plugins())):
        catalog_cache.store(key, catalog)
    return host.with_catalog(catalog)


def _merge(host: PluginHost, infos: dict[str, PluginInfo], refuse: Callable[[str, str], None],
           refused: dict[str, str]) -> Catalog:
    """Call the declaration hooks and merge what they return, refusing what is invalid."""
    pm = host.pm
    # Vocabulary first: techniques are validated against it.
    from mesosim import units

    steps: dict[str, StepKind] = {}
    parameters: dict[str, str] = {}
    parameter_kinds: dict[str, str] = {}
    conditions: set[str] = set()
    activities: set[str] = set()
    involves: dict[str, set[str]] = {}
    general: list[Any] = []
    zones: dict[str, Zone] = {}
    zone_owner: dict[str, str] = {}
    sources: dict[str, Source] = {}
    vocabularies, failed = host.call_vocabulary()
    for name, why in failed:
        refuse(name, f"mesosim_vocabulary raised {why}")
    for name, vocab in vocabularies:
        if not isinstance(vocab, Vocabulary):
            refuse(name, f"mesosim_vocabulary returned {type(vocab).__name__}, expected "
                   "Vocabulary")
            continue
        try:  # dimensions and units first: the ranges below are read in them
            for d in vocab.dimensions:
                units.register_dimension(d.name, d.canonical, d.example, d.negative)
            for u in vocab.units:
                units.register_unit(u.spelling, u.dimension, u.factor, u.offset)
        except ValueError as exc:
            refuse(name, f"mesosim_vocabulary: {exc}")
            continue
        for p, dim in vocab.parameters.items():
            if dim not in units.CANONICAL:
                refuse(name, f"parameter '{p}' is of an unknown dimension '{dim}' (known: "
                       f"{', '.join(units.DIMENSIONS)}; declare it with Vocabulary.dimensions)")
        for src in vocab.sources:
            if src.id in sources and sources[src.id] != src:
                refuse(name, f"source '{src.id}' is already declared by another plugin")
            sources.setdefault(src.id, src)
        for s in vocab.steps:
            steps.setdefault(s.name, s)
        for p, dim in vocab.parameters.items():
            parameters.setdefault(p, dim)
        for p, kind in vocab.parameter_kinds.items():
            parameter_kinds.setdefault(p, kind)
        conditions |= vocab.conditions
        for a in vocab.activities:
            activities.add(a.name)
            involves.setdefault(a.name, set()).update(a.involves)
        general.extend(vocab.contraindications)
        for z in vocab.zones:
            if z.name not in zones:
                zones[z.name] = z
                zone_owner[z.name] = name
    for zname, zone in list(zones.items()):
        problem = _zone_problem(zone, parameters, sources, steps)
        if problem:
            refuse(zone_owner[zname], problem)
            del zones[zname]
    for name, problem in _general_problems(vocabularies, sources):
        refuse(name, problem)

    techniques: dict[str, Technique] = {}
    owner: dict[str, list[str]] = {}
    declared_techniques, failed = host.call_techniques()
    for name, why in failed:
        refuse(name, f"mesosim_techniques raised {why}")
    for name, declared in declared_techniques:
        if not _is_list(name, "mesosim_techniques", declared, refuse):
            continue
        for tech in declared or ():
            problem = _technique_problem(tech, steps, parameters, techniques, zones, sources)
            if problem:
                refuse(name, problem)
                continue
            found = infos.get(name)
            techniques[tech.name] = evolve(
                tech, plugin=name, distribution=found.distribution if found else "",
                version=found.version if found else "",
            )
            owner.setdefault(name, []).append(tech.name)

    rules: dict[str, Rule] = dict(RULES)
    declared_rules, failed = host.call_rules()
    for name, why in failed:
        refuse(name, f"mesosim_rules raised {why}")
    for name, declared in declared_rules:
        if not _is_list(name, "mesosim_rules", declared, refuse):
            continue
        for rule in declared or ():
            try:
                validate_rule(rule)
            except ValueError as exc:
                refuse(name, f"invalid rule: {exc}")
                continue
            if rule.code in rules:
                refuse(name, f"rule code {rule.code} is already taken")
                continue
            rules[rule.code] = evolve(rule, origin=name)

    for name, reason in refused.items():
        # A refused plugin is taken out whole, so that half of it never judges a file.
        for tname in owner.pop(name, []):
            techniques.pop(tname, None)
        for code in [c for c, r in rules.items() if r.origin == name]:
            del rules[code]
        plugin = pm.get_plugin(name)
        if plugin is not None:
            pm.unregister(plugin)
        old = infos.get(name) or PluginInfo(name, "?", "?", False, "refused")
        infos[name] = evolve(old, status="refused", reason=reason)
    for name, tnames in owner.items():
        plugin = pm.get_plugin(name)
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ())) if plugin else ()
        if name in infos:
            infos[name] = evolve(infos[name], techniques=tuple(tnames), hooks=hooks)
    return Catalog(techniques, steps, parameters, frozenset(conditions), frozenset(activities),
                   tuple(general), rules, tuple(sorted(infos.values(), key=lambda p: p.name)),
                   parameter_kinds, zones,
                   {a: frozenset(i - {a}) for a, i in involves.items() if i - {a}}, sources)


def _is_list(name: str, hook: str, value: object, refuse: Callable[[str, str], None]) -> bool:
    """A list hook's result must be a list or tuple (or nothing): a str or an int is refused."""
    if value is None or isinstance(value, list | tuple):
        return True
    refuse(name, f"{hook} returned {type(value).__name__}, expected a list")
    return False


def unknown_citations(texts: Iterable[str | None], sources: dict[str, Source]) -> list[str]:
    """The citations among ``texts`` whose source is not registered (``002:11`` needs ``002``)."""
    bad = []
    for text in texts:
        for sid, lines in citations(text or "default"):
            if sid not in sources:
                bad.append(f"{sid}:{lines}")
    return sorted(set(bad))


def _cited(owner: Technique | Zone, parameters: dict[str, str]) -> list[str | None]:
    from mesosim.declarations import labelled_ranges

    texts: list[str | None] = [r.source for _l, r, _d in labelled_ranges(owner, parameters)]
    texts += [c.source for c in owner.contraindications]
    texts += [p.source for p in owner.procedures]
    if isinstance(owner, Technique):
        texts.append(owner.allergy_test)
    else:
        texts.append(owner.source)
    return texts


def _cited_and_added(owner: Technique | Zone, parameters: dict[str, str],
                     sources: dict[str, Source], steps: dict[str, StepKind]) -> list[str]:
    """What a technique and a zone may both get wrong: citing a source no plugin declared, and
    a procedure naming a step outside the vocabulary."""
    problems = []
    bad = unknown_citations(_cited(owner, parameters), sources)
    if bad:
        problems.append(f"cites unknown sources: {', '.join(bad)} (declare them with "
                        "Vocabulary.sources)")
    for proc in owner.procedures:
        for item in proc.after_active:
            step = item if isinstance(item, str) else item[1]
            if step not in steps:
                problems.append(f"a procedure names a step not in the vocabulary: {step}")
    return problems


def _zone_problem(zone: Zone, parameters: dict[str, str], sources: dict[str, Source],
                  steps: dict[str, StepKind]) -> str | None:
    problems = check_dimensions(zone, parameters)
    problems += _cited_and_added(zone, parameters, sources, steps)
    if problems:
        return f"zone '{zone.name}': " + "; ".join(problems)
    return None


def _general_problems(vocabularies: list[tuple[str, Any]], sources: dict[str, Source]
                      ) -> list[tuple[str, str]]:
    out = []
    for name, vocab in vocabularies:
        if not isinstance(vocab, Vocabulary):
            continue
        bad = unknown_citations([c.source for c in vocab.contraindications]
                                + [a.source for a in vocab.activities], sources)
        if bad:
            out.append((name, f"mesosim_vocabulary cites unknown sources: {', '.join(bad)}"))
    return out


def _technique_problem(tech: object, steps: dict[str, StepKind], parameters: dict[str, str],
                       seen: dict[str, Technique], zones: dict[str, Zone],
                       sources: dict[str, Source]) -> str | None:
    """Why ``tech`` cannot be loaded, or ``None``."""
    if not isinstance(tech, Technique):
        return f"mesosim_techniques returned {type(tech).__name__}, expected Technique"
    if tech.api_version > API_VERSION:
        return (f"technique '{tech.name}' is built for plugin API {tech.api_version}, but this "
                f"mesosim provides API {API_VERSION}: upgrade mesosim")
    if tech.name in seen:
        return f"technique '{tech.name}' is already declared by plugin '{seen[tech.name].plugin}'"
    unknown = sorted(s for s in tech.steps.steps() if s not in steps)
    if unknown:
        return f"technique '{tech.name}' uses steps not in the vocabulary: {', '.join(unknown)}"
    problems = check_dimensions(tech, parameters)
    unknown_zones = sorted(tech.zones - set(zones))
    scoped: list[Contraindication | Care | Figure | Procedure] = [
        *tech.contraindications, *tech.aftercare, *tech.beforecare, *tech.figures,
        *tech.procedures]
    unknown_zones += sorted({x.scope.zone for x in scoped
                             if x.scope.zone is not None and x.scope.zone not in zones})
    unknown_zones += sorted({pr.zone for pr in tech.parameters
                             if pr.zone is not None and pr.zone not in zones})
    if unknown_zones:
        problems.append(f"names zones not in the vocabulary: {', '.join(sorted(set(unknown_zones)))}")
    problems += _cited_and_added(tech, parameters, sources, steps)
    for pr in tech.parameters:
        if pr.step not in tech.steps.steps():
            problems.append(f"range for {pr.step}.{pr.param}: step not in the graph")
        elif pr.param not in steps[pr.step].params:
            problems.append(f"range for {pr.step}.{pr.param}: the step takes no '{pr.param}'")
    if problems:
        return f"technique '{tech.name}': " + "; ".join(problems)
    return None


class HostRecipe(NamedTuple):
    """How to build a host again (in a worker process): which plugins, which overrides.
    Small and picklable, unlike the host, whose manager holds live modules."""

    blocked: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    autoload: bool | None = None
    overrides: tuple[Override, ...] = ()
    #: use the catalog cache (the command line's hosts do)
    cache: bool = False

    def build(self) -> PluginHost:
        host = load_host(blocked=self.blocked, only=self.only, autoload=self.autoload,
                         cache=self.cache)
        if self.overrides:
            from mesosim.overrides import apply_overrides

            host = host.with_catalog(apply_overrides(host.catalog, self.overrides))
        return host
