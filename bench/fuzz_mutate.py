"""Corpus-mutation fuzzer: protocol files and configuration files, mutated at random, must give
findings (or a configuration error), never a crash, and never take over 2 s.

    python bench/fuzz_mutate.py --inputs 500000 --jobs 2 [--seed 1]

The corpus is the gallery (``protocols/``), the hostile corpus (``tests/hostile/``, its fuzz
regressions included) and a set of configuration files. Each input is one corpus file with one
to four mutations: bytes flipped, inserted, deleted or duplicated; YAML and TOML tokens spliced
in (tags, anchors, aliases, brackets, tabs, dates at the calendar's edges, huge numbers,
control characters...); lines swapped; two files spliced. A protocol input goes through what
``check``, ``simulate`` and every report format do with it; a configuration input through the
configuration loader and its overrides. Counted as a crash: an exception out of those, or an
MS009 (mesosim's own failure) finding. Each crash and each input over the time limit is
written to ``bench/fuzz-found/`` with its traceback; once fixed, move it to
``tests/hostile/fuzz/`` (protocols) or ``tests/hostile/fuzz-config/`` (configurations), where
``tests/test_hostile2.py`` keeps it as a regression test.

The short run in CI is ``tests/test_fuzz.py`` (a few hundred inputs, a fixed seed).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import traceback
from collections.abc import Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FOUND = os.path.join(HERE, "fuzz-found")
LIMIT_S = float(os.environ.get("MESOSIM_FUZZ_LIMIT", "2.0"))

TOKENS = [
    b"!!bool maybe", b"!!int ''", b"!!float .", b"!!timestamp soon", b"!!null x", b"!!str",
    b"!!python/object:os.system", b"!custom", b"&a ", b"*a", b"<<: *a", b"[", b"]", b"{", b"}",
    b": ", b"- ", b"\t", b"\n", b"\r\n", b"#", b"# mesosim: ignore[MS4] x", b"'", b'"',
    b"9999-12-31", b"0001-01-01", b"2026-02-30", b"1e999", b"-1", b"0", b"010", b"1:30",
    b"0x" + b"f" * 40, b"1" * 400, b".inf", b".nan", b"\xc2\xb5m", b"\xce\xbcm", b"0,3 mm",
    b"1000000000 d", b"100000000000 min", b"\x1b[2J", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"\xf0\x9f\x98\x80", b"~", b"null", b"true", b"yes", b"6e0", b"-", b"?", b"|", b">",
    b"%YAML 1.2", b"---", b"...", b"mesosim: 1", b"technique: roller", b"zone: periorbital",
    b"course: {kind: maintenance}", b"maintenance: {start: 2026-12-01, sessions: 3}",
    b"conditions: [pregnacy]", b"activity: bath", b"sauna: 10 h", b"unit: K",
]
CONFIG_TOKENS = [
    b"[[override]]", b'technique = "manual-injection"', b'parameter = "injection.depth"',
    b'parameter = "aftercare."', b'parameter = "interval"', b'min = "3 mm"', b'max = "1 mm"',
    b'zone = "face"', b'setting = "home"', b"[severity]", b'MS502 = "error"', b'MS9 = "x"',
    b'select = ["MS"]', b'ignore = ["MS999"]', b"[per-file-ignores]", b'"*.json" = ["MS1"]',
    b"max-file-size = -1", b"report-unused-ignores = 3", b"[tool.mesosim]", b"[", b"]",
    b" " * 3000, b"\n" * 500, b"=", b'"', b"'''", b"#", b"\x00", b"[[", b"]]",
]


def corpus() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """(protocol files, configuration files), as (name, bytes)."""
    protocols: list[tuple[str, bytes]] = []
    for top in (os.path.join(ROOT, "protocols"), os.path.join(ROOT, "tests", "hostile")):
        for folder, _dirs, files in os.walk(top):
            for name in sorted(files):
                if name.endswith((".yaml", ".yml", ".json")):
                    with open(os.path.join(folder, name), "rb") as fh:
                        protocols.append((name, fh.read()))
    configs = [("mesosim.toml", text.encode()) for text in CONFIGS]
    folder = os.path.join(ROOT, "tests", "hostile", "fuzz-config")
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as fh:
                configs.append(("mesosim.toml", fh.read()))
    return protocols, configs


CONFIGS = [
    'select = ["MS"]\nignore = ["MS702"]\nexclude = ["drafts"]\nmax-file-size = 4194304\n'
    'report-unused-ignores = true\n[severity]\nMS502 = "error"\n[per-file-ignores]\n'
    '"examples/*" = ["MS511"]\n',
    '[[override]]\ntechnique = "manual-injection"\nparameter = "injection.depth"\nzone = "face"\n'
    'min = "1.5 mm"\nmax = "2.5 mm"\nnote = "school"\n',
    '[[override]]\ntechnique = "oxygen"\nparameter = "aftercare.sauna"\nmin = "4 d"\n'
    '[[override]]\ntechnique = "roller"\nparameter = "course_length"\nzone = "scalp"\n'
    'max = "12"\n',
    '[tool.mesosim]\nselect = ["MS4", "MS5"]\n[tool.mesosim.severity]\nMS511 = "info"\n',
]


def mutate(rng: random.Random, data: bytes, tokens: list[bytes], other: bytes) -> bytes:
    """One to four random mutations of ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        at = rng.randrange(len(out) + 1)
        if op == 0 and out:  # flip a byte
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif op == 1:  # insert a token
            out[at:at] = rng.choice(tokens)
        elif op == 2 and out:  # delete a run
            del out[at:at + rng.randint(1, 40)]
        elif op == 3 and out:  # duplicate a run
            run = out[at:at + rng.randint(1, 200)]
            out[at:at] = run * rng.randint(1, 3)
        elif op == 4:  # swap two lines
            lines = bytes(out).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                out = bytearray(b"\n".join(lines))
        elif op == 5:  # splice another file
            cut = rng.randrange(len(other) + 1)
            out = out[:at] + bytearray(other[cut:cut + rng.randint(1, 300)]) + out[at:]
        elif op == 6:  # a token in place of a value
            line_start = out.rfind(b"\n", 0, at) + 1
            colon = out.find(b": ", line_start, at + 1)
            if colon != -1:
                end = out.find(b"\n", colon)
                end = len(out) if end == -1 else end
                out[colon + 2:end] = rng.choice(tokens)
        else:  # repeat a token many times (costs out of proportion)
            out[at:at] = rng.choice(tokens) * rng.randint(10, 2000)
    return bytes(out)


