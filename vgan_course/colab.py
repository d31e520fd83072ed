"""Colab: what the first cell of every lesson does there, and nothing anywhere else.

On Colab (``google.colab`` imported) that cell installs the course's tagged release
(:func:`install_requirement`: Colab keeps its own torch, IPython and widgets), then calls
:func:`check_runtime`, which says whether a GPU is attached and where checkpoints are kept.
:func:`keep_runs_on_drive` mounts Google Drive and points ``VGAN_RUNS`` at it, so that training
resumes after the runtime disconnects.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import __version__

REPOSITORY = "https://github.com/vgan-course/vgan-course"
DRIVE_RUNS = "/content/drive/MyDrive/vgan-course/runs"


def on_colab() -> bool:
    """Whether this kernel runs on Google Colab."""
    return "google.colab" in sys.modules


def release_tag(version: str = __version__) -> str:
    """The git tag of a release: ``v`` and the package version (maintainers tag every release)."""
    return f"v{version}"


def install_requirement() -> str:
    """What the notebooks' first cell gives pip on Colab: the tagged release of this version."""
    return f"vgan-course @ git+{REPOSITORY}@{release_tag()}"


def runtime_advice(gpu: str | None, runs: str | None) -> list[str]:
    """What to do on this Colab runtime: ``gpu`` is the GPU's name (``None``: no GPU attached),
    ``runs`` the ``VGAN_RUNS`` folder (``None``: not set)."""
    lines = [f"GPU: {gpu}; lessons run in the `gpu` profile." if gpu else
             "No GPU attached: Runtime > Change runtime type > T4 GPU, then run the notebook from the top "
             "(without one the lesson runs in the `cpu` profile, slower and smaller)."]
    if runs and runs.startswith("/content/drive"):
        lines.append(f"Checkpoints go to {runs} on your Google Drive: training resumes after a disconnect.")
    else:
        lines.append(f"Checkpoints go to {runs or '/content/runs'}, which is lost when the runtime disconnects. "
                     "To keep them: `from vgan_course import colab; colab.keep_runs_on_drive()` before the next cell.")
    return lines


def check_runtime() -> None:
    """Print :func:`runtime_advice` for this runtime (nothing off Colab)."""
    if not on_colab():
        return
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    print("\n".join(runtime_advice(gpu, os.environ.get("VGAN_RUNS"))))


def keep_runs_on_drive(folder: str = DRIVE_RUNS) -> Path:
    """Mount Google Drive and keep checkpoints and TensorBoard logs in ``folder`` (sets ``VGAN_RUNS``)."""
    if not on_colab():
        raise RuntimeError("keep_runs_on_drive() mounts Google Drive, which exists only on Colab; "
                           "elsewhere set VGAN_RUNS to the folder you want")
    from google.colab import drive

    drive.mount("/content/drive")
    Path(folder).mkdir(parents=True, exist_ok=True)
    os.environ["VGAN_RUNS"] = folder
    print(f"VGAN_RUNS={folder}")
    return Path(folder)
