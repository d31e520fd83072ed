"""The ``vgan-course`` command: ``doctor`` checks a setup, ``run`` executes a lesson headless,
``sync`` regenerates notebooks from their py:percent twins."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sys
from pathlib import Path


def doctor() -> int:
    """Print versions, device, profile and the data sources found; returns an exit code."""
    import torch

    from . import profiles

    print(f"python        {platform.python_version()} ({sys.executable})")
    for package in ("vgan-course", "torch", "numpy", "scikit-learn", "matplotlib", "av", "tensorboard", "ipywidgets"):
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


def sync_notebooks(paths: list[Path]) -> list[Path]:
    """Write each py:percent twin's ``.ipynb``, without outputs; returns the notebooks written.

    The ``.py`` file is the source a person edits and reviews; the ``.ipynb`` is generated.
    """
    import jupytext

    written = []
    for path in paths:
        twins = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for twin in twins:
            notebook = jupytext.read(twin, fmt="py:percent")
            for index, cell in enumerate(notebook.cells):  # stable ids: regenerating changes nothing
                cell.id = f"cell-{index:03d}"
            target = twin.with_suffix(".ipynb")
            text = jupytext.writes(notebook, fmt="ipynb")
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
                written.append(target)
    return written


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
    args = parser.parse_args(argv)
    if args.command == "sync":
        for path in sync_notebooks(args.paths):
            print(f"wrote {path}")
        return 0
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
