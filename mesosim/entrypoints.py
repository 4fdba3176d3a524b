"""Deprecated: ``mesosim.entrypoints`` moved to mesosim.plugin.entrypoints in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.plugin.entrypoints import *  # noqa: F403

warnings.warn("mesosim.entrypoints is deprecated: import from mesosim.plugin.entrypoints (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
