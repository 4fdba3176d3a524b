"""roller: not declared yet (work in progress; this module registers no technique)."""

from __future__ import annotations

from mesosim import Technique, hookimpl


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare roller (none yet)."""
    return []
