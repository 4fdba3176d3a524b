"""Deprecated: ``mesosim.reporters.github`` moved to mesosim.report.github in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.report.github import *  # noqa: F403

warnings.warn("mesosim.reporters.github is deprecated: import from mesosim.report.github (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
