"""mesosim's exceptions (layer 0). Each message names the file and line it is about."""

from __future__ import annotations


class MesosimError(Exception):
    """Base of the errors mesosim raises on purpose (never a bug)."""


class ConfigError(MesosimError):
    """A configuration problem (a bad setting, an override that cannot apply), with the file
    and line it is on. The command line exits 2 with its message."""
