"""Benchmarks of vgan-course: speed and the lessons' measured claims, into results.json.

    python benchmarks/run.py trainer            # (a) training-loop overhead vs a hand loop
    python benchmarks/run.py lessons --seeds 0 1 2 3 4   # (b) every lesson, cpu profile
    python benchmarks/run.py lessons --only 03 --retrain # (b') lesson 03 training every model itself
    python benchmarks/run.py data               # (c) data generation vs training consumption
    python benchmarks/run.py grading            # (d) grading 30 submissions of assignment 01, sandbox and not
    python benchmarks/run.py video_gans         # (e) lesson 03's models: seconds per training step
    python benchmarks/run.py video_gans --device cuda --sizes 32 64 --batch 32 --steps 100  # (e) on a GPU
    python benchmarks/run.py merge FILE         # fold in lesson runs of benchmarks/script_lessons.py (GPU)
    python benchmarks/report.py                 # regenerate README's results table

Each section replaces its own entry in ``benchmarks/results.json`` and records the machine.
Never part of the timed test run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"


def machine() -> dict:
    return {"cpu_cores": os.cpu_count(), "torch": torch.__version__, "threads": torch.get_num_threads(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}


def _dcgan_setup(width: int = 32, batch: int = 64):
    from vgan_course import data, losses, models

    torch.manual_seed(0)
    images, _ = data.digit_images(32, split="train")
    G, D = models.DCGANGenerator(64, 1, width), models.DCGANDiscriminator(1, width)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def batch_fn():
        return images[torch.randint(len(images), (batch,))]

    return G, D, opt_g, opt_d, batch_fn, losses


def bench_trainer(rounds: int = 7, steps: int = 60) -> dict:
    """(a) The package loop vs a minimal hand-written loop: same DCGAN, same data, interleaved."""
    from vgan_course import train

    G, D, opt_g, opt_d, batch_fn, losses = _dcgan_setup()

    def hand(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            real = batch_fn()
            fake = G(torch.randn(len(real), 64))
            loss_d = losses.discriminator_loss(D(real), D(fake.detach()))
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            loss_g = losses.generator_loss_nonsaturating(D(fake))
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
        return time.perf_counter() - start

    step = train.gan_step(G, D, opt_g, opt_d, real_batch=batch_fn, z_dim=64)

    def package(n: int) -> float:
        start = time.perf_counter()
        train.train(step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d}, steps=n, progress=True)
        return time.perf_counter() - start

    hand(5), package(5)  # warm-up
    hand_times, package_times = [], []
    for _ in range(rounds):  # interleaved, so drifts in machine speed hit both alike
        hand_times.append(hand(steps))
        package_times.append(package(steps))
    ratio = statistics.median(p / h for p, h in zip(package_times, hand_times))
    return {"ratio_median": round(ratio, 4), "target": 1.05,
            "hand_ms_per_step": round(1000 * statistics.median(hand_times) / steps, 2),
            "package_ms_per_step": round(1000 * statistics.median(package_times) / steps, 2),
            "rounds": rounds, "steps_per_round": steps,
            "command": "python benchmarks/run.py trainer"}


def bench_data(repeats: int = 20) -> dict:
    """(c) Clip generation throughput vs what DCGAN training consumes, on this machine."""
    from vgan_course import data

    out = {}
    for name, make, kwargs in [("moving_digits_2x32", data.moving_digits, dict(n_digits=2)),
                               ("moving_shapes_2x32", data.moving_shapes, dict(n_shapes=2)),
                               ("moving_digits_1x64", data.moving_digits, dict(size=64, n_digits=1))]:
        make(64, 16, **kwargs)
        start = time.perf_counter()
        for _ in range(repeats):
            make(64, 16, **kwargs)
        seconds = (time.perf_counter() - start) / repeats
        out[name] = {"frames_per_second": round(64 * 16 / seconds), "ms_per_batch_of_64x16": round(1000 * seconds, 1)}
    G, D, opt_g, opt_d, batch_fn, losses = _dcgan_setup()
    start = time.perf_counter()
    for _ in range(30):
        real = batch_fn()
        fake = G(torch.randn(len(real), 64))
        loss = losses.discriminator_loss(D(real), D(fake.detach())) + losses.generator_loss_nonsaturating(D(fake))
        opt_d.zero_grad()
        opt_g.zero_grad()
        loss.backward()
        opt_d.step()
        opt_g.step()
    consumed = 64 * 30 / (time.perf_counter() - start)
    out["dcgan_training_frames_per_second"] = round(consumed)
    out["generation_over_consumption"] = round(out["moving_digits_2x32"]["frames_per_second"] / consumed, 1)
    out["command"] = "python benchmarks/run.py data"
    return out


def bench_grading(n_students: int = 30, starts: int = 20) -> dict:
    """(d) ``vgan-course grade`` on a class of 30: the grading corpus's ordinary submissions
    (right and wrong answers, crashes, bad files; not the deliberate endless loops, and not the
    hostile ones, which must never run unsandboxed), cycled to 30, graded twice in the sandbox and
    twice without it (``--no-sandbox``), in the order sandbox, plain, plain, sandbox so that a
    load that drifts cancels, default limits, all cores; and the sandbox's own cost,
    ``python -c pass`` started ``starts`` times in it and plainly, interleaved. The machine's
    load average before and after is recorded with them."""
    import shutil
    import subprocess

    sys.path.insert(0, str(ROOT / "tests"))
    from make_grading_corpus import build_corpus

    from vgan_course.grading import assignment, grader, runner, sandbox

    task = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
    limits = runner.Limits()
    out: dict = {"students": n_students, "jobs": limits.jobs, "sandbox": sandbox.check(),
                 "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory() as work:
        build_corpus("01", Path(work) / "corpus")
        hostile = {"reads_solutions", "edits_solutions", "fake_results", "redefines_checks"}
        pool = sorted(p for p in (Path(work) / "corpus").iterdir()
                      if p.suffix in (".ipynb", ".txt") and "loop" not in p.name and p.stem not in hostile)
        folder = Path(work) / "submissions"
        folder.mkdir()
        for i in range(n_students):
            source = pool[i % len(pool)]
            shutil.copy(source, folder / f"student{i:02d}_{source.stem}{source.suffix}")
        rounds: dict[str, list[float]] = {"sandboxed": [], "no_sandbox": []}
        for number, key in enumerate(("sandboxed", "no_sandbox", "no_sandbox", "sandboxed")):  # drift cancels
            out_dir = Path(work) / f"{key}{number}"
            out_dir.mkdir()
            start = time.perf_counter()
            results = grader.grade_folder(folder, task, out_dir / "grades.csv", limits=limits, sandboxed=key == "sandboxed")
            rounds[key].append(round(time.perf_counter() - start, 1))
            graded = {"graded_fully": sum(r.status.startswith("graded") and "in part" not in r.status for r in results),
                      "totals": sorted(r.total for r in results)}
            out.setdefault(key, graded)
            assert out[key] == graded, "a re-run graded differently"
            print(key, rounds[key][-1], "s", flush=True)
    for key, seconds in rounds.items():
        out[key].update(seconds=round(statistics.mean(seconds), 1), rounds=seconds,
                        seconds_per_student=round(statistics.mean(seconds) / n_students, 2))
    timings: dict[str, list[float]] = {"sandboxed": [], "plain": []}
    argv, env = [sys.executable, "-c", "pass"], runner.environment(sandbox.SCRATCH, str(ROOT))
    for _ in range(starts):
        for key in timings:
            start = time.perf_counter()
            if key == "sandboxed":
                sandbox.start(argv, env, 8, sandbox.view(), stdin=subprocess.DEVNULL).wait()
            else:
                subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, check=True)
            timings[key].append(time.perf_counter() - start)
    medians = {key: statistics.median(values) * 1e3 for key, values in timings.items()}
    out.update(seconds=out["sandboxed"]["seconds"], seconds_per_student=out["sandboxed"]["seconds_per_student"],
               overhead_ratio=round(out["sandboxed"]["seconds"] / out["no_sandbox"]["seconds"], 3),
               same_grades=out["sandboxed"]["totals"] == out["no_sandbox"]["totals"],
               start_ms={"sandboxed": round(medians["sandboxed"], 1), "plain": round(medians["plain"], 1),
                         "starts": starts, "what": "python -c pass, median"},
               load_average_after=[round(x, 2) for x in os.getloadavg()], command="python benchmarks/run.py grading")
    for key in ("sandboxed", "no_sandbox"):
        del out[key]["totals"]
    return out


def bench_video_gans(steps: int = 12, batch: int = 16, sizes: tuple[int, ...] = (32,), device: str = "cpu") -> dict:
    """(e) Seconds per training step of each of lesson 03's models, per frame size (cpu threads as set).

    On a GPU, training runs in mixed precision (bf16) as in the ``gpu`` profile; the clock stops
    after ``torch.cuda.synchronize()``.
    """
    from vgan_course import video_gans

    def timed(name: str, size: int, n: int) -> tuple[float, int]:
        start = time.perf_counter()
        trained = video_gans.train_video_gan(name, steps=n, batch=batch, size=size, device=device)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        return time.perf_counter() - start, sum(p.numel() for p in trained.G.parameters())

    out: dict = {}
    for size in sizes:
        for name in video_gans.MODELS:
            timed(name, size, 2)  # warm-up
            seconds, parameters = timed(name, size, steps)
            key = name if sizes == (32,) else f"{name} ({size}x{size})"
            out[key] = {"seconds_per_step": round(seconds / steps, 4), "generator_parameters": parameters}
            print(key, out[key], flush=True)
    sizes_arg = "" if sizes == (32,) else " --sizes " + " ".join(map(str, sizes))
    device_arg = "" if device == "cpu" else f" --device {device}"
    return {"models": out, "batch": batch, "steps": steps, "threads": torch.get_num_threads(),
            "command": f"python benchmarks/run.py video_gans --batch {batch} --steps {steps}{sizes_arg}{device_arg}"}


def bench_lessons(seeds: list[int], profile: str, names: list[str] | None, retrain: bool = False) -> dict:
    """(b) Each lesson top to bottom: wall time, every claim and every table it records, per seed."""
    from vgan_course import claims as recorded, profiles
    from vgan_course.cli import run_notebook

    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if names:
        lessons = [p for p in lessons if any(p.name.startswith(n) for n in names)]
    out = {}
    for notebook in lessons:
        runs = []
        for seed in seeds:
            with tempfile.TemporaryDirectory() as work:
                claims_file = Path(work) / "claims.jsonl"
                os.environ.update(VGAN_SEED=str(seed), VGAN_RUNS=str(Path(work) / "runs"),
                                  VGAN_CLAIMS_FILE=str(claims_file), VGAN_RETRAIN="1" if retrain else "0")
                start = time.perf_counter()
                error = None
                try:
                    run_notebook(notebook, profile, Path(work) / notebook.name, timeout=3600)
                except Exception as exc:  # a failed claim fails the cell: record it, go on
                    error = f"{type(exc).__name__}: {str(exc).splitlines()[-1][:300] if str(exc) else ''}"
                seconds = time.perf_counter() - start
                claims = recorded.read_claims(claims_file) if claims_file.exists() else []
                tables = recorded.read_tables(claims_file) if claims_file.exists() else []
            runs.append({"seed": seed, "seconds": round(seconds, 1), "error": error,
                         "claims": [{"name": c.name, "value": c.value, "at_least": c.at_least, "at_most": c.at_most,
                                     "holds": c.holds} for c in claims],
                         "tables": {t["table"]: t["rows"] for t in tables}})
            print(f"{notebook.name} seed {seed}: {seconds:.0f} s, {sum(c.holds for c in claims)}/{len(claims)} claims hold"
                  + (f", ERROR {error}" if error else ""), flush=True)
        out[notebook.stem] = {"profile": profile + (" (retrain)" if retrain else ""), "runs": runs}
    return out


def merge(path: Path, results: dict, only: list[str] | None) -> None:
    """Fold the lesson runs of ``benchmarks/script_lessons.py`` (e.g. from a GPU machine) into ``results``.

    A merged run replaces the earlier run of the same lesson, profile and seed.
    """
    done = json.loads(Path(path).read_text())
    for name, entry in done["lessons"].items():
        if only and name[:2] not in only:
            continue
        key = "lessons_" + entry["profile"].replace(" (retrain)", "_retrain")
        lessons = results.setdefault(key, {})
        seeds = {r["seed"] for r in entry["runs"]}
        kept = [r for r in lessons.get(name, {}).get("runs", []) if r["seed"] not in seeds]
        runs = sorted(kept + [{k: v for k, v in r.items() if k != "output_tail"} for r in entry["runs"]],
                      key=lambda r: r["seed"])
        lessons[name] = {"profile": entry["profile"], "how": entry["how"], "runs": runs, "machine": done["machine"],
                         **({"warm_start": entry["warm_start"]} if "warm_start" in entry else {}),
                         "command": f"python benchmarks/script_lessons.py --profile {entry['profile'].split()[0]} "
                                    f"--only {name[:2]} --seeds {' '.join(str(r['seed']) for r in runs)}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("section", choices=("trainer", "data", "grading", "lessons", "video_gans", "merge"))
    parser.add_argument("file", nargs="?", type=Path, help="merge: a JSON file written by script_lessons.py")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--profile", default="cpu", choices=("smoke", "cpu", "gpu"))
    parser.add_argument("--only", nargs="*", help="lesson numbers, e.g. --only 01")
    parser.add_argument("--retrain", action="store_true", help="lessons train every model (VGAN_RETRAIN=1)")
    parser.add_argument("--device", default="cpu", help="video_gans: cpu or cuda")
    parser.add_argument("--sizes", type=int, nargs="+", default=[32], help="video_gans: frame sizes, 32 and/or 64")
    parser.add_argument("--batch", type=int, default=16, help="video_gans: clips per step")
    parser.add_argument("--steps", type=int, default=12, help="video_gans: timed steps per model")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.section == "trainer":
        results["trainer"] = {**bench_trainer(), "machine": machine()}
    elif args.section == "data":
        results["data"] = {**bench_data(), "machine": machine()}
    elif args.section == "grading":
        results["grading"] = {**bench_grading(), "machine": machine()}
    elif args.section == "merge":
        merge(args.file, results, args.only)
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        return 0
    elif args.section == "video_gans":
        key = "video_gans" if args.device == "cpu" else "video_gans_gpu"
        results[key] = {**bench_video_gans(args.steps, args.batch, tuple(args.sizes), args.device), "machine": machine()}
    else:
        key = f"lessons_{args.profile}" + ("_retrain" if args.retrain else "")
        lessons = results.setdefault(key, {})
        for name, entry in bench_lessons(args.seeds, args.profile, args.only, args.retrain).items():
            kept = [r for r in lessons.get(name, {}).get("runs", []) if r["seed"] not in args.seeds]
            runs = sorted(kept + entry["runs"], key=lambda r: r["seed"])  # a re-run replaces its seeds only
            seeds = " ".join(str(r["seed"]) for r in runs)
            retrain = " --retrain" if args.retrain else ""
            lessons[name] = {**entry, "runs": runs, "machine": machine(),
                             "command": f"python benchmarks/run.py lessons --profile {args.profile} --only {name[:2]} --seeds {seeds}{retrain}"}
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(json.dumps(results[args.section if args.section not in ("lessons", "video_gans") else key], indent=1)[:3000])
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
