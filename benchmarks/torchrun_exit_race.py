"""Does a torchrun rank still abort when it exits through the interpreter's teardown?

Each launch starts 2 ranks (gloo, this CPU). Each rank sends four all-reduces of 1M floats,
drops its Python references to them, and ends while they are still running. It ends either with
a plain exit, or with ``vgan_course.distributed.exit_process``, which skips the teardown under
torchrun. With torch 2.13, a gloo worker that frees such a tensor during the teardown needs the
interpreter's lock, which is gone. The rank then aborts: "terminate called without an active
exception", exit code -6. The script counts the launches that failed in each mode and stores the
table as the ``torchrun_exit_race`` measurement of the results file::

    python benchmarks/torchrun_exit_race.py --launches 12

If a newer PyTorch never aborts with a plain exit, ``exit_process`` can go back to ``sys.exit``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import results  # noqa: E402
from vgan_course.lesson_runs import machine  # noqa: E402


def rank(mode: str) -> None:
    """One rank: leave while gloo still holds tensors that Python made."""
    import torch
    import torch.distributed as dist

    from vgan_course import distributed

    dist.init_process_group("gloo")
    in_flight = [dist.all_reduce(torch.ones(1_000_000), async_op=True) for _ in range(4)]
    del in_flight
    if mode == "exit_process":
        distributed.exit_process(0)


def failures(mode: str, launches: int) -> tuple[int, int]:
    """(launches that failed, launches whose output says 'terminate called')."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", __file__,
               "--rank", mode]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    failed = terminated = 0
    for _ in range(launches):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        failed += done.returncode != 0
        terminated += "terminate called" in done.stderr + done.stdout
    return failed, terminated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=5, help="torchrun launches per mode")
    parser.add_argument("--rank", choices=["plain", "exit_process"], help=argparse.SUPPRESS)  # run by torchrun
    args = parser.parse_args()
    if args.rank:
        rank(args.rank)
        return 0
    rows = []
    for mode in ("plain", "exit_process"):
        failed, terminated = failures(mode, args.launches)
        print(f"{mode:13s} {failed}/{args.launches} launches failed, {terminated} said 'terminate called'")
        rows.append([mode, args.launches, failed, terminated])
    results.put_measurement(
        "torchrun_exit_race", title="torchrun: a rank that leaves with all-reduces in flight, by way of exit",
        command="python benchmarks/torchrun_exit_race.py " + " ".join(sys.argv[1:]), machine=machine(),
        columns=["exit", "launches", "failed", "said 'terminate called'"], rows=rows,
        text="2 ranks, gloo; each leaves with four all-reduces of 1M floats in flight (docs/architecture.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
