"""Lesson 02's tuning and long runs, recorded inside the package for the lesson to read.

    python benchmarks/mode_collapse_tuning.py                      # every section, seeds 100 and 101
    python benchmarks/mode_collapse_tuning.py --section grid --workers 2
    python benchmarks/mode_collapse_tuning.py --section grid --remedies "spectral norm + hinge" WGAN-GP
    python benchmarks/mode_collapse_tuning.py --section digits --seeds 100 101 102

Sections (each replaces its part of ``vgan_course/recorded/02_tuning.json``):

- ``grid``: every setting of every remedy (``vgan_course.mode_collapse.tuning.GRID``) on every
  seed, on the lesson's task and budget (ring of 8, lesson 01's MLPs, 4000 G steps, batch 256),
  then the control (plain GAN, same optimizer and D steps) of every best setting that needs one;
- ``longer``: the plain GAN with a lower learning rate trained five times longer, and the shared
  default trained as long, scored every 2000 G steps (so both are compared at the same number of
  examples seen, and to convergence, not only after the short budget);
- ``digits``: lesson 01's DCGAN against MSG-GAN on digits, the classes counted by the course's
  digit classifier every ``--digit-steps / 4`` steps.

The seeds are not the lesson's (it trains on 0-24): the lesson's runs check the chosen settings
on fresh seeds. The file is rewritten after every finished run, and a rerun skips the runs it
already holds (same name, seed and steps), so an interrupted tuning resumes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "vgan_course" / "recorded" / "02_tuning.json"
STEPS, BATCH, LONGER = 4000, 256, 5  # the lesson's budget; the long runs take LONGER times as many steps

from benchmarks.run import machine  # noqa: E402


def _run_2d(recipe, steps: int, seed: int, snapshots: int) -> dict:
    """One 2-D run in a worker process (one thread), as a record of numbers."""
    torch.set_num_threads(1)
    from vgan_course import data, metrics, mode_collapse

    ring = data.ring_of_gaussians()
    run = mode_collapse.train_2d(recipe, ring, steps=steps, seed=seed, batch=BATCH, snapshots=snapshots,
                                  progress=False)
    record = {"name": recipe.name, "settings": json.loads(json.dumps(recipe.changes())), "seed": seed, "steps": steps, "batch": BATCH,
              "modes_covered": run.coverage.modes_covered, "n_modes": ring.n_modes, "modes_near": run.near.modes_covered,
              "high_quality": round(run.coverage.high_quality_fraction, 4), "d_updates": run.d_updates,
              "seconds": round(run.seconds, 1)}
    if snapshots:
        record["snapshots"] = [{"step": step, "modes_covered": metrics.mode_coverage(s, ring).modes_covered,
                                "modes_near": metrics.mode_coverage(s, ring, n_std=10).modes_covered,
                                "high_quality": round(metrics.mode_coverage(s, ring).high_quality_fraction, 4)}
                               for step, s in run.snapshots]
    return record


def _run_digits(architecture: str, steps: int, seed: int) -> dict:
    torch.set_num_threads(1)
    from vgan_course import mode_collapse

    run = mode_collapse.train_digit_gan(architecture, steps=steps, seed=seed, snapshots=4, progress=False)
    return {"name": architecture, "seed": seed, "steps": steps, "seconds": round(run.seconds, 1),
            "parameters": run.parameters,
            "snapshots": [{"step": step, **score} for step, score in run.snapshots]}


class Recorder:
    """The results file: read once, updated and rewritten (atomically) after every run."""

    def __init__(self, path: Path):
        self.path = path
        self.data = json.loads(path.read_text()) if path.exists() else {}

    def done(self, section: str, key: str) -> dict:
        return {(r["name"], r["seed"], r["steps"]): r for r in self.data.get(section, {}).get(key, [])}

    def add(self, section: str, key: str, record: dict, **header) -> None:
        part = self.data.setdefault(section, {})
        part.update(header, machine=machine())
        part.setdefault(key, []).append(record)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(self.data, indent=1, sort_keys=True) + "\n")
        os.replace(scratch, self.path)


def run_jobs(recorder: Recorder, section: str, key: str, jobs: list, worker, workers: int, header: dict) -> None:
    """Run ``worker(*args)`` for every job not yet recorded; ``jobs`` are (extra fields, args), and every
    worker takes (what to train, steps, seed, ...): a recipe or an architecture's name."""
    done = recorder.done(section, key)

    def key_of(args) -> tuple:
        what, steps, seed = args[:3]
        return (what if isinstance(what, str) else what.name, seed, steps)

    todo = [(extra, args) for extra, args in jobs if key_of(args) not in done]
    print(f"{section}/{key}: {len(jobs) - len(todo)} runs recorded already, {len(todo)} to go", flush=True)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(worker, *args): extra for extra, args in todo}
        for future in as_completed(futures):
            record = {**futures[future], **future.result()}
            recorder.add(section, key, record, **header)
            print(f"  {record['name']} seed {record['seed']}: {record.get('modes_covered', '')} "
                  f"({record['seconds']:.0f} s)", flush=True)


