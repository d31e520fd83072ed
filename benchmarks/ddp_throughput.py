"""Lesson 07: training throughput of one lesson 03 method on 1 and N processes of this machine.

Each row trains the method with ``methods.train_method`` (what ``vgan-course train`` runs, with
the profile's sizes), first ``--warmup`` steps, then ``--steps`` more, and times the second part
(``History.seconds``); a row is the best of ``--repeats`` runs. One process runs plain, with one
thread and with every core; N processes run under ``torchrun --standalone --nproc_per_node=N``
with ``cores / N`` threads each, either splitting the profile's batch over the processes (what
``vgan-course train`` does: the same optimisation as one process) or each taking the whole
batch (N times the batch per step)::

    python benchmarks/ddp_throughput.py                          # MoCoGAN, cpu profile, 1 and 2 processes
    python benchmarks/ddp_throughput.py --processes 1 2 4 --profile gpu --device cpu

The table replaces the ``ddp_throughput`` measurement (``ddp_throughput_gpu`` on CUDA).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import results  # noqa: E402
from vgan_course.lesson_runs import machine  # noqa: E402

LESSON = "03_temporal_generators"
COLUMNS = ["processes", "threads each", "batch per process", "batch per step", "steps/s", "clips/s",
           "CPU s per step (all processes)", "clips/s over 1 process, all cores"]


def worker(method_name: str, profile: str, batch: int, warmup: int, steps: int, out: Path) -> None:
    """Train for ``warmup`` steps, then ``steps`` more, at ``batch`` per step (split over the processes);
    rank 0 writes the seconds of the second part, and the CPU seconds all ranks spent on it."""
    from vgan_course import distributed, methods

    lesson = methods.lesson(LESSON)
    with distributed.process_group() as world, tempfile.TemporaryDirectory() as scratch:
        run_dir = Path(distributed.from_main(lambda: scratch))  # rank 0's folder for every rank
        method = lesson.methods[method_name]
        first = methods.train_method(method, lesson.config(profile, batch=batch, steps={method_name: warmup}),
                                     run_dir=run_dir, progress=False)
        cpu = _cpu_seconds()
        both = methods.train_method(method, lesson.config(profile, batch=batch, steps={method_name: warmup + steps}),
                                    run_dir=run_dir, progress=False)
        cpu = sum(distributed.gather(_cpu_seconds() - cpu))
        if world.is_main:
            out.write_text(json.dumps({"seconds": both.history.seconds - first.history.seconds, "cpu_seconds": cpu}))


def _cpu_seconds() -> float:
    """User and system time of this process, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_run(processes: int, threads: int, batch: int, args: argparse.Namespace) -> dict:
    """Seconds (and CPU seconds) for ``args.steps`` steps of ``batch`` samples over all processes: the
    fastest of ``args.repeats`` runs."""
    best = {"seconds": float("inf")}
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "seconds.json"
            launch = ([sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
                      if processes > 1 else [sys.executable])
            command = [*launch, __file__, "--worker", "--method", args.method, "--profile", args.profile,
                       "--batch", str(batch), "--warmup", str(args.warmup), "--steps", str(args.steps), "--out", str(out)]
            env = {**os.environ, "OMP_NUM_THREADS": str(threads), "VGAN_DEVICE": args.device}
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
            measured = json.loads(out.read_text())
            best = min(best, measured, key=lambda m: m["seconds"])
    return best


def measure(args: argparse.Namespace) -> list[list]:
    """One row per setup: 1 process with 1 thread and with every core, then N processes splitting and growing the batch."""
    from vgan_course import methods

    batch, cores = methods.lesson(LESSON).config(args.profile).batch, os.cpu_count() or 1
    setups = [(1, 1, batch), (1, cores, batch)]  # (processes, threads each, batch per step)
    for n in (n for n in args.processes if n > 1):
        setups += [(n, max(1, cores // n), batch), (n, max(1, cores // n), n * batch)]
    rows = []
    for processes, threads, per_step in setups:
        run = timed_run(processes, threads, per_step, args)  # train_method splits the batch over the processes
        steps_per_second = args.steps / run["seconds"]
        rows.append([processes, threads, per_step // processes, per_step, round(steps_per_second, 3),
                     round(steps_per_second * per_step, 1), round(run["cpu_seconds"] / args.steps, 3)])
        print(rows[-1], flush=True)
    reference = rows[1][5]  # one process, every core
    return [row + [round(row[5] / reference, 2)] for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", default="MoCoGAN")
    parser.add_argument("--profile", choices=("cpu", "gpu"), default="cpu", help="sizes and batch of this profile")
    parser.add_argument("--device", default="cpu", help="cpu (gloo), or cuda with one GPU per process (nccl)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.method, args.profile, args.batch, args.warmup, args.steps, args.out)
        return 0
    load_before = os.getloadavg()[0]
    rows = measure(args)
    load_after = os.getloadavg()[0]
    gpu = args.device.startswith("cuda")
    results.put_measurement(
        "ddp_throughput_gpu" if gpu else "ddp_throughput",
        title=f"Lesson 07: {args.method} ({LESSON}, {args.profile} profile sizes) on 1 and more processes",
        command="python benchmarks/ddp_throughput.py " + " ".join(sys.argv[1:]), machine=machine(), columns=COLUMNS,
        rows=rows, text=f"{args.steps} steps after {args.warmup} warm-up steps, best of {args.repeats} runs; "
                        f"load average {load_before:.1f} before and {load_after:.1f} after (other jobs share the machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
