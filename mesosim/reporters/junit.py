"""Deprecated: ``mesosim.reporters.junit`` moved to mesosim.report.junit in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.report.junit import *  # noqa: F403

warnings.warn("mesosim.reporters.junit is deprecated: import from mesosim.report.junit (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
