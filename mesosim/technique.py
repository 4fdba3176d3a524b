"""Deprecated: ``mesosim.technique`` moved to mesosim.declarations in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.declarations import *  # noqa: F403

warnings.warn("mesosim.technique is deprecated: import from mesosim.declarations (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
