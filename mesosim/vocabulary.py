"""Deprecated: ``mesosim.vocabulary`` moved to mesosim.plugin.core in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.plugin.core import *  # noqa: F403

warnings.warn("mesosim.vocabulary is deprecated: import from mesosim.plugin.core (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
