"""Deprecated: ``mesosim.timeline`` moved to mesosim.report.timeline, mesosim.report.ics and
mesosim.runner.simulate_file in 0.2 (the layered core).

This shim re-exports the new module's names and warns; it will be removed in 0.3.
"""

import warnings

from mesosim.report.ics import *  # noqa: F403
from mesosim.report.timeline import *  # noqa: F403
from mesosim.runner import simulate_file  # noqa: F401

warnings.warn("mesosim.timeline is deprecated: import from mesosim.report.timeline (or from "
              "mesosim itself for what plugins use)", DeprecationWarning, stacklevel=2)
