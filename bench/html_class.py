"""Budget of the HTML class report (pictures issue): a class of 300 students with 3 protocol
files each renders in at most three times what ``mesosim class`` takes as text.

Builds the class from the gallery's valid protocols (a third of the files with a deliberate
mistake, as ``bench/run.py`` does), then times, as commands and alternately (paired runs,
medians): ``mesosim class DIR -f text -o FILE`` and ``mesosim class DIR -f html -o
FILE``, each checked for its exit code (0). Also reports the HTML's size per protocol file
(it must stay linear)::

    python bench/html_class.py                      # 300 x 3, 5 paired runs
    python bench/html_class.py --students 100 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.run import ENV, make_corpus  # noqa: E402


def build_class(folder: str, students: int, files: int) -> None:
    corpus = os.path.join(folder, "_corpus")
    made = make_corpus(corpus, students * files)
    for i, path in enumerate(made):
        student = os.path.join(folder, "class", f"student{i // files:03d}")
        os.makedirs(student, exist_ok=True)
        os.replace(path, os.path.join(student, f"p{i % files}.yaml"))


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                          env=ENV)
    took = time.perf_counter() - start
    if done.returncode != 0:  # a refused command times nothing
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--files", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=1, help="mesosim class --jobs (default 1)")
    args = ap.parse_args(argv)
    mesosim = [sys.executable, "-m", "mesosim", "class", "--jobs", str(args.jobs)]
    with tempfile.TemporaryDirectory() as tmp:
        build_class(tmp, args.students, args.files)
        folder = os.path.join(tmp, "class")
        html = os.path.join(tmp, "class.html")
        # a regular file: mesosim refuses to write a report to a device such as /dev/null
        text_cmd = [*mesosim, folder, "-f", "text", "-o", os.path.join(tmp, "class.txt")]
        html_cmd = [*mesosim, folder, "-f", "html", "-o", html]
        timed(text_cmd)
        timed(html_cmd)  # warm-up: caches, bytecode
        pairs = [(timed(text_cmd), timed(html_cmd)) for _ in range(args.runs)]
        size = os.path.getsize(html)
    text_s = statistics.median(t for t, _h in pairs)
    html_s = statistics.median(h for _t, h in pairs)
    n = args.students * args.files
    print(json.dumps({
        "students": args.students, "files": n, "runs": args.runs,
        "text_s": round(text_s, 3), "html_s": round(html_s, 3),
        "html_over_text": round(html_s / text_s, 2),
        "ratios": [round(h / t, 2) for t, h in pairs],
        "html_bytes": size, "html_bytes_per_file": size // n,
        "budget": "html <= 3x text", "met": html_s <= 3 * text_s,
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
