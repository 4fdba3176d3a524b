"""Speed budget of `mesosim check` (foundation issue, section 7).

Generates a corpus of N protocols (valid ones from the gallery with varied values, and invalid
ones with deliberate mistakes), then times, on the same machine in the same run:

* ``compose``: PyYAML's C loader composing every file (read + ``yaml.compose``), in-process;
* ``check``: ``mesosim check`` on the whole corpus, as a command (start-up included);
* ``one file``: ``mesosim check`` vs ``yamllint`` on one small file (median of repeated runs).

Targets: one small file no slower than yamllint; N=10,000 files at most 3x the C loader's
compose time. Usage (yamllint is needed for the comparison: ``pip install yamllint``)::

    python bench/run.py                 # 10,000 files, 15 repeats for the one-file case
    python bench/run.py --files 2000 --repeat 5 --json bench/results/latest.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MUTATIONS = [
    ("depth: 1.5 mm", "depth: 4 mm"),
    ("interval: 7 d", "interval: 2 d"),
    ("conditions: []", "conditions: [pacemaker]"),
    ("sauna: 2 d", "sauna: 1 d"),
    ("    - disinfection\n", ""),
    ("zone: face", "zone: fase"),
    ("mesosim: 1", "mesosim: 1\nmesosim: 1"),
    ("session:", "session: [\n"),
]


def gallery_sources() -> list[str]:
    out = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "protocols")):
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")) and f"{os.sep}valid" in folder:
                with open(os.path.join(folder, name), encoding="utf-8") as fh:
                    out.append(fh.read())
    return out


def make_corpus(path: str, n: int, seed: int = 7) -> list[str]:
    """Write ``n`` protocol files under ``path`` (about a third of them invalid)."""
    rnd = random.Random(seed)
    sources = gallery_sources() or [open(os.path.join(ROOT, "tests", "test_rules.py")).read()]
    shutil.rmtree(path, ignore_errors=True)
    files = []
    for i in range(n):
        text = sources[i % len(sources)].replace("id: ", f"id: bench-{i}-", 1)
        if rnd.random() < 0.35:
            old, new = rnd.choice(MUTATIONS)
            text = text.replace(old, new, 1)
        sub = os.path.join(path, f"class{i // 500:03d}")
        os.makedirs(sub, exist_ok=True)
        name = os.path.join(sub, f"p{i:05d}.yaml")
        with open(name, "w", encoding="utf-8") as fh:
            fh.write(text)
        files.append(name)
    return files


def time_compose(files: list[str]) -> float:
    import yaml

    start = time.perf_counter()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            try:
                yaml.compose(fh.read(), Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                pass
    return time.perf_counter() - start


#: both tools run as a user's would: with bytecode caches (some sandboxes set
#: PYTHONDONTWRITEBYTECODE, which makes every run of an editable install recompile mesosim)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_command(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    return time.perf_counter() - start


def median_command(cmd: list[str], repeat: int) -> float:
    time_command(cmd)  # warm the file cache
    return statistics.median(time_command(cmd) for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--jobs", type=int, default=0,
                    help="mesosim check --jobs for the corpus run (default 0, as a user runs it: "
                         "one worker per CPU from 200 files on); --jobs 1 is timed too")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args(argv)

    mesosim = [sys.executable, "-m", "mesosim"]
    files = make_corpus(args.corpus, args.files)
    compose = min(time_compose(files) for _ in range(3))
    def corpus_run(jobs: int) -> float:
        # a regular file: mesosim refuses to write a report to a device such as /dev/null
        cmd = [*mesosim, "check", "--jobs", str(jobs), "--format", "json", "-o",
               os.path.join(os.path.dirname(args.corpus), "bench-report.json"), args.corpus]
        time_command(cmd)  # warm-up: file cache, bytecode
        return min(time_command(cmd) for _ in range(3))

    check = corpus_run(args.jobs)
    single = corpus_run(1)
    small = files[0]
    one_mesosim = median_command([*mesosim, "check", small], args.repeat)
    yamllint = shutil.which("yamllint")
    one_yamllint = median_command([yamllint, small], args.repeat) if yamllint else None
    result = {
        "files": len(files),
        "compose_s": round(compose, 3),
        "check_s": round(check, 3),
        "check_over_compose": round(check / compose, 2),
        "check_one_process_s": round(single, 3),
        "check_one_process_over_compose": round(single / compose, 2),
        "cpus": os.cpu_count(),
        "one_file_mesosim_s": round(one_mesosim, 4),
        "one_file_yamllint_s": round(one_yamllint, 4) if one_yamllint else None,
        "python": sys.version.split()[0],
        "jobs": args.jobs,
    }
    print(json.dumps(result, indent=2))
    print(f"\n{len(files)} files: mesosim check (--jobs {args.jobs}, {os.cpu_count()} CPUs) "
          f"{check:.2f} s = {check / compose:.2f}x the C loader's compose ({compose:.2f} s); "
          "target <= 3x")
    print(f"  in one process (--jobs 1): {single:.2f} s = {single / compose:.2f}x")
    if one_yamllint:
        print(f"one file: mesosim {one_mesosim * 1000:.0f} ms, yamllint {one_yamllint * 1000:.0f} ms; "
              "target mesosim <= yamllint")
    if args.json_out:
        os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
