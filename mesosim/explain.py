"""Deprecated: ``mesosim.explain`` moved to mesosim.describe in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.describe import *  # noqa: F403

warnings.warn("mesosim.explain is deprecated: import from mesosim.describe (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
