"""Profiles, seeds, device and measured claims: the settings every lesson starts from.

Three profiles, one notebook (DESIGN.md, principle 2):

- ``smoke``: every notebook in seconds, for the test suite;
- ``cpu``: a 2-core laptop, each lesson's training in a few minutes;
- ``gpu``: Colab and friends, larger models, longer runs, mixed precision.

``VGAN_PROFILE`` picks one (default: ``gpu`` when CUDA is present, else ``cpu``) and
``VGAN_SEED`` the seed (default 0). A notebook states its per-profile settings once::

    cfg = settings(smoke=dict(steps=20), cpu=dict(steps=2000), gpu=dict(steps=20000))
    cfg.steps  # the value for the current profile

and every number a lesson claims goes through :func:`claim` (principle 3).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

PROFILES = ("smoke", "cpu", "gpu")


def current_profile() -> str:
    """The active profile: ``VGAN_PROFILE`` if set, else ``gpu`` with CUDA, else ``cpu``."""
    name = os.environ.get("VGAN_PROFILE", "").strip().lower()
    if not name:
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
    seed = current_seed() if seed is None else int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def device() -> torch.device:
    """The device lessons train on: ``VGAN_DEVICE`` if set, else CUDA when present, else CPU."""
    wanted = os.environ.get("VGAN_DEVICE", "").strip()
    if wanted:
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def run_dir(lesson: str) -> Path:
    """Where a lesson keeps checkpoints and TensorBoard logs: ``$VGAN_RUNS/lesson/profile-seedN``.

    ``VGAN_RUNS`` defaults to ``runs`` (next to the notebook). On Colab, point it at a mounted
    Google Drive folder and training resumes after a disconnect.
    """
    root = Path(os.environ.get("VGAN_RUNS", "runs"))
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


# --- Measured claims (DESIGN.md, principle 3) --------------------------------------------


@dataclass
class Claim:
    """One measured statement of a lesson, e.g. "the DCGAN covers at least 7 digit classes"."""

    lesson: str
    name: str
    value: float
    at_least: float | None
    at_most: float | None
    exact: bool
    profile: str
    seed: int
    holds: bool
    asserted: bool


class ClaimFailed(AssertionError):
    """A lesson's measured claim did not hold in a profile where it must."""


def claim(
    lesson: str,
    name: str,
    value: float,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    exact: bool = False,
) -> None:
    """Record a measured claim and assert it where the profile requires.

    Claims assert in the ``cpu`` and ``gpu`` profiles. In ``smoke`` they are recorded without
    asserting (a few training steps prove nothing), except ``exact=True`` claims: those made on
    exact math or on shipped trained checkpoints, which must hold in every profile.

    Each claim is appended as one JSON line to the file named by ``VGAN_CLAIMS_FILE`` when that
    variable is set; the benchmark collects them into the results file. ``VGAN_CLAIMS_KEEP_GOING=1``
    records a failed claim without raising, so that one run (on a rented GPU, say) reports every
    claim of the lesson; the benchmark then counts the run as failed.
    """
    if at_least is None and at_most is None:
        raise ValueError("a claim needs a bound: pass at_least=..., at_most=... or both")
    value = float(value)
    holds = bool(np.isfinite(value))
    if at_least is not None:
        holds = holds and value >= at_least
    if at_most is not None:
        holds = holds and value <= at_most
    profile = current_profile()
    asserted = exact or profile in ("cpu", "gpu")
    record = Claim(lesson, name, value, at_least, at_most, exact, profile, current_seed(), holds, asserted)
    _append_claim(record)
    bound = " and ".join(
        f"{op} {b:g}" for op, b in ((">=", at_least), ("<=", at_most)) if b is not None
    )
    keep_going = os.environ.get("VGAN_CLAIMS_KEEP_GOING", "0") == "1"
    status = "holds" if holds else ("FAILS" if asserted else "not yet (smoke: recorded only)")
    print(f"claim [{lesson}] {name}: {value:.4g} (expected {bound}) -> {status}"
          + (" (VGAN_CLAIMS_KEEP_GOING: going on)" if asserted and not holds and keep_going else ""))
    if asserted and not holds and not keep_going:
        raise ClaimFailed(f"[{lesson}] {name}: measured {value:.4g}, expected {bound} (profile {profile})")


def record_table(lesson: str, name: str, rows: list[dict]) -> None:
    """Record a table a lesson measured (an ablation, a results table) for the benchmark.

    ``rows`` is a list of flat dicts of numbers and strings, e.g. one row per (method, seed).
    Nothing is asserted; the benchmark stores the table in its results file and README quotes it.
    """
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise ValueError("rows must be a non-empty list of dicts")
    _append_line({"table": name, "lesson": lesson, "profile": current_profile(), "seed": current_seed(),
                  "rows": rows})


def _append_claim(record: Claim) -> None:
    _append_line(asdict(record))


def _append_line(record: dict) -> None:
    path = os.environ.get("VGAN_CLAIMS_FILE")
    if not path:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def _read_lines(path: str | os.PathLike) -> list[dict]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_claims(path: str | os.PathLike) -> list[Claim]:
    """All claims recorded in a ``VGAN_CLAIMS_FILE``, in order."""
    return [Claim(**record) for record in _read_lines(path) if "table" not in record]


def read_tables(path: str | os.PathLike) -> list[dict]:
    """All tables recorded in a ``VGAN_CLAIMS_FILE`` by :func:`record_table`, in order."""
    return [record for record in _read_lines(path) if "table" in record]
