"""Deprecated: ``mesosim.hookspecs`` moved to mesosim.plugin.hookspecs in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.plugin.hookspecs import *  # noqa: F403

warnings.warn("mesosim.hookspecs is deprecated: import from mesosim.plugin.hookspecs (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
