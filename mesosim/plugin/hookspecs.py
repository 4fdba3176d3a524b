"""Every hook mesosim calls, in the order it calls them.

A plugin is a module (or object) with functions marked ``@mesosim.hookimpl`` whose names are
hooks below. Register it under the ``mesosim`` entry-point group of your package::

    [project.entry-points.mesosim]
    my-device = "my_package.my_device"

The built-in techniques are registered exactly this way. Hooks return immutable declarations
(frozen attrs objects) that the host merges; no hook mutates its arguments. The host calls
every hook through pluggy's manager, so ``tryfirst``/``trylast``, ``wrapper=True`` and
tracing (``MESOSIM_TRACE_PLUGINS=1``) work as pluggy documents. A hook that raises is reported
as a plugin error naming the plugin and the hook (MS902 at load, MS901 while checking a file);
the other plugins go on.

Hook API version: :data:`mesosim.API_VERSION`. A technique that declares a newer
``api_version`` than this host is refused with both versions named (MS902).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from mesosim.declarations import Technique, Vocabulary
    from mesosim.findings import Finding
    from mesosim.protocol import Protocol
    from mesosim.rules import Rule
    from mesosim.trace import Trace

hookspec = pluggy.HookspecMarker("mesosim")


# --- technique registration (once, when the plugin host starts) ---------------------------


@hookspec
def mesosim_vocabulary() -> Vocabulary | None:
    """Add names to the shared vocabulary.

    Called once at start-up, before :func:`mesosim_techniques`.

    :returns: a :class:`mesosim.Vocabulary` with the steps (and what each needs, provides
        and takes), parameters (name -> dimension, and the kind of finding a value out of
        range is), patient conditions, activities and general contraindications this plugin
        adds; or ``None``. The host merges all vocabularies; a step declared twice keeps the
        first declaration (in pluggy's call order). A technique's own device step is declared
        here by its plugin: the core vocabulary names no technique's step.
    """


@hookspec
def mesosim_techniques() -> list[Technique]:
    """Declare techniques.

    Called once at start-up, after :func:`mesosim_vocabulary`. Each technique is validated when
    it is loaded (its graph is a DAG, its steps are in the vocabulary, each range has
    min <= max and a unit of the parameter's dimension, its API version is not newer than the
    host's); an invalid one is refused with MS902 and the others load.

    :returns: a list of :class:`mesosim.Technique`.
    """
    raise NotImplementedError


@hookspec
def mesosim_rules() -> list[Rule]:
    """Declare rules this plugin reports from :func:`mesosim_check`.

    Called once at start-up. Codes must be new (``ACME001``), never a core ``MS`` code.

    :returns: a list of :class:`mesosim.Rule`; the host sets ``origin`` to the plugin name.
        A plugin's :func:`mesosim_check` may report only these codes.
    """
    raise NotImplementedError


# --- checks (once per protocol file) -------------------------------------------------------


@hookspec
def mesosim_check(protocol: Protocol, technique: Technique, trace: Trace) -> list[Finding]:
    """Add technique-specific findings to a protocol's check.

    Called once per protocol that loaded without syntax errors and names a known technique,
    after the core checks and the simulation. Every plugin's implementation is called; return
    nothing for a technique that is not yours (compare ``technique.name``).

    :param protocol: the loaded :class:`mesosim.Protocol` (its ``pos(path)`` gives lines).
    :param technique: the protocol's technique, with configuration overrides applied.
    :param trace: the simulation :class:`mesosim.Trace` of the protocol.
    :returns: a list of :class:`mesosim.Finding` of codes this plugin declared
        (:func:`mesosim_rules`), with ``path=protocol.path`` and a line of the file. Any other
        finding is refused and reported as a failure of the plugin (MS901).
    """
    raise NotImplementedError
