"""Deprecated: ``mesosim.model`` moved to mesosim.protocol and mesosim.build in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.build import *  # noqa: F403
from mesosim.protocol import *  # noqa: F403

warnings.warn("mesosim.model is deprecated: import from mesosim.protocol (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
