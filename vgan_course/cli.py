"""The ``vgan-course`` command.

``doctor`` checks a setup, ``run`` executes a lesson headless, ``sync`` regenerates notebooks
from their py:percent twins, ``release`` writes assignments from solutions, ``grade`` grades a
folder of submissions, ``train-checkpoints`` rebuilds the small networks shipped with the package.
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
    print(f"device        {profiles.device()}")
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


def run_notebook(notebook: Path, profile: str, out: Path | None, timeout: int) -> Path:
    """Execute ``notebook`` top to bottom in ``profile``; save the executed copy; returns its path."""
    import nbformat
    from nbclient import NotebookClient

    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook at {notebook}")
    nb = nbformat.read(notebook, as_version=4)
    os.environ["VGAN_PROFILE"] = profile  # the kernel inherits the environment
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent.resolve())}})
    out = out or Path("outputs") / profile / notebook.name
    try:
        client.execute()
    finally:
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    return out


def _train_video_features() -> tuple[dict, dict]:
    from .metrics import video

    model = video.train_video_features()
    return model.state_dict(), video.evaluate_video_features(model)


def _video_gan_trainer(name: str):
    def trainer() -> tuple[dict, dict]:
        from . import video_gans

        return video_gans.train_for_shipping(name, video_gans.SHIPPED_STEPS[name])
    return trainer


def _style_trainer(method: str, footage: bool):
    def trainer() -> tuple[dict, dict]:
        from . import style_transfer

        return style_transfer.train_for_shipping(method, footage_run=footage)
    return trainer


def _restoration_trainer(method: str, carphone: bool):
    def trainer() -> tuple[dict, dict]:
        from . import restoration

        return restoration.train_for_shipping(method, carphone=carphone)
    return trainer


def checkpoint_trainers() -> dict:
    """Shipped checkpoint name -> trainer returning (state dict, what it measured on held-out data).

    Each trains from scratch: the video metric's feature network, lesson 03's generators,
    lesson 04's A -> B generators (the two-style world, and real footage) and lesson 05's
    restorers (the synthetic world, and the carphone pair).
    """
    from . import restoration, style_transfer
    from .video_gans import MODELS, shipped_name

    return {"video_features": _train_video_features, **{shipped_name(n): _video_gan_trainer(n) for n in MODELS},
            **{style_transfer.shipped_name(m): _style_trainer(m, False) for m in style_transfer.METHODS},
            **{style_transfer.shipped_name(m, True): _style_trainer(m, True) for m in style_transfer.FOOTAGE_METHODS},
            **{restoration.shipped_name(m): _restoration_trainer(m, False) for m in restoration.METHODS},
            **{restoration.shipped_name(m, True): _restoration_trainer(m, True) for m in restoration.CARPHONE_METHODS}}


def train_checkpoints(names: list[str]) -> int:
    """``vgan-course train-checkpoints``: retrain shipped checkpoints and record them in the manifest."""
    import torch

    from . import shipped

    trainers = checkpoint_trainers()
    unknown = sorted(set(names) - set(trainers))
    if unknown:
        print(f"unknown checkpoint(s) {unknown}; choose from {sorted(trainers)}", file=sys.stderr)
        return 1
    for name in names or list(trainers):
        torch.manual_seed(0)
        state, measured = trainers[name]()
        entry = shipped.save_state(name, state, f"vgan-course train-checkpoints {name}", measured)
        print(f"{name}: {entry['bytes'] / 1e6:.2f} MB, sha256 {entry['sha256'][:16]}..., measured {measured}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vgan-course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check versions, device, profile and data")
    run = commands.add_parser("run", help="execute a notebook headless and save the executed copy")
    run.add_argument("notebook", type=Path)
    run.add_argument("--profile", choices=("smoke", "cpu", "gpu"), default="cpu")
    run.add_argument("--out", type=Path, default=None, help="where to save (default outputs/PROFILE/NAME)")
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
    checkpoints = commands.add_parser("train-checkpoints", help="retrain the networks shipped with the package")
    checkpoints.add_argument("names", nargs="*", help="default: all (video_features, video_gan_*)")
    args = parser.parse_args(argv)
    if args.command == "train-checkpoints":
        return train_checkpoints(args.names)
    if args.command == "release":
        return grading.release(args.assignments, args.solutions, args.out, args.student_dir, args.force)
    if args.command == "grade":
        return grading.grade(args)
    if args.command == "sync":
        return grading.sync(args.paths, args.force)
    if args.command == "doctor":
        return doctor()
    if args.command == "run":
        try:
            out = run_notebook(args.notebook, args.profile, args.out, args.timeout)
        except Exception as error:
            print(f"vgan-course run: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        print(f"executed {args.notebook} ({args.profile}) -> {out}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
