"""EXAMPLE mesosim plugin package: a hypothetical microneedle pen (not a real device).

The plugin itself is :mod:`mesosim_example_vendor.microneedle_pen`, registered through the
``mesosim`` entry-point group in ``pyproject.toml``. ``SAMPLES`` is the folder of sample
protocols (``valid/`` and ``invalid/`` with ``.expected`` files) the conformance suite runs.
"""

from __future__ import annotations

import os

__version__ = "0.1.0"

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples")
