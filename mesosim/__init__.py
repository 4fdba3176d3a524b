"""mesosim: validate and simulate mesotherapy treatment protocols (a training tool, not medical
advice).

Vendor quick start: a technique is a module with ``@mesosim.hookimpl`` functions, registered
through the ``mesosim`` entry-point group of your package::

    # pyproject.toml
    [project.entry-points.mesosim]
    my-device = "my_package.my_device"

    # my_package/my_device.py
    from mesosim import hookimpl, Technique, StepGraph, between

    @hookimpl
    def mesosim_techniques():
        return [Technique(name="my-device", ...)]

Everything a plugin needs is importable from here (see ``__all__``); the hooks are documented
in :mod:`mesosim.plugin.hookspecs`, the whole guide is ``docs/writing-a-plugin.md``.

The names are loaded on first use (PEP 562), so that ``import mesosim`` (which the command line
does before anything else) costs nothing: even ``hookimpl`` (pluggy's marker) is made when a
plugin first asks for it, so a run whose plugins' declarations come from the cache
(:mod:`mesosim.plugin.cache`) never imports pluggy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0.dev0"

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and readers
    import pluggy

    hookimpl: pluggy.HookimplMarker
    from mesosim.catalog import Catalog, PluginInfo
    from mesosim.declarations import (
        API_VERSION,
        Activity,
        Care,
        Contraindication,
        Dimension,
        Figure,
        Limit,
        ParamRange,
        Procedure,
        Range,
        Scope,
        Source,
        StepGraph,
        StepKind,
        Technique,
        Unit,
        Vocabulary,
        Zone,
        between,
    )
    from mesosim.findings import Finding
    from mesosim.protocol import Course, Patient, Plan, Protocol, Step
    from mesosim.rules import Rule
    from mesosim.trace import Conflict, Session, StepRun, Trace, Window
    from mesosim.units import Quantity

#: public name -> the module that defines it
_LAZY = {
    **dict.fromkeys(("API_VERSION", "Activity", "Care", "Contraindication", "Dimension",
                     "Figure", "Limit", "ParamRange", "Procedure", "Range", "Scope", "Source",
                     "StepGraph", "StepKind", "Technique", "Unit", "Vocabulary", "Zone",
                     "between"), "mesosim.declarations"),
    "Finding": "mesosim.findings",
    "Rule": "mesosim.rules",
    **dict.fromkeys(("Course", "Patient", "Plan", "Protocol", "Step"), "mesosim.protocol"),
    **dict.fromkeys(("Conflict", "Session", "StepRun", "Trace", "Window"), "mesosim.trace"),
    "Quantity": "mesosim.units",
    **dict.fromkeys(("Catalog", "PluginInfo"), "mesosim.catalog"),
}

__all__ = [
    "API_VERSION",
    "Activity",
    "Care",
    "Catalog",
    "Conflict",
    "Contraindication",
    "Course",
    "Dimension",
    "Figure",
    "Limit",
    "Finding",
    "ParamRange",
    "Patient",
    "Plan",
    "PluginInfo",
    "Procedure",
    "Protocol",
    "Quantity",
    "Range",
    "Rule",
    "Scope",
    "Session",
    "Source",
    "Step",
    "StepGraph",
    "StepKind",
    "StepRun",
    "Technique",
    "Trace",
    "Unit",
    "Vocabulary",
    "Window",
    "Zone",
    "between",
    "hookimpl",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "hookimpl":  # pluggy is imported when a plugin is, not by ``import mesosim``
        import pluggy

        value: Any = pluggy.HookimplMarker("mesosim")
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mesosim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
