"""EXAMPLE mesosim plugin package: a hypothetical cryo device (not a real device)."""

from __future__ import annotations

import os

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples")
