"""Benchmarks of vgan-course: what the course measures and how fast it runs, into results.json.

    python benchmarks/run.py lessons --profile cpu --seeds 0 1 2 3 4          # every lesson, shipped networks
    python benchmarks/run.py lessons --only 03 04 05 --retrain                 # the lessons training every network
    python benchmarks/run.py add RECORD.json --command "..."                   # runs recorded elsewhere (a GPU)
    python benchmarks/run.py figures                                           # docs/figures/NN_strip.png
    python benchmarks/run.py shipping-seeds 05_video_restoration "recurrent adversarial" --seeds 1 2
    python benchmarks/run.py trainer | data | step-time [--device cuda --sizes 32 64]
    python benchmarks/run.py grading     # 30 submissions of assignment 01, in the sandbox and without
    python benchmarks/report.py                                                # docs/results.md and README

Lessons run through ``vgan-course run`` (the course's own runner); everything is stored through
``benchmarks/results.py``, the results file's one writer. Never part of the timed test run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import results  # noqa: E402
from vgan_course.lesson_runs import machine  # noqa: E402


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
    load average before and after is recorded with them, and the CPU time each round used, the
    grader's and its children's (user + system, from ``getrusage``: what a busy machine changes least)."""
    import resource
    import shutil
    import subprocess

    def cpu_seconds() -> float:  # the grader's own and every process it waited for
        return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))

    sys.path.insert(0, str(ROOT / "tests"))
    from make_grading_corpus import build_corpus

    from vgan_course.grading import assignment, grader, runner, sandbox

    task = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
    limits = runner.Limits()
    out: dict = {"students": n_students, "jobs": limits.jobs, "sandbox": sandbox.check(), "machine": machine(),
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
        cpu: dict[str, list[float]] = {"sandboxed": [], "no_sandbox": []}
        for number, key in enumerate(("sandboxed", "no_sandbox", "no_sandbox", "sandboxed")):  # drift cancels
            out_dir = Path(work) / f"{key}{number}"
            out_dir.mkdir()
            start, start_cpu = time.perf_counter(), cpu_seconds()
            results = grader.grade_folder(folder, task, out_dir / "grades.csv", limits=limits, sandboxed=key == "sandboxed")
            rounds[key].append(round(time.perf_counter() - start, 1))
            if key == "no_sandbox":  # a sandboxed submission's processes are not the grader's children: uncounted
                cpu[key].append(round(cpu_seconds() - start_cpu, 1))
            graded = {"graded_fully": sum(r.status.startswith("graded") and "in part" not in r.status for r in results),
                      "totals": sorted(r.total for r in results)}
            out.setdefault(key, graded)
            assert out[key] == graded, "a re-run graded differently"
            print(key, rounds[key][-1], "s", flush=True)
    for key, seconds in rounds.items():
        out[key].update(seconds=round(statistics.mean(seconds), 1), rounds=seconds, cpu_seconds=cpu[key] or None,
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


def store_grading(g: dict) -> None:
    """Store what ``bench_grading`` measured as the ``grading`` measurement (one row per way of running)."""
    load = f"load average {g['load_average_before'][0]:g} before, {g['load_average_after'][0]:g} after"
    results.put_measurement(
        "grading", title="Grading a class: 30 submissions of assignment 01, in the sandbox and without", machine=g["machine"],
        text=f"{g['sandbox']}; {g['jobs']} at once, default limits; sandbox / no sandbox = {g['overhead_ratio']} "
             f"(same grades: {g['same_grades']}); the sandbox's start-up: {g['start_ms']['sandboxed']} ms against "
             f"{g['start_ms']['plain']} ms ({g['start_ms']['what']}); {load}",
        command=g["command"], columns=["how", "submissions", "graded fully", "rounds (s)", "seconds", "seconds per submission",
                                        "CPU seconds per round (all processes)"],
        rows=[[how, g["students"], g[key]["graded_fully"], " + ".join(map(str, g[key]["rounds"])), g[key]["seconds"],
               g[key]["seconds_per_student"],
               " + ".join(map(str, g[key].get("cpu_seconds") or ["not counted (the sandbox's processes are not the grader's children)"]))]
              for how, key in (("bubblewrap sandbox", "sandboxed"), ("--no-sandbox", "no_sandbox"))])


def bench_step_time(steps: int = 12, sizes: tuple[int, ...] = (32,), device: str = "cpu") -> list[list]:
    """Seconds per training step of each of lesson 03's methods at its ``cpu`` settings (batch 16),
    per frame size. On a GPU, in mixed precision as in the ``gpu`` profile."""
    from vgan_course import methods

    lesson = methods.lesson("03_temporal_generators")
    rows = []
    for size in sizes:
        for name, method in lesson.methods.items():
            def timed(n: int) -> tuple[float, int]:
                cfg = lesson.config("cpu", size=size, steps={name: n})
                cfg.device = torch.device(device)
                with tempfile.TemporaryDirectory() as work:
                    start = time.perf_counter()
                    trained = methods.train_method(method, cfg, run_dir=work, progress=False)
                    if device.startswith("cuda"):
                        torch.cuda.synchronize()
                    return time.perf_counter() - start, sum(p.numel() for p in trained.network.parameters())

            timed(2)  # warm-up
            seconds, parameters = timed(steps)
            rows.append([name, size, round(seconds / steps, 4), parameters])
            print(rows[-1], flush=True)
    return rows


def lesson_paths(only: list[str] | None) -> list[Path]:
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in lessons if not only or p.name[:2] in only]


def bench_lessons(profile: str, seeds: list[int], only: list[str] | None, retrain: bool, jobs: int) -> None:
    """Each lesson top to bottom through ``vgan-course run``, once per seed; stored per (lesson, seed)."""
    from vgan_course.lesson_runs import run_all

    for lesson in lesson_paths(only):
        with tempfile.TemporaryDirectory() as work:
            records = run_all([lesson], profile=profile, seeds=seeds, jobs=jobs, retrain=retrain, keep_going=True,
                              out=Path(work))
        seeds_text = " ".join(map(str, seeds))
        command = (f"python benchmarks/run.py lessons --profile {profile} --only {lesson.name[:2]} --seeds {seeds_text}"
                   + (" --retrain" if retrain else ""))
        results.add_runs(records, command)


def bench_figures() -> None:
    """docs/figures/NN_strip.png: for each lesson that trains methods, its frame strip from the shipped
    networks (the lesson's ``figure_rows()``: real clips and each model, labelled)."""
    from vgan_course import methods, viz

    for name, lesson in methods.all_lessons().items():
        if lesson.figure_rows is None:
            continue
        path = viz.save_labelled_strips(lesson.figure_rows(), ROOT / "docs" / "figures" / f"{name[:2]}_strip.png")
        print(f"wrote {path}")


def bench_shipping_seeds(lesson_name: str, method_names: list[str], seeds: list[int]) -> None:
    """Train methods exactly as their shipped networks were trained (the ``ship`` settings), for other
    seeds, and score each as the manifest does: how much of a shipped network's score is its seed."""
    from vgan_course import methods

    lesson = methods.lesson(lesson_name)
    rows, columns = [], None
    for seed in seeds:
        cfg = lesson.config("ship")
        cfg.seed = seed
        with tempfile.TemporaryDirectory() as work:
            for name in method_names:
                trained = methods.train_method(lesson.methods[name], cfg, run_dir=work)
                scores = lesson.score(lesson.methods[name], trained.network)
                columns = columns or list(scores)
                rows.append([name, seed, *(round(scores[k], 4) for k in columns)])
                print(rows[-1], flush=True)
    names = " ".join(f'"{n}"' for n in method_names)
    results.put_measurement(f"shipping_seeds_{lesson_name[:2]}", title=f"{lesson_name}: networks trained as the shipped "
                            "ones were, for several seeds (held-out scores)", machine=machine(),
                            command=f"python benchmarks/run.py shipping-seeds {lesson_name} {names} --seeds "
                                    + " ".join(map(str, seeds)), columns=["method", "seed", *columns], rows=rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("section", choices=("lessons", "add", "figures", "shipping-seeds", "trainer", "data", "grading",
                                            "step-time"))
    parser.add_argument("names", nargs="*", help="add: a record file; shipping-seeds: LESSON METHOD...")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--profile", default="cpu", choices=("smoke", "cpu", "gpu"))
    parser.add_argument("--only", nargs="*", help="lesson numbers, e.g. --only 01")
    parser.add_argument("--retrain", action="store_true", help="lessons train every network (VGAN_RETRAIN=1)")
    parser.add_argument("--jobs", type=int, default=1, help="lessons: runs at once")
    parser.add_argument("--command", default="", help="add: the command that made the record")
    parser.add_argument("--note", default=None, help="add: how it ran (e.g. several at once on one GPU)")
    parser.add_argument("--device", default="cpu", help="step-time: cpu or cuda")
    parser.add_argument("--sizes", type=int, nargs="+", default=[32], help="step-time: frame sizes, 32 and/or 64")
    parser.add_argument("--steps", type=int, default=12, help="step-time: timed steps per model")
    args = parser.parse_args()
    if args.section == "lessons":
        bench_lessons(args.profile, args.seeds, args.only, args.retrain, args.jobs)
    elif args.section == "add":
        for path in args.names:
            results.add_runs(json.loads(Path(path).read_text()), args.command, args.note)
    elif args.section == "figures":
        bench_figures()
    elif args.section == "shipping-seeds":
        bench_shipping_seeds(args.names[0], args.names[1:], args.seeds)
    elif args.section == "trainer":
        t = bench_trainer()
        results.put_measurement("training_loop_overhead", title="Training-loop overhead: the package loop against a "
                                "minimal hand-written loop (same DCGAN, same data)", machine=machine(),
                                text=f"target: ratio <= {t['target']}; median of {t['rounds']} interleaved rounds of "
                                     f"{t['steps_per_round']} steps", command=t["command"],
                                columns=["package ms/step", "hand-written ms/step", "ratio"],
                                rows=[[t["package_ms_per_step"], t["hand_ms_per_step"], t["ratio_median"]]])
    elif args.section == "data":
        d = bench_data()
        results.put_measurement("data_generation", title="Data generation against what training consumes",
                                text=f"DCGAN training consumes {d['dcgan_training_frames_per_second']:,} frames/s; "
                                     f"generation is {d['generation_over_consumption']}x faster", command=d["command"],
                                machine=machine(), columns=["clips", "frames/s"],
                                rows=[["moving digits, 2 per clip, 32 x 32", d["moving_digits_2x32"]["frames_per_second"]],
                                      ["moving shapes, 2 per clip, 32 x 32", d["moving_shapes_2x32"]["frames_per_second"]],
                                      ["moving digits, 1 per clip, 64 x 64", d["moving_digits_1x64"]["frames_per_second"]]])
    elif args.section == "grading":
        store_grading(bench_grading())
    else:
        rows = bench_step_time(args.steps, tuple(args.sizes), args.device)
        gpu = args.device != "cpu"
        sizes = "" if args.sizes == [32] else " --sizes " + " ".join(map(str, args.sizes))
        results.put_measurement("lesson03_step_time" + ("_gpu" if gpu else ""), machine=machine(),
                                title="Lesson 03's models: seconds per training step" + (" (bf16 mixed precision)" if gpu else ""),
                                text=f"batch 16 clips, {args.steps} timed steps", rows=rows,
                                command=f"python benchmarks/run.py step-time{sizes}" + (f" --device {args.device}" if gpu else ""),
                                columns=["model", "frame size", "seconds per step", "generator parameters"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
