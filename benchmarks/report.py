"""Turn ``benchmarks/results.json`` into ``docs/results.md`` and README's summary (never typed by hand).

    python benchmarks/report.py          # rewrite docs/results.md and README's blocks between the markers
    python benchmarks/report.py --check  # exit 1 if either is out of date (a test runs this)

Everything is rendered the same way: lesson runs as a table of claims (min .. max over seeds,
how often each held) and the tables the lessons recorded (mean ± std over runs); measurements
as their own tables. Frame strips in ``docs/figures/`` (``python benchmarks/run.py figures``)
are shown with their lesson.
"""

from __future__ import annotations

import math
import statistics
import sys
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.results import load  # noqa: E402

README, PAGE, FIGURES = ROOT / "README.md", ROOT / "docs" / "results.md", ROOT / "docs" / "figures"
START, END = "<!-- results:start -->", "<!-- results:end -->"
TEST_TIME = "<!-- test-time:start -->", "<!-- test-time:end -->"  # README's figure for `make test`


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return ("∞" if value > 0 else "-∞") if math.isinf(value) else f"{value:.4g}"
    return str(value).replace("|", "\\|")


def _table(columns: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(_cell(c) for c in columns) + " |", "|---" * len(columns) + "|",
            *("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows), ""]


def _bound(claim: dict) -> str:
    parts = [f">= {claim['at_least']:g}" if claim["at_least"] is not None else "",
             f"<= {claim['at_most']:g}" if claim["at_most"] is not None else ""]
    return " and ".join(p for p in parts if p)


def _mean_spread(values: list) -> str:
    values = [v for v in values if isinstance(v, (int, float))]
    if values and all(math.isinf(v) for v in values):
        return "∞" if values[0] > 0 else "-∞"
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return "—"
    return f"{values[0]:.3g}" if len(values) < 2 else f"{statistics.mean(values):.3g} ± {statistics.stdev(values):.2g}"


def _group(run: dict) -> tuple:
    return run["lesson"], run["profile"], bool(run.get("retrain"))


def _describe(lesson: str, profile: str, retrain: bool, runs: list[dict]) -> str:
    how = "networks trained here" if retrain else "shipped networks where the lesson has them"
    seconds = [r["seconds"] for r in runs]
    machine = runs[0]["machine"]
    where = machine.get("cuda") or f"{machine.get('cpu_cores')} CPU cores"
    commands: dict[str, list[str]] = {}  # each command that recorded some of the runs, with their seeds
    for run in runs:
        commands.setdefault(run.get("command", ""), []).append(str(run["seed"]))
    said = "; ".join(f"`{command}`" + (f" ({'seeds' if len(seeds) > 1 else 'seed'} {', '.join(seeds)})" if len(commands) > 1 else "")
                     for command, seeds in commands.items())
    notes = "".join(f"; {note}" for note in dict.fromkeys(r["note"] for r in runs if r.get("note")))
    return (f"{lesson}, `{profile}` profile, {how}: seeds {', '.join(str(r['seed']) for r in runs)}; "
            f"{statistics.mean(seconds):.0f} s per run (max {max(seconds):.0f} s) on {where}; {said}{notes}")


def claim_rows(runs: list[dict]) -> list[list]:
    names = list(dict.fromkeys(c["name"] for r in runs for c in r["claims"]))
    rows = []
    for name in names:
        found = [c for r in runs for c in r["claims"] if c["name"] == name]
        values = [c["value"] for c in found]
        rows.append([name, _bound(found[0]), f"{min(values):.3g} .. {max(values):.3g}",
                     f"{sum(c['holds'] for c in found)}/{len(found)}"])
    return rows


def recorded_tables(runs: list[dict]) -> list[str]:
    """The tables a lesson recorded, pooled over runs: rows grouped by their text columns (e.g.
    generator, compression and detector), each number as mean ± std over the runs."""
    lines = []
    for name in dict.fromkeys(t for r in runs for t in r.get("tables", {})):
        rows = [row for r in runs for row in r["tables"].get(name, [])]
        labels = [k for k, v in rows[0].items() if isinstance(v, str)]
        if not labels:
            labels, rows = ["rows"], [{"rows": "every run", **row} for row in rows]
        columns = list(dict.fromkeys(k for row in rows for k, v in row.items()
                                     if k not in labels and k != "seed" and (v is None or isinstance(v, (int, float)))))

        def key(row: dict) -> tuple:
            return tuple(row[label] for label in labels)

        groups = list(dict.fromkeys(key(row) for row in rows))
        body = [[*g, *(_mean_spread([row.get(c) for row in rows if key(row) == g]) for c in columns)] for g in groups]
        lines += [f"*{name}* (mean ± std over {len(runs)} runs)", "", *_table([*labels, *columns], body)]
    return lines


def render_page(results: dict) -> str:
    lines = ["# Results", "", "Generated by `python benchmarks/report.py` from `benchmarks/results.json`; "
             "do not edit by hand. Each lesson run is the lesson top to bottom; every claim it makes is asserted "
             "in the `cpu` and `gpu` profiles and recorded here with the values it measured.", ""]
    runs = sorted(results["lesson_runs"], key=_group)
    for lesson, lesson_runs in groupby(runs, key=lambda r: r["lesson"]):
        lines += [f"## {lesson}", ""]
        figure = FIGURES / f"{lesson[:2]}_strip.png"
        if figure.exists():
            lines += [f"![frames of lesson {lesson[:2]}: real and each model](figures/{figure.name})", ""]
        for (_, profile, retrain), group in groupby(lesson_runs, key=_group):
            group = list(group)
            failed = [r["seed"] for r in group if r["error"]]
            lines += [_describe(lesson, profile, retrain, group) + (f". **Failed: seeds {failed}**" if failed else "."), "",
                      *_table(["claim", "bound", "measured", "held"], claim_rows(group)), *recorded_tables(group)]
    lines += ["## Measurements", ""]
    for key, m in sorted(results["measurements"].items()):
        machine = m["machine"].get("cuda") or f"{m['machine'].get('cpu_cores')} CPU cores"
        lines += [f"### {m['title']}", "", (m["text"] + ". " if m["text"] else "") + f"`{m['command']}`, {machine}, "
                  f"torch {m['machine'].get('torch')}, {m['machine'].get('date')}.", "", *_table(m["columns"], m["rows"])]
    return "\n".join(lines).rstrip() + "\n"


def render_summary(results: dict) -> str:
    """README's block: per lesson, the cpu profile with the networks it ships (or trains, for lessons
    that ship none): claims held over seeds and the wall time."""
    rows = []
    for (lesson, profile, retrain), group in groupby(sorted(results["lesson_runs"], key=_group), key=_group):
        if profile != "cpu":
            continue
        group = list(group)
        claims = [c for r in group for c in r["claims"]]
        rows.append([lesson, "trained here" if retrain else "shipped", len(group),
                     f"{sum(c['holds'] for c in claims)}/{len(claims)}",
                     f"{statistics.mean(r['seconds'] for r in group):.0f} s"])
    return "\n".join([START, "", *_table(["lesson (`cpu` profile)", "networks", "seeds", "claims held", "wall time"], rows),
                      "Every claim, table and measurement: [docs/results.md](docs/results.md).", "", END])


def render_test_time(results: dict) -> str:
    """README's figure for `make test`: the suite's seconds on a fresh clone (``benchmarks/test_suite.py``)."""
    measured = results["measurements"].get("test_suite")
    if measured is None:
        return "not measured yet"
    rows = {row[0].split(":")[0]: row for row in measured["rows"]}
    (_, test, load, outcome), (_, setup, _, _) = rows["make test"], rows["make setup"]
    return (f"{test:.0f} s on {measured['machine'].get('cpu_cores')} CPU cores (load average {load:g}; {outcome}), "
            f"after {setup:.0f} s creating `.venv`")


def _replace_between(text: str, start: str, end: str, block: str) -> str:
    head, rest = text.split(start, 1)
    return head + block + rest.split(end, 1)[1]


def main() -> int:
    results = load()
    page = render_page(results)
    readme = README.read_text()
    for start, end in ((START, END), TEST_TIME):
        if start not in readme or end not in readme:
            print(f"README.md lacks the markers {start} ... {end}")
            return 1
    updated = _replace_between(readme, START, END, render_summary(results))
    updated = _replace_between(updated, *TEST_TIME, TEST_TIME[0] + render_test_time(results) + TEST_TIME[1])
    if "--check" in sys.argv:
        stale = [p.name for p, text in ((PAGE, page), (README, updated)) if not p.exists() or p.read_text() != text]
        if stale:
            print(f"{stale} out of date: run `python benchmarks/report.py`")
            return 1
        return 0
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(page)
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
