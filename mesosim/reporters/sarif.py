"""Deprecated: ``mesosim.reporters.sarif`` moved to mesosim.report.sarif in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.report.sarif import *  # noqa: F403

warnings.warn("mesosim.reporters.sarif is deprecated: import from mesosim.report.sarif (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
