"""Profiles, seeds, device and measured claims: the settings every lesson starts from.

Three profiles, one notebook:

- ``smoke``: every notebook in seconds, for the test suite;
- ``cpu``: a 2-core laptop, each lesson's training in a few minutes;
- ``gpu``: Colab and friends, larger models, longer runs, mixed precision.

``VGAN_PROFILE`` picks one (default: ``gpu`` when CUDA is present, else ``cpu``) and
``VGAN_SEED`` the seed (default 0). A notebook states its per-profile settings once::

    cfg = settings(smoke=dict(steps=20), cpu=dict(steps=2000), gpu=dict(steps=20000))
    cfg.steps  # the value for the current profile

and every number a lesson claims goes through :func:`vgan_course.claims.claim`.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from .folders import check_writable

if TYPE_CHECKING:
    import torch

PROFILES = ("smoke", "cpu", "gpu")


def current_profile() -> str:
    """The active profile: ``VGAN_PROFILE`` if set, else ``gpu`` with CUDA, else ``cpu``."""
    name = os.environ.get("VGAN_PROFILE", "").strip().lower()
    if not name:
        import torch  # here, not above: the command line and the claims need no torch

        return "gpu" if torch.cuda.is_available() else "cpu"
    if name not in PROFILES:
        raise ValueError(f"VGAN_PROFILE must be one of {PROFILES}, got {name!r}")
    return name


def current_seed() -> int:
    """The seed from ``VGAN_SEED`` (default 0)."""
    raw = os.environ.get("VGAN_SEED", "0").strip() or "0"
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"VGAN_SEED must be an integer, got {raw!r}") from None


def seed_everything(seed: int | None = None) -> int:
    """Seed Python, NumPy and torch (CPU and CUDA); returns the seed used.

    With ``seed=None`` the seed comes from ``VGAN_SEED``. On the CPU a seeded run is
    deterministic; on a GPU some kernels are not, which the ``gpu`` profile accepts.
    """
    import torch

    seed = current_seed() if seed is None else int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def device() -> torch.device:
    """The device lessons train on: ``VGAN_DEVICE`` if set, else CUDA when present, else CPU."""
    import torch

    wanted = os.environ.get("VGAN_DEVICE", "").strip()
    if wanted:
        return usable_device(wanted, "VGAN_DEVICE")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def usable_device(name: str, source: str = "device") -> torch.device:
    """``torch.device(name)`` after checking that this machine has it (a tensor can be made on it);
    a ``ValueError`` naming ``source`` otherwise."""
    import torch

    try:
        chosen = torch.device(name)
    except RuntimeError:
        raise ValueError(f"{source}={name!r} is not a device name (expected e.g. 'cpu', 'cuda', 'cuda:1', 'mps')") from None
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{source}={name!r} asks for CUDA, but this machine has no usable CUDA device "
                         f"(torch {torch.__version__}); unset it or use 'cpu'")
    try:
        torch.empty(1, device=chosen)
    except (RuntimeError, AssertionError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        raise ValueError(f"{source}={name!r} is not usable on this machine: {reason}") from None
    return chosen


def runs_root() -> Path:
    """The folder of every lesson's checkpoints and TensorBoard logs: ``VGAN_RUNS`` if set; else
    ``runs/`` at the root of the course's repository when the package is installed from one
    (``make lab``: the same folder whatever the notebook's working directory, so that
    ``tensorboard --logdir runs`` from the root finds every lesson); else ``runs/`` in the working
    directory (a pip-installed package, e.g. on Colab). A ``ValueError`` if ``VGAN_RUNS`` is set but
    empty."""
    raw = os.environ.get("VGAN_RUNS")
    if raw is not None:
        if not raw.strip():
            raise ValueError("VGAN_RUNS is set but empty: unset it to use runs/, or name a folder")
        return Path(raw.strip())
    repository = Path(__file__).resolve().parents[1]
    if (repository / "pyproject.toml").is_file() and (repository / "notebooks").is_dir():
        return repository / "runs"
    return Path("runs").resolve()


def run_dir(lesson: str) -> Path:
    """Where a lesson keeps checkpoints and TensorBoard logs: ``runs_root() / lesson / profile-seedN``.

    On Colab, point ``VGAN_RUNS`` at a mounted Google Drive folder
    (:func:`vgan_course.colab.keep_runs_on_drive`) and training resumes after a disconnect. Checked
    here, before any training: a ``ValueError`` if nothing can be written there.
    """
    root = runs_root()
    check_writable(root, "checkpoints (VGAN_RUNS)")
    return root / lesson / f"{current_profile()}-seed{current_seed()}"


def settings(**per_profile: dict) -> SimpleNamespace:
    """One notebook cell states its settings for every profile; returns the active ones.

    Example::

        cfg = settings(smoke=dict(steps=20, batch=16), cpu=dict(steps=1500, batch=64),
                       gpu=dict(steps=8000, batch=256))

    Every profile must be given, with the same keys, so that no setting is silently missing.
    The returned namespace also carries ``profile``, ``seed`` and ``device``.
    """
    if set(per_profile) != set(PROFILES):
        raise ValueError(f"settings() needs exactly the profiles {PROFILES}, got {tuple(per_profile)}")
    keys = {name: set(values) for name, values in per_profile.items()}
    if len({frozenset(k) for k in keys.values()}) != 1:
        raise ValueError(f"every profile must set the same keys, got {keys}")
    profile = current_profile()
    chosen = dict(per_profile[profile])
    reserved = {"profile", "seed", "device"} & set(chosen)
    if reserved:
        raise ValueError(f"{sorted(reserved)} are set by the course, not by settings()")
    return SimpleNamespace(profile=profile, seed=current_seed(), device=device(), **chosen)
