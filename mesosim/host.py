"""Deprecated: ``mesosim.host`` moved to mesosim.plugin.host in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.plugin.host import *  # noqa: F403
from mesosim.plugin.host import PluginHost as Registry  # noqa: F401
from mesosim.plugin.host import load_host as load_registry  # noqa: F401

warnings.warn("mesosim.host is deprecated: import from mesosim.plugin.host (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
