"""mesosim: validate and simulate mesotherapy treatment protocols (a training tool, not medical
advice).

Vendor quick start: a technique is a module with a ``@mesosim.hookimpl`` function, registered
through the ``mesosim`` entry-point group of your package::

    # pyproject.toml
    [project.entry-points.mesosim]
    my-device = "my_package.my_device"

    # my_package/my_device.py
    from mesosim import hookimpl, Technique, StepGraph, between

    @hookimpl
    def mesosim_techniques():
        return [Technique(name="my-device", ...)]

See ``docs/writing-a-plugin.md`` and :mod:`mesosim.hookspecs` for every hook.
"""

from __future__ import annotations

import pluggy

from mesosim.technique import (
    API_VERSION,
    Care,
    Contraindication,
    ParamRange,
    Range,
    StepGraph,
    StepKind,
    Technique,
    Vocabulary,
    between,
)

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("mesosim")

__all__ = [
    "API_VERSION",
    "Care",
    "Contraindication",
    "ParamRange",
    "Range",
    "StepGraph",
    "StepKind",
    "Technique",
    "Vocabulary",
    "__version__",
    "between",
    "hookimpl",
]
