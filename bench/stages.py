"""Where one file's time goes: ``mesosim check``'s per-file stages, in-process, in microseconds.

Each file of a corpus (``bench/run.py``'s, the gallery's valid protocols with varied ids, a
third given a mistake) is taken through the pipeline's stages one at a time, each stage timed
on its own; every figure is the total over the corpus divided by its files, the best of
``--repeat`` passes. ``check_file`` is the whole pipeline as the command runs it, for
comparison with the sum of the stages. The reference, PyYAML's C loader composing the same
text, is what ``bench/run.py``'s many-files budgets are measured against.

Usage::

    python bench/stages.py                 # 2,000 files, best of 3
    python bench/stages.py --files 500 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))


def measure_stages(files: list[str], repeat: int = 3) -> dict[str, float]:
    """Microseconds per file for each stage (the best of ``repeat`` passes)."""
    import yaml

    from mesosim.build import build
    from mesosim.checks import run_checks
    from mesosim.findings import Sink
    from mesosim.loader import load_text, read_text
    from mesosim.options import Options
    from mesosim.pipeline import finish, fold
    from mesosim.plugin.host import load_host
    from mesosim.resolve import resolve
    from mesosim.runner import check_file
    from mesosim.simulate import simulate

    host = load_host()
    catalog = host.catalog
    options = Options()
    clock = time.perf_counter
    best: dict[str, float] = {}

    def stage(totals: dict[str, float], name: str, fn: Callable[..., Any], *args: Any) -> Any:
        start = clock()
        out = fn(*args)
        totals[name] = totals.get(name, 0.0) + clock() - start
        return out

    def locator(doc: Any) -> Callable[[tuple[object, ...], bool], tuple[int, int]]:
        return lambda p, key: doc.key_pos(p) if key else doc.pos(p)

    for _ in range(repeat):
        totals: dict[str, float] = {}
        for path in files:
            text = stage(totals, "read the file", read_text, path)[0]
            if text is None:
                continue
            stage(totals, "(reference: the C loader composing it)", _compose, yaml, text)
            doc = stage(totals, "parse into data (positions found when asked)", load_text, text, path)
            if doc.data is None:
                continue
            sink = Sink(doc.path, catalog.rules, locator(doc))
            protocol = stage(totals, "build the model", build, doc, catalog, sink)
            declared = catalog.techniques.get(protocol.technique) if protocol else None
            if protocol is None or declared is None:
                continue
            tech = stage(totals, "resolve the declarations", resolve, catalog, declared,
                         protocol.zone, protocol.setting, protocol.course.kind)
            trace = stage(totals, "simulate", simulate, protocol, tech, catalog)
            judged = Sink(doc.path, catalog.rules, locator(doc), technique=tech.name)
            found = stage(totals, "core checks", run_checks, protocol, tech, catalog, trace,
                          judged, None)
            stage(totals, "plugins' checks", host.run_checks, protocol, tech, trace)
            stage(totals, "fold, suppress, sort", _finish, fold, finish,
                  [*sink.findings, *found], doc, options)
        for path in files:
            stage(totals, "check_file (the whole pipeline)", check_file, path, host)
        for name, seconds in totals.items():
            us = seconds / len(files) * 1e6
            best[name] = min(best.get(name, us), us)
    return best


def _finish(fold: Callable[..., Any], finish: Callable[..., Any], findings: list[Any], doc: Any,
            options: Any) -> Any:
    return finish(fold(findings), doc, options)


def _compose(yaml: Any, text: str) -> None:
    try:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus-stages"))
    args = ap.parse_args(argv)
    sys.path.insert(0, HERE)
    from run import make_corpus

    files = make_corpus(args.corpus, args.files)
    for name, us in measure_stages(files, args.repeat).items():
        print(f"{us:8.1f} us  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
