"""The ``vgan-course`` command.

``doctor`` checks a setup, ``run`` executes a lesson headless, ``sync`` regenerates notebooks
from their py:percent twins, ``release`` writes assignments from solutions, ``grade`` grades a
folder of submissions, ``train`` trains a lesson's methods from the shell, ``train-checkpoints``
rebuilds the small networks shipped with the package.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sys
from pathlib import Path

from .grading import commands as grading
from .grading.commands import sync_notebooks  # noqa: F401  (vgan_course.cli.sync_notebooks, as before)


def doctor() -> int:
    """Print versions, device, profile and the data sources found; returns an exit code."""
    import torch

    from . import profiles

    print(f"python        {platform.python_version()} ({sys.executable})")
    for package in ("vgan-course", "torch", "numpy", "scikit-learn", "matplotlib", "av", "scikit-video", "tensorboard",
                    "ipywidgets"):
        try:
            print(f"{package:<14}{importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            print(f"{package:<14}MISSING")
    cuda = torch.cuda.is_available()
    print(f"cuda          {'yes: ' + torch.cuda.get_device_name(0) if cuda else 'no (CPU only)'}")
    problems = 0
    try:
        print(f"profile       {profiles.current_profile()} (VGAN_PROFILE={os.environ.get('VGAN_PROFILE', '')!r})")
        print(f"seed          {profiles.current_seed()}")
    except ValueError as error:
        print(f"profile       ERROR: {error}")
        problems += 1
    try:
        chosen = profiles.device()
        print(f"device        {chosen} (VGAN_DEVICE={os.environ.get('VGAN_DEVICE', '')!r}): a tensor was made on it")
    except ValueError as error:
        print(f"device        ERROR: {error}")
        problems += 1
    try:
        print(f"runs          {profiles.run_dir('lesson').parent.resolve()} (VGAN_RUNS): writable")
    except ValueError as error:
        print(f"runs          ERROR: {error}")
        problems += 1
    print(f"sandbox       {grading.sandbox_line()}")  # informational: only `grade` needs it
    for name, check in _data_sources().items():
        try:
            print(f"data          {name}: {check()}")
        except Exception as error:  # report, do not crash: doctor is for broken setups
            print(f"data          {name}: ERROR {error}")
            problems += 1
    print("ok" if not problems else f"{problems} problem(s) found")
    return 1 if problems else 0


def _data_sources() -> dict:
    from .data import digit_images, moving_digits, moving_shapes

    return {
        "scikit-learn digits": lambda: f"{len(digit_images()[1])} images",
        "moving digits": lambda: f"clips of shape {tuple(moving_digits(1).video.shape)}",
        "moving shapes": lambda: f"clips of shape {tuple(moving_shapes(1).video.shape)}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vgan-course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check versions, device, profile and data")
    run = commands.add_parser("run", help="run lessons headless (several seeds, several at once) and record them")
    run.add_argument("lessons", type=Path, nargs="+", help="notebooks, or their .py twins")
    run.add_argument("--profile", choices=("smoke", "cpu", "gpu"), default="cpu")
    run.add_argument("--seeds", type=int, nargs="+", default=None, help="default: $VGAN_SEED or 0")
    run.add_argument("--jobs", type=int, default=1, help="runs at once (default 1)")
    run.add_argument("--retrain", action="store_true", help="lessons train every network here (VGAN_RETRAIN=1)")
    run.add_argument("--keep-going", action="store_true", help="record a failed claim and go on to the end")
    run.add_argument("--runs", type=Path, default=None, help="checkpoint folder to use (default: a scratch one)")
    run.add_argument("--out", type=Path, default=None,
                     help="executed notebook (one run) or folder (default outputs/PROFILE/)")
    run.add_argument("--record", type=Path, default=None, help="write every run's claims and tables to this JSON file")
    run.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    sync = commands.add_parser("sync", help="regenerate .ipynb files from their py:percent twins")
    sync.add_argument("paths", type=Path, nargs="*", default=[Path("notebooks"), Path("solutions")])
    sync.add_argument("--force", action="store_true", help="overwrite notebooks edited since they were generated")
    release = commands.add_parser("release", help="write student assignments from the instructor solutions")
    release.add_argument("assignments", nargs="*", help="e.g. 01 (default: every solution)")
    release.add_argument("--solutions", type=Path, default=Path("solutions"))
    release.add_argument("--out", type=Path, default=Path("assignments"))
    release.add_argument("--student-dir", type=Path, default=None,
                         help="write what students receive (lessons, assignments, the package) into this folder")
    release.add_argument("--force", action="store_true", help="overwrite files edited since they were generated")
    grade = commands.add_parser("grade", help="grade a folder of submissions into a CSV gradebook")
    grade.add_argument("submissions", type=Path, help="one notebook, or one folder, per student")
    grade.add_argument("--assignment", required=True, help="e.g. 01")
    grade.add_argument("--out", type=Path, default=Path("grades.csv"))
    grade.add_argument("--feedback", type=Path, default=None, help="feedback folder (default: next to the CSV)")
    grade.add_argument("--solutions", type=Path, default=Path("solutions"))
    grade.add_argument("--timeout", type=float, default=300.0, help="wall-clock seconds per submission (default 300)")
    grade.add_argument("--cell-timeout", type=float, default=60.0, help="CPU seconds per cell (default 60)")
    grade.add_argument("--memory-mb", type=int, default=2048, help="memory per submission (default 2048)")
    grade.add_argument("--scratch-mb", type=int, default=256, help="writable space per submission (default 256)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions at once (default: cores)")
    grade.add_argument("--force", action="store_true", help="re-grade over hand edits to the grader's columns "
                       "(each file overwritten is first copied to FILE.bak)")
    grade.add_argument("--no-sandbox", action="store_true", help="trusted work only: run submissions without "
                       "bubblewrap (every row's status says so)")
    trainer = commands.add_parser("train", help="train a lesson's methods from the shell, as the notebook would")
    trainer.add_argument("lesson", help="e.g. 03_temporal_generators")
    trainer.add_argument("methods", nargs="*", help="method names, e.g. MoCoGAN (or --all)")
    trainer.add_argument("--all", action="store_true", help="every method of the lesson")
    trainer.add_argument("--profile", choices=("smoke", "cpu", "gpu"), default=None,
                         help="default: gpu with CUDA, else cpu")
    trainer.add_argument("--seed", type=int, default=0)
    trainer.add_argument("--jobs", type=int, default=1, help="methods trained side by side (default 1)")
    checkpoints = commands.add_parser("train-checkpoints", help="retrain networks shipped with the package")
    checkpoints.add_argument("names", nargs="*", help="e.g. video_gan_mocogan")
    checkpoints.add_argument("--force", action="store_true",
                             help="replace a shipped network even when the new one scores worse")
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except (ValueError, OSError) as error:  # a mistake in the command or its environment: one line, no traceback
        print(f"vgan-course {args.command}: {error}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "train":
        from .methods.commands import train_command
        from .profiles import current_profile

        return train_command(args.lesson, args.methods, all_methods=args.all, profile=args.profile or current_profile(),
                             seed=args.seed, jobs=args.jobs)
    if args.command == "train-checkpoints":
        from .methods.commands import train_checkpoints

        return train_checkpoints(args.names, force=args.force)
    if args.command == "release":
        return grading.release(args.assignments, args.solutions, args.out, args.student_dir, args.force)
    if args.command == "grade":
        return grading.grade(args)
    if args.command == "sync":
        return grading.sync(args.paths, args.force)
    if args.command == "doctor":
        return doctor()
    if args.command == "run":
        from . import lesson_runs, profiles

        records = lesson_runs.run_all(args.lessons, profile=args.profile, seeds=args.seeds or [profiles.current_seed()],
                                      jobs=args.jobs, retrain=args.retrain, keep_going=args.keep_going,
                                      runs=args.runs, out=args.out, record=args.record, timeout=args.timeout)
        return 1 if any(r["error"] for r in records) else 0
    return 2


if __name__ == "__main__":
    code = main()
    from . import distributed  # imported here: torch is slow to import, and most commands never need it

    distributed.exit_process(code)  # under torchrun, without the interpreter's teardown
