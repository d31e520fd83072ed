"""Run lessons as plain scripts, several at once: for a GPU machine that has torch but no Jupyter.

Each lesson's jupytext twin (``notebooks/NN_name.py``) is a valid Python script: the same cells,
run top to bottom, except that a cell's last expression is not displayed. This runs the chosen
lessons and seeds as separate processes, ``--jobs`` at a time, in one profile, and writes one
JSON file with the same run records as ``python benchmarks/run.py lessons`` (wall time, error,
every claim and table), plus the machine and how many ran at once. Fold it into the results
file with ``python benchmarks/run.py merge FILE``.

Example (what checked the ``gpu`` profile on an H200)::

    python benchmarks/script_lessons.py --profile gpu --only 00 01 03 --seeds 0 1 --out gpu.json

Runs that share one GPU slow each other down: their wall times are upper bounds for a run alone.

For a short GPU lease, ``--runs DIR`` keeps every run's checkpoints under ``DIR`` (instead of a
scratch folder), so that networks trained beforehand by ``benchmarks/warm_start.py`` into the same
``DIR`` are only loaded; its timings (``DIR/warm_start.json``) go into the record. ``--keep-going``
runs each lesson to its end past a failed claim (``VGAN_CLAIMS_KEEP_GOING``): every claim is
recorded, and the run still counts as failed. The output file is rewritten as each run ends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import machine  # noqa: E402
from vgan_course import claims as recorded, profiles  # noqa: E402


def run_one(script: Path, seed: int, profile: str, retrain: bool, timeout: float, threads: int,
            runs: Path | None = None, keep_going: bool = False) -> dict:
    """One lesson script in its own process and scratch folder (checkpoints in ``runs`` if given); never raises."""
    with tempfile.TemporaryDirectory() as work:
        claims_file = Path(work) / "claims.jsonl"
        env = {**os.environ, "VGAN_PROFILE": profile, "VGAN_SEED": str(seed),
               "VGAN_RUNS": str(runs.resolve() if runs else Path(work) / "runs"),
               "VGAN_CLAIMS_KEEP_GOING": "1" if keep_going else "0",
               "VGAN_CLAIMS_FILE": str(claims_file), "VGAN_RETRAIN": "1" if retrain else "0", "MPLBACKEND": "Agg",
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "PYTHONUNBUFFERED": "1",
               "OMP_NUM_THREADS": str(threads)}
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, str(script)], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            output, error = done.stdout + done.stderr, None
            if done.returncode:
                error = (done.stderr.strip().splitlines() or ["exit code %d" % done.returncode])[-1][:300]
        except subprocess.TimeoutExpired as expired:
            output = (expired.stdout or b"").decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            error = f"timed out after {timeout:.0f} s"
        seconds = time.perf_counter() - start
        claims = recorded.read_claims(claims_file) if claims_file.exists() else []
        tables = recorded.read_tables(claims_file) if claims_file.exists() else []
    failed = [c.name for c in claims if c.asserted and not c.holds]
    if failed and error is None:  # --keep-going: the script ran to its end past these
        error = "claims failed: " + "; ".join(failed)
    return {"seed": seed, "seconds": round(seconds, 1), "error": error,
            "claims": [{"name": c.name, "value": c.value, "at_least": c.at_least, "at_most": c.at_most, "holds": c.holds}
                       for c in claims],
            "tables": {t["table"]: t["rows"] for t in tables}, "output_tail": output[-4000:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="gpu", choices=profiles.PROFILES)
    parser.add_argument("--only", nargs="+", required=True, help="lesson numbers, e.g. 00 03")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--retrain", action="store_true")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per lesson process")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per lesson run")
    parser.add_argument("--runs", type=Path, help="keep checkpoints here (see benchmarks/warm_start.py)")
    parser.add_argument("--keep-going", action="store_true", help="run past a failed claim, recording every claim")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    scripts = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")) if p.name[:2] in args.only]
    if not scripts:
        raise SystemExit(f"no lesson script matches {args.only}")
    jobs = [(script, seed) for script in scripts for seed in args.seeds]
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {job: pool.submit(run_one, *job, args.profile, args.retrain, args.timeout, args.threads, args.runs,
                                    args.keep_going) for job in jobs}
        out: dict = {}
        warm = args.runs / "warm_start.json" if args.runs else None
        for (script, seed), future in futures.items():
            record = future.result()
            holds = sum(c["holds"] for c in record["claims"])
            print(f"{script.stem} seed {seed}: {record['seconds']:.0f} s, {holds}/{len(record['claims'])} claims hold"
                  + (f", ERROR {record['error']}" if record["error"] else ""), flush=True)
            entry = out.setdefault(script.stem, {"profile": args.profile + (" (retrain)" if args.retrain else ""),
                                                 "runs": [], "how": f"as a script, {min(args.jobs, len(jobs))} at once"})
            if warm is not None and warm.exists():
                trained = json.loads(warm.read_text()).get(script.stem)
                if trained:
                    entry["how"] += ", its networks trained beforehand by benchmarks/warm_start.py"
                    entry["warm_start"] = trained
            entry["runs"].append(record)
            args.out.write_text(json.dumps({"machine": machine(), "lessons": out}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
