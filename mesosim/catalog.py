"""The :class:`Catalog`: every declaration the plugins made, merged and frozen (layer 1).

The plugin host (:mod:`mesosim.plugin.host`) builds it once per run; the engine (model builder,
simulator, checks) reads it and never sees the plugin manager. A configuration's overrides make
a new catalog (:func:`mesosim.overrides.apply_overrides`), never change one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attr import evolve, field, frozen

from mesosim.declarations import Source, StepKind, Technique, Zone
from mesosim.rules import DEFAULT_PARAMETER_KIND, PARAMETER_RULES, Rule


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


def _ro(v: Mapping[Any, Any]) -> Mapping[Any, Any]:
    from types import MappingProxyType

    return v if isinstance(v, MappingProxyType) else MappingProxyType(dict(v))


@frozen
class Catalog:
    """The merged declarations: vocabulary, techniques, rules, and which plugins made them."""

    techniques: Mapping[str, Technique] = field(converter=_ro)
    steps: Mapping[str, StepKind] = field(converter=_ro)
    #: parameter -> dimension (``depth`` -> ``length``)
    parameters: Mapping[str, str] = field(converter=_ro)
    conditions: frozenset[str]
    activities: frozenset[str]
    #: general contraindications (every technique)
    general: tuple[Any, ...]
    rules: Mapping[str, Rule] = field(converter=_ro)
    plugins: tuple[PluginInfo, ...] = ()
    #: parameter -> kind of its range finding (``depth``...); unlisted: ``device-setting``
    parameter_kinds: Mapping[str, str] = field(factory=dict, converter=_ro)
    #: zone name -> its declaration (what the sources say of it)
    zones: Mapping[str, Zone] = field(factory=dict, converter=_ro)
    #: activity -> the restricted activities it involves besides itself (a bath: sauna)
    involves: Mapping[str, frozenset[str]] = field(factory=dict, converter=_ro)
    #: source id -> the document (``002``, a vendor's manual)
    sources: Mapping[str, Source] = field(factory=dict, converter=_ro)

    @property
    def refused(self) -> tuple[PluginInfo, ...]:
        return tuple(p for p in self.plugins if p.status == "refused")

    def with_techniques(self, techniques: Mapping[str, Technique]) -> Catalog:
        return evolve(self, techniques=dict(techniques))

    def parameter_rule(self, param: str) -> str:
        """The rule code reporting ``param`` out of range (by the parameter's declared kind)."""
        kind = self.parameter_kinds.get(param, DEFAULT_PARAMETER_KIND)
        return PARAMETER_RULES.get(kind, PARAMETER_RULES[DEFAULT_PARAMETER_KIND])
