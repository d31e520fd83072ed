"""``make test`` on a fresh clone, timed: the figure README states for the test suite.

    python benchmarks/test_suite.py    # clones HEAD into a temporary folder, then `make setup` and `make test` there

The two steps are timed apart (creating ``.venv`` depends on the network and pip's cache; the suite
on the cores), with the machine's load average sampled every 5 s while each runs: on a shared
machine the time says little without it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import results  # noqa: E402
from vgan_course.lesson_runs import machine  # noqa: E402


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command`` in ``cwd``: its wall seconds, the mean 1-minute load average while it ran, and its
    last line of output (pytest's summary for ``make test``)."""
    loads, done = [], threading.Event()

    def sample() -> None:
        while not done.wait(5):
            loads.append(os.getloadavg()[0])

    watcher = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    watcher.start()
    try:
        finished = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        done.set()
        watcher.join()
    print(finished.stdout[-3000:])
    last = (finished.stdout.strip().splitlines() or [""])[-1].strip("= ")
    return (round(time.perf_counter() - start, 1), round(statistics.mean(loads or [os.getloadavg()[0]]), 1),
            last if finished.returncode == 0 else f"exit {finished.returncode}: {last}")


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        clone = Path(work) / "vgan-course"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        setup = timed(["make", "setup"], clone)
        if not setup[2].startswith("exit"):
            setup = (*setup[:2], "ok")
        test = timed(["make", "test"], clone)
    results.put_measurement(
        "test_suite", title="`make test` on a fresh clone", command="python benchmarks/test_suite.py", machine=machine(),
        text="every unit test, grading test and notebook in the smoke profile, 2 pytest workers",
        columns=["step", "seconds", "mean load average (1 min)", "outcome"],
        rows=[["make setup: .venv, torch and the course", *setup], ["make test: the suite", *test]])
    print(f"make setup {setup[0]} s, make test {test[0]} s (mean load average {test[1]}): {test[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