def check_protocol(host: object, name: str, raw: bytes, want_reports: bool) -> None:
    """Everything ``check`` and ``simulate`` do with one file; raises on a crash."""
    import datetime as dt

    from mesosim.loader import decode, load_text
    from mesosim.pipeline import run_document
    from mesosim.report import REPORTERS
    from mesosim.report.ics import calendar_ics
    from mesosim.report.timeline import render_json, render_timeline
    from mesosim.results import Report
    from mesosim.rules import INTERNAL_ERROR

    text, problem = decode(raw)
    if text is None:
        return
    outcome = run_document(load_text(text, name), host.catalog, None, host)  # type: ignore[attr-defined]
    if any(f.rule == INTERNAL_ERROR for f in outcome.result.findings):
        raise AssertionError("MS009: " + outcome.result.findings[0].message)
    catalog = host.catalog  # type: ignore[attr-defined]
    render_timeline(outcome, catalog)
    render_json(outcome)
    if outcome.trace is not None:
        calendar_ics(outcome, dt.time(9, 0))
    if want_reports:
        report = Report((outcome.result,), catalog.plugins)
        for render in REPORTERS.values():
            render(report, catalog, False)


def check_config(host: object, raw: bytes) -> None:
    """What the command line does with a configuration file; raises on a crash."""
    from mesosim.config import check_codes, load_config_bytes
    from mesosim.errors import ConfigError
    from mesosim.overrides import apply_overrides

    try:
        config = load_config_bytes(raw, "mesosim.toml")
        check_codes(config, host.catalog)  # type: ignore[attr-defined]
        apply_overrides(host.catalog, config.overrides)  # type: ignore[attr-defined]
    except ConfigError:
        pass


