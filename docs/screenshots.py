"""Make the README's pictures of the HTML reports from the shipped examples.

    python docs/screenshots.py

Writes ``docs/img/protocol-report.png`` (``mesosim simulate --format html`` of a gallery
protocol whose patient plans a bath inside an aftercare window) and ``docs/img/class-report.png``
(``mesosim class --format html`` of ``examples/class`` with its assignment, one student's
section opened). Needs Playwright (``pip install '.[test]'``) and a Chromium (Debian:
``apt-get install chromium``; another executable: ``MESOSIM_CHROMIUM``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "img")
PROTOCOL = os.path.join("protocols", "manual-injection", "invalid",
                        "face-bath-plan-after-session.yaml")


def chromium() -> str:
    exe = os.environ.get("MESOSIM_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None)
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium, or set MESOSIM_CHROMIUM")
    return exe


def render(args: list[str], out: str) -> None:
    done = subprocess.run([sys.executable, "-m", "mesosim", *args, "--format", "html", "-o", out],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if not os.path.exists(out):
        sys.exit(f"mesosim {' '.join(args)} wrote no report: {done.stderr.strip()}")


def main() -> int:
    from playwright.sync_api import sync_playwright

    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        one = os.path.join(tmp, "protocol.html")
        klass = os.path.join(tmp, "class.html")
        render(["simulate", PROTOCOL], one)
        render(["class", os.path.join("examples", "class", "submissions"), "--assignment",
                os.path.join("examples", "class", "assignment.toml")], klass)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1150, "height": 1000})
            page.goto("file://" + one)
            page.screenshot(path=os.path.join(OUT, "protocol-report.png"),
                            clip={"x": 0, "y": 0, "width": 1150, "height": 1500})
            page.goto("file://" + klass)
            page.eval_on_selector("details#student-2", "d => d.open = true")
            page.screenshot(path=os.path.join(OUT, "class-report.png"),
                            clip={"x": 0, "y": 0, "width": 1150, "height": 1500})
            browser.close()
    print(f"wrote {OUT}/protocol-report.png and {OUT}/class-report.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
