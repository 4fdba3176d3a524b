"""The console script ``mesosim`` and ``python -m mesosim``: the command line of
:mod:`mesosim.cli`, with the start-up cache (:mod:`mesosim._codecache`) installed first, before
click, PyYAML and attrs compile their regular expressions and classes at import."""

from __future__ import annotations


def main() -> None:
    """Install the start-up cache, then run :func:`mesosim.cli.main` (which saves it)."""
    import gc

    gc.disable()  # until the plugins are loaded: see mesosim.cli._startup_done
    try:
        from mesosim import __version__
        from mesosim._codecache import install

        install(__version__)
    except Exception:  # noqa: BLE001, S110 - a cache may only make a run faster, never fail it
        pass
    from mesosim.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
