"""Train a lesson's networks side by side, into the run folder the lesson resumes from.

A lesson trains its models one after another. On a GPU each of these small models leaves most
of the card idle, so lessons 03 and 05 in the ``gpu`` profile take several times longer than
they must, which a 15-minute GPU lease cannot afford. This trains every model of the chosen
lessons at once, one process each, with the lesson's own settings (read from the
``cfg = profiles.settings(...)`` statement of its jupytext twin, so they cannot drift), into
``$VGAN_RUNS/<lesson>/<profile>-seed<N>``. A lesson run afterwards with the same runs folder,
profile and seed finds each checkpoint finished and only loads it (``train.train`` resumes a
finished run at its last step)::

    python benchmarks/warm_start.py --only 03 05 --profile gpu --seed 0 --runs /tmp/runs
    python benchmarks/script_lessons.py --profile gpu --only 03 --seeds 0 --runs /tmp/runs --out 03.json

Lesson 05 trains in two stages (a shared start, then each method from it): its starts go first,
each trained by a zero-step call of ``restoration.load_or_train``. Wall times per network, and for
the whole, go to ``<runs>/warm_start.json``, which ``script_lessons.py`` copies into its record.
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def lesson_settings(stem: str):
    """The lesson's ``cfg`` for the profile and seed in ``VGAN_PROFILE`` / ``VGAN_SEED``: its
    import statements and its ``cfg = profiles.settings(...)`` statement, and nothing else, run."""
    path = ROOT / "notebooks" / f"{stem}.py"
    tree = ast.parse(path.read_text(), str(path))
    namespace: dict = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            exec(compile(ast.Module([node], type_ignores=[]), str(path), "exec"), namespace)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
              and node.targets[0].id == "cfg"):
            return eval(compile(ast.Expression(node.value), str(path), "eval"), namespace)
    raise ValueError(f"{path.name} has no top-level `cfg = profiles.settings(...)`")


def _threads() -> None:
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))


def train_video_gan(stem: str, name: str) -> float:
    """Lesson 03's ``get(name)``, with retraining: one model for ``cfg.steps[name]`` steps."""
    from vgan_course import profiles, video_gans

    _threads()
    cfg, began = lesson_settings(stem), time.perf_counter()
    video_gans.load_or_train(name, retrain=True, run_dir=profiles.run_dir(stem), steps=cfg.steps[name],
                             seed=cfg.seed, batch=cfg.batch, size=cfg.size, width=cfg.width, device=cfg.device)
    return time.perf_counter() - began


def train_restorer(stem: str, method: str, carphone: bool, first_stage_only: bool) -> float:
    """Lesson 05's ``restoration.load_or_train`` call for ``method``, with retraining; with
    ``first_stage_only`` the shared start alone (the method gets 0 steps, resumed later)."""
    from vgan_course import profiles, restoration

    _threads()
    cfg, began = lesson_settings(stem), time.perf_counter()
    start_steps, steps = (cfg.carphone_start_steps, cfg.carphone_steps) if carphone else (cfg.start_steps, cfg.steps)
    restoration.load_or_train(method, retrain=True, carphone=carphone, run_dir=profiles.run_dir(stem),
                              start_steps=start_steps, steps=0 if first_stage_only else steps, seed=cfg.seed,
                              batch=cfg.batch, device=cfg.device)
    return time.perf_counter() - began


def chains(stem: str) -> list[list[list[tuple]]]:
    """What to train for lesson ``stem``: chains that run side by side, each a list of stages
    (run in order), each stage a list of jobs ``(label, function, args)`` run at once."""
    if stem.startswith("03"):
        from vgan_course import video_gans

        return [[[(name, train_video_gan, (stem, name)) for name in video_gans.MODELS]]]
    if stem.startswith("05"):
        from vgan_course import restoration

        out = []
        for carphone, methods in ((False, restoration.METHODS), (True, restoration.CARPHONE_METHODS)):
            where = "carphone " if carphone else ""
            first = next(iter(methods))
            out.append([[(f"{where}start", train_restorer, (stem, first, carphone, True))],
                        [(f"{where}{m}", train_restorer, (stem, m, carphone, False)) for m in methods]])
        return out
    raise SystemExit(f"warm_start knows lessons 03 and 05, not {stem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", required=True, help="lesson numbers: 03 and/or 05")
    parser.add_argument("--profile", default="gpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=Path, required=True, help="the VGAN_RUNS folder the lessons will run with")
    parser.add_argument("--jobs", type=int, default=16, help="processes at once")
    args = parser.parse_args()
    os.environ.update(VGAN_PROFILE=args.profile, VGAN_SEED=str(args.seed), VGAN_RUNS=str(args.runs.resolve()),
                      MPLBACKEND="Agg", OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    stems = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")) if p.name[:2] in args.only]
    record: dict = {stem: {"profile": args.profile, "seed": args.seed, "seconds": {}} for stem in stems}
    began = time.perf_counter()

    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        def run_chain(stem: str, stages: list) -> None:
            for stage in stages:
                futures = [(label, pool.submit(fn, *fn_args)) for label, fn, fn_args in stage]
                for label, future in futures:
                    seconds = future.result()
                    record[stem]["seconds"][label] = round(seconds, 1)
                    print(f"{stem}: {label} done, {seconds:.0f} s ({time.perf_counter() - began:.0f} s in)", flush=True)

        work = [(stem, stages) for stem in stems for stages in chains(stem)]
        with ThreadPoolExecutor(len(work)) as threads:
            for done in [threads.submit(run_chain, stem, stages) for stem, stages in work]:
                done.result()
    total = round(time.perf_counter() - began, 1)
    for stem in stems:
        record[stem]["wall_seconds_all_lessons"] = total
        record[stem]["processes_at_once"] = args.jobs
    args.runs.mkdir(parents=True, exist_ok=True)
    (args.runs / "warm_start.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"all trained in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
