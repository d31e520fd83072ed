"""The results file, ``benchmarks/results.json``, and its one writer.

Two kinds of entries:

- **lesson runs** (``"lesson_runs"``): the records of ``vgan-course run --record`` (lesson, profile,
  seed, wall time, error, every claim and table), one per (lesson, profile, retrained or not,
  seed); a new run replaces the old one of the same key;
- **measurements** (``"measurements"``): anything else a benchmark times or measures, each a
  table with a title, the command that measures it, and the machine it ran on.

``python benchmarks/report.py`` turns the file into ``docs/results.md`` and README's summary.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def load(path: Path = RESULTS) -> dict:
    results = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("lesson_runs", [])
    results.setdefault("measurements", {})
    return results


def _save(results: dict, path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)


def _run_key(run: dict) -> tuple:
    return run["lesson"], run["profile"], bool(run.get("retrain")), run["seed"]


def add_runs(records: list[dict], command: str, note: str | None = None, path: Path = RESULTS) -> None:
    """Store lesson-run records (as ``vgan-course run --record`` writes them), replacing the earlier run
    of each (lesson, profile, retrain, seed). ``command`` is what reproduces them."""
    results = load(path)
    new = {_run_key(r): {**r, "command": command, **({"note": note} if note else {})} for r in records}
    kept = [r for r in results["lesson_runs"] if _run_key(r) not in new]
    results["lesson_runs"] = sorted(kept + list(new.values()), key=_run_key)
    _save(results, path)


def put_measurement(key: str, *, title: str, command: str, machine: dict, columns: list[str], rows: list[list],
                    text: str = "", path: Path = RESULTS) -> None:
    """Store (or replace) one measurement table under ``key``."""
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"every row of {key!r} must have {len(columns)} cells: {columns}")
    results = load(path)
    results["measurements"][key] = {"title": title, "text": text, "command": command, "machine": machine,
                                    "columns": columns, "rows": rows}
    _save(results, path)
