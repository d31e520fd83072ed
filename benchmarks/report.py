"""Generate README's results table from benchmarks/results.json (never typed by hand).

    python benchmarks/report.py          # rewrite the block between the markers in README.md
    python benchmarks/report.py --check  # exit 1 if README.md is out of date (a test runs this)
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _bound(claim: dict) -> str:
    parts = [f">= {claim['at_least']:g}" if claim["at_least"] is not None else "",
             f"<= {claim['at_most']:g}" if claim["at_most"] is not None else ""]
    return " and ".join(p for p in parts if p)


def lesson_rows(results: dict) -> list[str]:
    rows = []
    for key in sorted(k for k in results if k.startswith("lessons_")):
        for lesson, entry in sorted(results[key].items()):
            runs = entry["runs"]
            seconds = [r["seconds"] for r in runs]
            seeds = ", ".join(str(r["seed"]) for r in runs)
            names = list(dict.fromkeys(c["name"] for r in runs for c in r["claims"]))
            failed = [r["seed"] for r in runs if r["error"]]
            profile = entry["profile"] + (f" ({entry['how']}, {entry['machine']['cuda']})" if "how" in entry else "")
            failures = "none" if not failed else "seeds " + str(failed) + (f": {entry['note']}" if "note" in entry else "")
            trained = ""
            if "warm_start" in entry:  # benchmarks/warm_start.py trained the networks first, side by side
                w = entry["warm_start"]
                trained = (f", after {max(w['seconds'].values()):.0f} s training its networks side by side "
                           f"({w['wall_seconds_all_lessons']:.0f} s for all lessons warmed together)")
            rows.append(f"| {lesson} | {profile} | {seeds} | {statistics.mean(seconds):.0f} s "
                        f"(max {max(seconds):.0f} s){trained} | {failures} |")
            for name in names:
                values = [c["value"] for r in runs for c in r["claims"] if c["name"] == name]
                held = sum(c["holds"] for r in runs for c in r["claims"] if c["name"] == name)
                claim = next(c for r in runs for c in r["claims"] if c["name"] == name)
                cell = name.replace("|", "\\|")  # a claim like "|C(G) + log 4|" must not split the table
                rows.append(f"|  | claim: {cell} | {_bound(claim)} | {min(values):.3g} .. {max(values):.3g} "
                            f"| held {held}/{len(values)} |")
    return rows


def _mean_spread(values: list[float | None]) -> str:
    values = [v for v in values if v is not None]  # a cell a lesson left empty (e.g. PSNR of the truth itself)
    if values and all(math.isinf(v) for v in values):
        return "∞" if values[0] > 0 else "-∞"  # e.g. the PSNR of the truth against itself
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return "—"
    if len(values) < 2:
        return f"{values[0]:.3g}"
    return f"{statistics.mean(values):.3g} ± {statistics.stdev(values):.2g}"


def table_sections(results: dict) -> list[str]:
    """Tables the lessons recorded (``claims.record_table``), pooled over every benchmark run.

    Rows are grouped by their first text column (e.g. the recipe), or pooled when there is none;
    each numeric column shows mean ± sample std over all rows of the group (e.g. over every seed of
    every run).
    """
    lines = []
    for key in sorted(k for k in results if k.startswith("lessons_")):
        for lesson, entry in sorted(results[key].items()):
            names = list(dict.fromkeys(name for r in entry["runs"] for name in r.get("tables", {})))
            for name in names:
                rows = [row for r in entry["runs"] for row in r.get("tables", {}).get(name, [])]
                group_key = next((k for k, v in rows[0].items() if isinstance(v, str)), None)
                if group_key is None:  # no text column: one group of every run's row
                    group_key, rows = "rows", [{"rows": "every run", **row} for row in rows]
                skip = {group_key, "seed", "steps", "ablation_seconds"}
                columns = list(dict.fromkeys(k for row in rows for k, v in row.items()  # any row may leave a cell empty
                                             if k not in skip and isinstance(v, (int, float))))
                groups = list(dict.fromkeys(row[group_key] for row in rows))
                lines += [f"**{lesson}: {name}** ({entry['profile']} profile; mean ± std over "
                          f"{len(rows) // len(groups)} seeds from {len(entry['runs'])} runs of the lesson)", "",
                          f"| {group_key} | " + " | ".join(c.replace("_", " ") for c in columns) + " |",
                          "|---" * (len(columns) + 1) + "|"]
                for group in groups:
                    mine = [row for row in rows if row[group_key] == group]
                    lines.append(f"| {group} | " + " | ".join(_mean_spread([row.get(c) for row in mine]) for c in columns) + " |")
                walls = sorted({(r["seed"], row["ablation_seconds"]) for r in entry["runs"]
                                for row in r.get("tables", {}).get(name, []) if "ablation_seconds" in row})
                if walls:
                    lines += ["", "Wall time of the whole ablation per lesson run (its `cpu` budget is 600 s): "
                              + ", ".join(f"{s:.0f} s (seed {seed})" for seed, s in walls) + "."]
                lines.append("")
    return lines


def render(results: dict) -> str:
    lines = [START, "", "Generated by `python benchmarks/report.py` from `benchmarks/results.json`.", ""]
    if "lessons_cpu" in results or any(k.startswith("lessons_") for k in results):
        lines += ["**Lessons** (`python benchmarks/run.py lessons --seeds 0 1 2 3 4`: each lesson top to bottom, "
                  "fresh training, once per seed; claims over all seeds: min .. max)", "",
                  "| lesson | profile / claim | seeds / bound | wall time / measured | failures / held |",
                  "|---|---|---|---|---|", *lesson_rows(results), "", *table_sections(results)]
    if "trainer" in results:
        t = results["trainer"]
        lines += [f"**Training-loop overhead** (`{t['command']}`): the package loop takes "
                  f"{t['ratio_median']:.3f}x the time of a minimal hand-written loop (target <= {t['target']}); "
                  f"{t['package_ms_per_step']} vs {t['hand_ms_per_step']} ms per DCGAN step, median of "
                  f"{t['rounds']} interleaved rounds of {t['steps_per_round']} steps.", ""]
    if "data" in results:
        d = results["data"]
        lines += [f"**Data generation** (`{d['command']}`): moving digits (2 per clip, 32x32) at "
                  f"{d['moving_digits_2x32']['frames_per_second']:,} frames/s, moving shapes at "
                  f"{d['moving_shapes_2x32']['frames_per_second']:,} frames/s, 64x64 digits at "
                  f"{d['moving_digits_1x64']['frames_per_second']:,} frames/s; DCGAN training consumes "
                  f"{d['dcgan_training_frames_per_second']:,} frames/s, so generation is "
                  f"{d['generation_over_consumption']}x faster than training needs.", ""]
    if "grading" in results:
        g = results["grading"]
        lines += [f"**Grading** (`{g['command']}`): {g['students']} submissions of assignment 01 graded in "
                  f"{g['seconds']:.0f} s ({g['seconds_per_student']} s each, {g['jobs']} at once), each in its own "
                  f"process with the default limits.", ""]
    if "video_gans" in results:
        v = results["video_gans"]
        per_model = "; ".join(f"{name} {m['seconds_per_step']} s ({m['generator_parameters'] / 1e3:.0f} k generator parameters)"
                              for name, m in v["models"].items())
        lines += [f"**Lesson 03's models** (`{v['command']}`): seconds per training step at batch {v['batch']} clips "
                  f"({v['threads']} threads): {per_model}.", ""]
    if "video_gans_gpu" in results:
        v = results["video_gans_gpu"]
        per_model = "; ".join(f"{name} {m['seconds_per_step'] * 1e3:.1f} ms" for name, m in v["models"].items())
        lines += [f"**Lesson 03's models on a GPU** (`{v['command']}`, {v['machine']['cuda']}, bf16 mixed precision): "
                  f"time per training step at batch {v['batch']} clips: {per_model}.", ""]
    for key in ("d_wins_at_64", "d_wins_at_64_cpu"):
        if key not in results:
            continue
        d = results[key]
        variants = "; ".join(f"{name} ({run['steps']} steps): frame FD {run['frame_fd']:.0f}, clip FD {run['clip_fd']:.0f}, "
                             f"speed {run['speed']:.2f}" + (f", D's final loss {run['d_loss_end']:.3f}" if "d_loss_end" in run else "")
                             + (f" ({run['where']})" if "where" in run else "")
                             for name, run in d["runs"].items())
        where = f"`{d['command']}`, {d['machine']['cuda']}, {d['note']}" if key == "d_wins_at_64" else \
            f"`python benchmarks/d_wins_at_64.py --one NAME --steps N`, {d['machine']['cpu_cores']} CPU cores, {d['machine']['threads']} threads, fp32"
        lines += [f"**Lesson 03 at 64 x 64: the image D that wins too soon** ({where}): {variants}.", ""]
    if "temporal_d_at_shipping_length" in results:
        t = results["temporal_d_at_shipping_length"]
        def feature_ratio(scores: dict) -> float:
            return scores["recurrent + temporal D"]["feature_distance"] / scores["recurrent adversarial"]["feature_distance"]

        seeds = "; ".join(f"seed {seed}{' (the shipped networks)' if 'source' in row else ''}: tOF ratio {row['tof_ratio']:.3f}, "
                          f"warping error ratio {row['warping_error_ratio']:.3f}, PSNR {row['psnr_difference']:+.2f} dB, "
                          f"feature distance ratio {feature_ratio(row['scores']):.2f}" for seed, row in sorted(t["seeds"].items()))
        lines += [f"**Lesson 05: the triplet D at the shipped networks' length, several training seeds** (`{t['command']}`; "
                  f"recurrent + temporal D against recurrent adversarial, held-out synthetic clips): {seeds}.", ""]
    machines = {json.dumps(v.get("machine", {}), sort_keys=True) for v in results.values() if isinstance(v, dict) and "machine" in v}
    for k, v in results.items():
        if k.startswith("lessons_"):
            machines |= {json.dumps(e["machine"], sort_keys=True) for e in v.values()}
    described = [json.loads(m) for m in machines]
    described = {f"Machine: {m.get('cpu_cores')} CPU cores, torch {m.get('torch')}, "
                 f"{'GPU ' + m['cuda'] if m.get('cuda') else 'no GPU'}, measured {m.get('date')}.  " for m in described}
    lines += sorted(described)
    lines += ["", END]
    return "\n".join(lines)


def main() -> int:
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text()
    if START not in readme or END not in readme:
        print(f"README.md lacks the markers {START} ... {END}")
        return 1
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    updated = head + render(results) + tail
    if "--check" in sys.argv:
        if updated != readme:
            print("README.md's results table is out of date: run `python benchmarks/report.py`")
            return 1
        return 0
    readme_path.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