def section_grid(recorder: Recorder, seeds: list[int], workers: int, remedies: list[str] | None = None) -> None:
    """The grid of ``remedies`` (every remedy of GRID by default), then the controls of their best settings."""
    from vgan_course import mode_collapse

    header = {"command": "python benchmarks/mode_collapse_tuning.py --section grid", "task": "ring of 8",
              "steps": STEPS, "batch": BATCH, "seeds": seeds, "selection": "most modes covered on average, "
              "then the higher high-quality fraction"}
    grids = {remedy: settings for remedy, settings in mode_collapse.grid().items() if remedies is None or remedy in remedies}
    if remedies is not None and set(remedies) - set(grids):
        raise ValueError(f"unknown remedies {sorted(set(remedies) - set(grids))}; choose from {list(mode_collapse.GRID)}")
    jobs = [({"remedy": remedy, "label": label}, (recipe, STEPS, seed, 0))
            for remedy, settings in grids.items() for label, recipe in settings for seed in seeds]
    run_jobs(recorder, "grid", "runs", jobs, _run_2d, workers, header)
    runs = recorder.data["grid"]["runs"]
    controls = []
    for remedy, settings in grids.items():
        best = dict(settings)[mode_collapse.best_label(runs, remedy)]
        control = mode_collapse.control_for(best)
        if control is not None:
            controls += [({"for": best.name}, (control, STEPS, seed, 0)) for seed in seeds]
    # a control that the plain GAN's own grid trained already (same settings, same seed) is not trained twice
    plain_runs = {(json.dumps(r["settings"], sort_keys=True), r["seed"]): r for r in runs if r["remedy"] == "plain GAN"}
    to_train = []
    for extra, (control, steps, seed, snapshots) in controls:
        same = plain_runs.get((json.dumps(control.changes(), sort_keys=True), seed))
        if same is None:
            to_train.append((extra, (control, steps, seed, snapshots)))
        elif (control.name, seed, steps) not in recorder.done("grid", "controls"):
            recorder.add("grid", "controls", {**same, **extra, "name": control.name, "reused": same["name"]}, **header)
    run_jobs(recorder, "grid", "controls", to_train, _run_2d, workers, header)


def section_longer(recorder: Recorder, seeds: list[int], workers: int) -> None:
    from vgan_course import mode_collapse

    steps = LONGER * STEPS
    header = {"command": "python benchmarks/mode_collapse_tuning.py --section longer", "task": "ring of 8",
              "steps": steps, "batch": BATCH, "seeds": seeds, "snapshot_every": STEPS // 2}
    default = mode_collapse.Recipe("plain GAN, learning rate 1e-3 (shared default)")
    lower = default.variant(f"plain GAN, learning rate 2e-4 ({LONGER} x lower)", lr_g=2e-4, lr_d=2e-4)
    jobs = [({}, (recipe, steps, seed, 2 * LONGER)) for recipe in (default, lower) for seed in seeds]
    run_jobs(recorder, "longer", "runs", jobs, _run_2d, workers, header)


def section_digits(recorder: Recorder, seeds: list[int], workers: int, steps: int) -> None:
    from vgan_course import mode_collapse

    header = {"command": f"python benchmarks/mode_collapse_tuning.py --section digits --digit-steps {steps}",
              "steps": steps, "seeds": seeds, **mode_collapse.DIGIT_SETTINGS}
    jobs = [({}, (architecture, steps, seed)) for architecture in mode_collapse.ARCHITECTURES for seed in seeds]
    run_jobs(recorder, "digits", "runs", jobs, _run_digits, workers, header)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", nargs="+", choices=["grid", "longer", "digits"], default=["grid", "longer", "digits"])
    parser.add_argument("--remedies", nargs="+", help="grid section: only these remedies (and their controls)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[100, 101])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--digit-steps", type=int, default=1500)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    recorder = Recorder(args.out)
    sections = {"grid": lambda: section_grid(recorder, args.seeds, args.workers, args.remedies),
                "longer": lambda: section_longer(recorder, args.seeds, args.workers),
                "digits": lambda: section_digits(recorder, args.seeds, args.workers, args.digit_steps)}
    for name in args.section:  # in the order given
        sections[name]()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