def inputs(seed: int, count: int, protocols: list[tuple[str, bytes]],
           configs: list[tuple[str, bytes]]) -> Iterator[tuple[str, str, bytes]]:
    """(kind, name, bytes) of ``count`` inputs: four protocols for each configuration."""
    rng = random.Random(seed)
    for _ in range(count):
        if rng.random() < 0.2:
            name, data = rng.choice(configs)
            yield "config", name, mutate(rng, data, CONFIG_TOKENS, rng.choice(configs)[1])
        else:
            name, data = rng.choice(protocols)
            yield "protocol", name, mutate(rng, data, TOKENS, rng.choice(protocols)[1])


def run(seed: int, count: int, quiet: bool = False) -> tuple[int, int, int, float]:
    """Fuzz ``count`` inputs from ``seed``: (inputs, crashes, slow inputs, slowest seconds)."""
    from mesosim.plugin.host import load_host

    host = load_host(autoload=False)
    protocols, configs = corpus()
    crashes = slow = 0
    slowest = 0.0
    for n, (kind, name, raw) in enumerate(inputs(seed, count, protocols, configs)):
        start = time.perf_counter()
        try:
            if kind == "config":
                check_config(host, raw)
            else:
                check_protocol(host, name, raw, want_reports=n % 16 == 0)
            error = None
        except Exception:  # noqa: BLE001 - that is what the fuzzer looks for
            error = traceback.format_exc()
        took = time.perf_counter() - start
        slowest = max(slowest, took)
        if error is not None or took > float(os.environ.get("MESOSIM_FUZZ_LIMIT", LIMIT_S)):
            crashes += error is not None
            slow += error is None
            _keep(seed, n, kind, name, raw, error or f"took {took:.2f} s")
    return count, crashes, slow, slowest


def _keep(seed: int, n: int, kind: str, name: str, raw: bytes, why: str) -> None:
    os.makedirs(FOUND, exist_ok=True)
    suffix = ".toml" if kind == "config" else os.path.splitext(name)[1]
    base = os.path.join(FOUND, f"{kind}-{seed}-{n}{suffix}")
    with open(base, "wb") as fh:
        fh.write(raw)
    with open(base + ".why", "w", encoding="utf-8") as fh:
        fh.write(why)


def _worker(args: tuple[int, int]) -> tuple[int, int, int, float]:
    return run(*args, quiet=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=5_000, help="inputs per task")
    ap.add_argument("--limit", type=float, default=LIMIT_S, help="seconds an input may take")
    args = ap.parse_args()
    os.environ["MESOSIM_FUZZ_LIMIT"] = str(args.limit)
    tasks = [(args.seed * 1_000_003 + i, min(args.batch, args.inputs - i * args.batch))
             for i in range((args.inputs + args.batch - 1) // args.batch)]
    start = time.perf_counter()
    totals = [0, 0, 0, 0.0]
    import multiprocessing

    with multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn").Pool(
            args.jobs) as pool:
        for done, crashes, slow, slowest in pool.imap_unordered(_worker, tasks):
            totals[0] += done
            totals[1] += crashes
            totals[2] += slow
            totals[3] = max(totals[3], slowest)
            print(f"\r{totals[0]:>9} inputs, {totals[1]} crashes, {totals[2]} over {LIMIT_S:g} s, "
                  f"slowest {totals[3]:.2f} s, {time.perf_counter() - start:.0f} s", end="",
                  flush=True)
    print()
    if totals[1] or totals[2]:
        print(f"inputs kept in {FOUND}")
    return 1 if totals[1] or totals[2] else 0


if __name__ == "__main__":
    sys.exit(main())
