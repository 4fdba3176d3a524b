"""The plugin host: builds the ``PluginManager``, loads plugins, isolates their faults.

The manager is built in :func:`load_registry`, never at import. Order (cf. pytest):
``add_hookspecs`` -> the core vocabulary -> ``mesosim`` entry points (the built-in techniques are
entry points of the ``mesosim`` distribution itself; third-party ones are skipped when
``MESOSIM_DISABLE_PLUGIN_AUTOLOAD`` is set, unless named with ``-p``) -> blocked names skipped ->
each plugin's declarations validated. A plugin that fails to import, raises in a hook or
declares something invalid is refused with its name and the reason; the others load.

Core code talks to plugins only through :class:`Registry`, one method per hook.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import pluggy
from attrs import evolve, field, frozen

from mesosim import hookspecs
from mesosim.rules import RULES, Rule, validate_rule
from mesosim.technique import API_VERSION, StepKind, Technique, Vocabulary, check_dimensions

if TYPE_CHECKING:
    from mesosim.findings import Finding
    from mesosim.model import Protocol
    from mesosim.simulate import Trace

ENTRY_POINT_GROUP: Final = "mesosim"
BUILTIN_DISTRIBUTION: Final = "mesosim"
ENV_DISABLE_AUTOLOAD: Final = "MESOSIM_DISABLE_PLUGIN_AUTOLOAD"
ENV_TRACE: Final = "MESOSIM_TRACE_PLUGINS"


@frozen
class PluginInfo:
    """One plugin as loaded (or refused): what a CI log records about who judged the files."""

    name: str
    distribution: str
    version: str
    builtin: bool
    status: str  # loaded | refused | blocked | not-autoloaded
    reason: str = ""
    techniques: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()


@frozen
class HookFailure:
    """A plugin that raised in a hook while checking a file."""

    plugin: str
    hook: str
    error: str


@frozen
class Registry:
    """Everything the plugins declared, merged. Immutable once built."""

    pm: pluggy.PluginManager = field(eq=False, repr=False)
    techniques: dict[str, Technique]
    steps: dict[str, StepKind]
    parameters: dict[str, str]
    conditions: frozenset[str]
    activities: frozenset[str]
    general: tuple[Any, ...]
    rules: dict[str, Rule]
    plugins: tuple[PluginInfo, ...]

    @property
    def refused(self) -> tuple[PluginInfo, ...]:
        return tuple(p for p in self.plugins if p.status == "refused")

    def with_techniques(self, techniques: dict[str, Technique]) -> Registry:
        return evolve(self, techniques=techniques)

    def check_hooks(self, protocol: Protocol, technique: Technique, trace: Trace
                    ) -> tuple[list[Finding], list[HookFailure]]:
        """Call every ``mesosim_check`` impl one by one; a raising impl becomes a failure."""
        from mesosim.findings import Finding

        found: list[Finding] = []
        failures: list[HookFailure] = []
        kwargs: dict[str, Any] = {"protocol": protocol, "technique": technique, "trace": trace}
        for impl in self.pm.hook.mesosim_check.get_hookimpls():
            name = impl.plugin_name
            try:
                result: Any = impl.function(*[kwargs[a] for a in impl.argnames])
                for f in result or []:
                    if not isinstance(f, Finding):
                        raise TypeError(f"returned {type(f).__name__}, expected Finding")
                    found.append(f)
            except Exception as exc:  # noqa: BLE001 - a plugin's fault must not stop the check
                failures.append(HookFailure(name, "mesosim_check", _describe(exc)))
        return found, failures


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _call_each(pm: pluggy.PluginManager, hook: str, on_error: Callable[[str, str], None]
               ) -> list[tuple[str, Any]]:
    """Call ``hook`` on each plugin separately: (plugin name, result) for those that worked."""
    out = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):  # registration order
        try:
            out.append((impl.plugin_name, impl.function()))
        except Exception as exc:  # noqa: BLE001 - isolate the plugin, report it by name
            on_error(impl.plugin_name, f"{hook} raised {_describe(exc)}")
    return out


def _entry_points() -> Iterable[Any]:
    from mesosim.entrypoints import entry_points

    return entry_points(ENTRY_POINT_GROUP)


def load_registry(
    *,
    autoload: bool | None = None,
    only: Sequence[str] = (),
    blocked: Sequence[str] = (),
    extra_plugins: Sequence[tuple[str, object]] = (),
) -> Registry:
    """Load every plugin and merge their declarations.

    :param autoload: load third-party entry points; ``None`` reads
        ``MESOSIM_DISABLE_PLUGIN_AUTOLOAD`` (set = no autoload). Built-ins always load.
    :param only: third-party plugin names to load even when autoload is off (``-p NAME``).
    :param blocked: plugin names never to load (``--no-plugin NAME``).
    :param extra_plugins: ``(name, module_or_object)`` registered directly (tests, embedding).
    """
    if autoload is None:
        autoload = not os.environ.get(ENV_DISABLE_AUTOLOAD)
    pm = pluggy.PluginManager("mesosim")
    pm.add_hookspecs(hookspecs)
    if os.environ.get(ENV_TRACE):
        import sys

        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    for name in blocked:
        pm.set_blocked(name)

    from mesosim import vocabulary

    pm.register(vocabulary, name="mesosim-core")
    infos: dict[str, PluginInfo] = {}
    refused: dict[str, str] = {}

    def refuse(name: str, reason: str) -> None:
        refused.setdefault(name, reason)

    for ep in sorted(_entry_points(), key=lambda e: e.name):
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
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the rest down
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

    # Vocabulary first: techniques are validated against it.
    steps: dict[str, StepKind] = {}
    parameters: dict[str, str] = {}
    conditions: set[str] = set()
    activities: set[str] = set()
    general: list[Any] = []
    for name, vocab in _call_each(pm, "mesosim_vocabulary", refuse):
        if vocab is None:
            continue
        if not isinstance(vocab, Vocabulary):
            refuse(name, f"mesosim_vocabulary returned {type(vocab).__name__}, expected "
                   "Vocabulary")
            continue
        for s in vocab.steps:
            steps.setdefault(s.name, s)
        for p, dim in vocab.parameters.items():
            parameters.setdefault(p, dim)
        conditions |= vocab.conditions
        activities |= vocab.activities
        general.extend(vocab.contraindications)

    techniques: dict[str, Technique] = {}
    owner: dict[str, list[str]] = {}
    for name, declared in _call_each(pm, "mesosim_techniques", refuse):
        if not _is_list(name, "mesosim_techniques", declared, refuse):
            continue
        for tech in declared or ():
            problem = _technique_problem(tech, steps, parameters, techniques)
            if problem:
                refuse(name, problem)
                continue
            found = infos.get(name)
            techniques[tech.name] = evolve(
                tech, plugin=name, distribution=found.distribution if found else "",
                version=found.version if found else "",
            )
            owner.setdefault(name, []).append(tech.name)

    rules = dict(RULES)
    for name, declared in _call_each(pm, "mesosim_rules", refuse):
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
    return Registry(pm, techniques, steps, parameters, frozenset(conditions),
                    frozenset(activities), tuple(general), rules,
                    tuple(sorted(infos.values(), key=lambda p: p.name)))


def _is_list(name: str, hook: str, value: object, refuse: Callable[[str, str], None]) -> bool:
    """A list hook's result must be a list or tuple (or nothing): a str or an int is refused."""
    if value is None or isinstance(value, list | tuple):
        return True
    refuse(name, f"{hook} returned {type(value).__name__}, expected a list")
    return False


def _technique_problem(tech: object, steps: dict[str, StepKind], parameters: dict[str, str],
                       seen: dict[str, Technique]) -> str | None:
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
    for pr in tech.parameters:
        if pr.step not in tech.steps.steps():
            problems.append(f"range for {pr.step}.{pr.param}: step not in the graph")
        elif pr.param not in steps[pr.step].params:
            problems.append(f"range for {pr.step}.{pr.param}: the step takes no '{pr.param}'")
    if problems:
        return f"technique '{tech.name}': " + "; ".join(problems)
    return None
