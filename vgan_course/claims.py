"""Measured claims: every number a lesson states is computed, checked and recorded here.

A lesson says "the non-saturating loss does not vanish" by computing the number and calling::

    claims.claim("02", "early DCGAN: G gradient norm, non-saturating / minimax", ratio, at_least=10)

A claim **asserts** in the ``cpu`` and ``gpu`` profiles: a lesson whose claim fails stops there,
with the measured value and the bound. In ``smoke`` (a few training steps, for the test suite)
it is recorded without asserting, unless ``assert_in_smoke=True``: a claim on exact math or on a
network shipped with the course holds whatever the profile. Tables a lesson measures (an
ablation, a results table) are recorded by :func:`record_table`.

Where the records go: ``vgan-course run --record FILE`` sets ``VGAN_CLAIMS_FILE`` for the kernel
that runs the lesson, and every claim and table is appended to that file as one JSON line;
``--keep-going`` sets ``VGAN_CLAIMS_KEEP_GOING=1``, so a failed claim is recorded and the lesson
goes on (the run still counts as failed). Without them (a student in JupyterLab) nothing is
written and a failed claim raises. :func:`read_claims` and :func:`read_tables` read a file back.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .profiles import current_profile, current_seed

RECORD_VARIABLE = "VGAN_CLAIMS_FILE"  # set by `vgan-course run --record FILE`
KEEP_GOING_VARIABLE = "VGAN_CLAIMS_KEEP_GOING"  # set to 1 by `vgan-course run --keep-going`


@dataclass
class Claim:
    """One measured statement of a lesson, e.g. "the DCGAN covers at least 8 digit classes"."""

    lesson: str
    name: str
    value: float
    at_least: float | None
    at_most: float | None
    assert_in_smoke: bool
    profile: str
    seed: int
    holds: bool
    asserted: bool


class ClaimFailed(AssertionError):
    """A lesson's measured claim did not hold in a profile where it must."""


def claim(lesson: str, name: str, value: float, *, at_least: float | None = None, at_most: float | None = None,
          assert_in_smoke: bool = False) -> None:
    """Record a measured claim and assert it where the profile requires (see the module's text).

    ``value`` must be finite and within ``[at_least, at_most]`` (give one bound or both).
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
    asserted = assert_in_smoke or profile in ("cpu", "gpu")
    _append_line(asdict(Claim(lesson, name, value, at_least, at_most, assert_in_smoke, profile, current_seed(),
                              holds, asserted)))
    bound = " and ".join(f"{op} {b:g}" for op, b in ((">=", at_least), ("<=", at_most)) if b is not None)
    keep_going = os.environ.get(KEEP_GOING_VARIABLE, "0") == "1"
    status = "holds" if holds else ("FAILS" if asserted else "not yet (smoke: recorded only)")
    going_on = " (--keep-going: going on)" if asserted and not holds and keep_going else ""
    print(f"claim [{lesson}] {name}: {value:.4g} (expected {bound}) -> {status}{going_on}")
    if asserted and not holds and not keep_going:
        raise ClaimFailed(f"[{lesson}] {name}: measured {value:.4g}, expected {bound} (profile {profile})")


def record_table(lesson: str, name: str, rows: list[dict]) -> None:
    """Record a table a lesson measured (an ablation, a results table); nothing is asserted.

    ``rows`` is a list of flat dicts of numbers and strings, e.g. one row per method.
    """
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise ValueError("rows must be a non-empty list of dicts")
    _append_line({"table": name, "lesson": lesson, "profile": current_profile(), "seed": current_seed(), "rows": rows})


def record_shipped(name: str, sha256: str) -> None:
    """Note that this run loaded shipped network ``name`` with digest ``sha256`` (called by
    :func:`vgan_course.shipped.load_state`), so that a recorded result names the networks it measured."""
    _append_line({"shipped": name, "sha256": sha256})


def _append_line(record: dict) -> None:
    path = os.environ.get(RECORD_VARIABLE)
    if not path:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def _read_lines(path: str | os.PathLike) -> list[dict]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_claims(path: str | os.PathLike) -> list[Claim]:
    """All claims recorded in a file written during ``vgan-course run --record FILE``, in order."""
    return [Claim(**record) for record in _read_lines(path) if "table" not in record and "shipped" not in record]


def read_tables(path: str | os.PathLike) -> list[dict]:
    """All tables recorded in such a file by :func:`record_table`, in order."""
    return [record for record in _read_lines(path) if "table" in record]


def read_shipped(path: str | os.PathLike) -> dict[str, str]:
    """The shipped networks a run loaded, recorded by :func:`record_shipped`: ``{name: sha256}``."""
    return {record["shipped"]: record["sha256"] for record in _read_lines(path) if "shipped" in record}
