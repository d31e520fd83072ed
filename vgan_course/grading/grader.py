"""Grade a folder of submissions into a CSV gradebook and one feedback file per student.

For each submission the grader

1. reads and checks the notebook (a bad file gets a row that says what is wrong);
2. builds the cells to run: the student's answer cells (matched by nbgrader id, or by the
   function they define when ids were changed) in the solution's order, and the solution's
   own copies of every other cell, hidden tests put back;
3. runs them in a child process (:mod:`.child`) in a fresh folder, with a wall-clock limit,
   a memory limit, a per-cell time limit and the :mod:`.guard`;
4. compares, **here**, each probe value the child sent with the value the solution gave for the
   same probe. Nothing the submission does inside its process can change this comparison.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import torch

from .assignment import Assignment, defined_names, meta

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_CHANNEL_BYTES = 64 * 2**20


@dataclass
class Limits:
    """Per-submission limits (each a flag of ``vgan-course grade``)."""

    seconds: float = 300.0  # wall clock for the whole submission
    cell_seconds: float = 60.0  # any one cell
    memory_mb: int = 2048  # address space of the child process
    output_mb: int = 5  # what the submission may print or write
    jobs: int = max(1, os.cpu_count() or 1)  # submissions graded at once


@dataclass
class Run:
    """What came back from one child process."""

    records: list[dict]
    returncode: int | None
    timed_out: bool
    output_cut: bool


@dataclass
class Result:
    """One row of the gradebook."""

    student: str
    points: dict[str, float | None]  # part id -> points (None: graded by hand, pending)
    status: str  # "graded", or what stopped the grading
    reasons: list[str] = field(default_factory=list)  # one per lost point, and notes
    feedback: list[str] = field(default_factory=list)  # Markdown lines for the student

    @property
    def total(self) -> float:
        return round(sum(p for p in self.points.values() if p is not None), 2)


# --- running a notebook's cells in a child process ------------------------------------------------


def _limit_resources(memory_mb: int, output_mb: int):
    def apply() -> None:  # runs in the child, before it starts Python
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output_mb * 2**20, output_mb * 2**20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too much output fails the write, not the process

    return apply


def run_cells(cells: list[dict], workdir: Path, protected: list[Path], limits: Limits) -> Run:
    """Run ``cells`` (dicts with ``role``, ``part``, ``source``) in a child process."""
    workdir.mkdir(parents=True, exist_ok=True)
    job = {"cells": cells, "workdir": str(workdir), "protected": [str(p) for p in protected],
           "cell_seconds": limits.cell_seconds}
    job_path = workdir / "job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "TMPDIR": str(workdir),
           "MPLCONFIGDIR": str(workdir / ".mpl"), "MPLBACKEND": "Agg", "VGAN_PROFILE": "smoke", "VGAN_SEED": "0",
           "VGAN_RUNS": str(workdir / "runs"), "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    read_fd, write_fd = os.pipe()
    chunks: list[bytes] = []
    received = [0]

    def drain() -> None:
        while True:
            data = os.read(read_fd, 1 << 16)
            if not data:
                break
            if received[0] < MAX_CHANNEL_BYTES:
                chunks.append(data)
            received[0] += len(data)

    with open(workdir / "output.txt", "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "vgan_course.grading.child", str(job_path), str(write_fd)],
            cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            pass_fds=(write_fd,), preexec_fn=_limit_resources(limits.memory_mb, limits.output_mb),
            start_new_session=True)
    os.close(write_fd)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timed_out = False
    try:
        process.wait(timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the child and anything it left behind
        except ProcessLookupError:
            pass
        process.wait()
    reader.join(timeout=10)
    os.close(read_fd)
    output_cut = (workdir / "output.txt").stat().st_size >= limits.output_mb * 2**20
    return Run(_parse_records(b"".join(chunks)), process.returncode, timed_out, output_cut)


def _parse_records(data: bytes) -> list[dict]:
    """Length-prefixed ``torch.save`` records, loaded safely; stops at the first bad one."""
    records, position = [], 0
    while position + 4 <= len(data):
        size = int.from_bytes(data[position:position + 4], "big")
        payload = data[position + 4:position + 4 + size]
        if len(payload) < size:
            break
        try:
            record = torch.load(io.BytesIO(payload), weights_only=True)
        except Exception:
            break
        if isinstance(record, dict) and isinstance(record.get("kind"), str):
            records.append(record)
        position += 4 + size
    return records


def probe_values(run: Run, cells: list[dict]) -> dict[tuple[str, str], dict]:
    """``(part, probe) -> record``, keeping only probes sent while that part's hidden cell ran."""
    values: dict[tuple[str, str], dict] = {}
    running = None
    for record in run.records:
        if record["kind"] == "start":
            index = record.get("index")
            running = cells[index] if isinstance(index, int) and 0 <= index < len(cells) else None
        elif record["kind"] == "probe" and running is not None and running["role"] == "hidden":
            key = (running["part"], str(record.get("name")))
            if record.get("part") == running["part"] and key not in values:
                values[key] = record
    return values


# --- comparing values -----------------------------------------------------------------------------


def compare(expected, got, rtol: float = 1e-4, atol: float = 1e-5) -> str | None:
    """``None`` if ``got`` matches ``expected``, else a short reason (expected vs got)."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"expected a tensor, got {type(got).__name__}"
        if tuple(got.shape) != tuple(expected.shape):
            return f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}"
        e, g = expected.double(), got.double()
        same_nan = torch.equal(torch.isnan(e), torch.isnan(g))
        close = torch.isclose(e.nan_to_num(), g.nan_to_num(), rtol=rtol, atol=atol).all()
        if same_nan and close:
            return None
        if e.numel() == 1:
            return f"expected {e.item():.5g}, got {g.item():.5g}"
        worst = (e - g).abs().nan_to_num(float("inf")).max().item()
        return f"values differ (largest difference {worst:.3g})"
    if isinstance(expected, bool) or isinstance(expected, str) or expected is None:
        return None if got == expected and type(got) is type(expected) else f"expected {expected!r}, got {_short(got)}"
    if isinstance(expected, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return f"expected a number, got {_short(got)}"
        return None if abs(got - expected) <= atol + rtol * abs(expected) else f"expected {expected:.5g}, got {got:.5g}"
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return f"expected {len(expected)} items, got {_short(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol)
            if reason:
                return f"item {i}: {reason}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected keys {sorted(expected)}, got {_short(got)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol)
            if reason:
                return f"{key}: {reason}"
        return None
    return f"cannot compare values of type {type(expected).__name__}"


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


# --- building the cells to run ------------------------------------------------------------------


def solution_cells(assignment: Assignment) -> list[dict]:
    """The solution itself, cell by cell: what the reference run executes."""
    cells = []
    for cell in assignment.notebook.cells:
        if cell.cell_type != "code":
            continue
        m = meta(cell)
        role = "answer" if m.get("solution") else "hidden" if m.get("grade") else "locked"
        cells.append({"role": role, "part": m.get("grade_id"), "source": cell.source})
    return cells


def submission_cells(assignment: Assignment, submission: nbformat.NotebookNode) -> tuple[list[dict], list[str], dict[str, str]]:
    """The cells to run for a submission, notes on what was unusual, and its written answers."""
    notes: list[str] = []
    student = [c for c in submission.cells if c.get("cell_type") in ("code", "markdown")]
    by_id = {}
    for position, cell in enumerate(student):
        gid = meta(cell).get("grade_id")
        if gid and gid not in by_id:
            by_id[gid] = position
    answers: dict[str, int] = {}
    for part_id in assignment.answer_ids:
        if part_id in by_id and student[by_id[part_id]].cell_type in ("code", "markdown"):
            answers[part_id] = by_id[part_id]
    for part in assignment.parts:  # ids changed or removed: find the cell that defines the names
        if part.manual or part.answer_id in answers or not part.answer_names:
            continue
        for position, cell in enumerate(student):
            if cell.cell_type == "code" and position not in answers.values() and \
                    set(part.answer_names) <= set(defined_names(cell.source)):
                answers[part.answer_id] = position
                notes.append(f"answer cell {part.answer_id}: its id was changed; matched by its function name")
                break
    locked = [meta(c)["grade_id"] for c in assignment.notebook.cells if meta(c) and not meta(c).get("solution")]
    missing = [gid for gid in locked if gid not in by_id]
    if missing:
        notes.append(f"{len(missing)} locked cell(s) were deleted or lost their ids ({', '.join(missing)}); "
                     "the grader used the originals")
    order = [answers[a] for a in assignment.answer_ids if a in answers]
    if order != sorted(order):
        notes.append("cells were reordered; graded in the assignment's order")
    written = {gid: student[pos].source for gid, pos in answers.items() if student[pos].cell_type == "markdown"}

    cells = []
    for cell in assignment.notebook.cells:
        m = meta(cell)
        if cell.cell_type != "code":
            continue
        gid = m.get("grade_id")
        if m.get("solution"):
            if gid not in answers:
                notes.append(f"answer cell {gid} is missing from the submission")
                continue
            position = answers[gid]
            cells.append({"role": "answer", "part": gid, "source": student[position].source})
            for extra in student[position + 1:]:  # the student's own helper cells after this answer
                if meta(extra) or extra.cell_type != "code":
                    break
                cells.append({"role": "answer", "part": gid, "source": extra.source})
        else:
            cells.append({"role": "hidden" if m.get("grade") else "locked", "part": gid, "source": cell.source})
    return cells, notes, written


# --- grading ---------------------------------------------------------------------------------------


def reference_values(assignment: Assignment, root: Path, protected: list[Path], limits: Limits) -> dict:
    """Run the solution and keep every probe's value; the solution must pass its own tests."""
    cells = solution_cells(assignment)
    run = run_cells(cells, root / "_solution", protected, limits)
    values = probe_values(run, cells)
    problems = [f"{part}/{name}: {r['error']}" for (part, name), r in values.items() if r.get("error")]
    problems += [f"cell {r['index']} ({r['part']}): {r['error']}" for r in run.records if r["kind"] == "error"]
    if problems or run.timed_out or not any(r["kind"] == "done" for r in run.records):
        raise RuntimeError(f"the solution {assignment.path.name} does not run cleanly under the grader: "
                           + ("; ".join(problems) or f"exit code {run.returncode}, timed out {run.timed_out}"))
    return values


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook, or ``None`` and the reason it cannot be graded."""
    if path.is_dir():
        notebooks = sorted(path.rglob("*.ipynb"))
        notebooks = [p for p in notebooks if ".ipynb_checkpoints" not in p.parts]
        if not notebooks:
            return None, "no notebook found in the folder"
        if len(notebooks) > 1:
            return None, f"{len(notebooks)} notebooks in the folder; expected one"
        path = notebooks[0]
    if path.suffix != ".ipynb":
        return None, f"not a notebook: {path.name} is not an .ipynb file"
    size = path.stat().st_size
    if size == 0:
        return None, "empty file"
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"file too large ({size // 2**20} MB); clear the outputs and hand in again"
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"invalid JSON ({str(error)[:80]}): the file is damaged or not a notebook"
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds
        return None, f"not a valid notebook ({str(error).splitlines()[0][:80]})"
    return notebook, ""


def grade_one(student: str, path: Path, assignment: Assignment, reference: dict, workdir: Path,
              protected: list[Path], limits: Limits) -> Result:
    """Grade one submission; never raises for anything the submission does."""
    notebook, problem = read_submission(path)
    if notebook is None:
        return not_graded(student, assignment, problem)
    cells, notes, written = submission_cells(assignment, notebook)
    run = run_cells(cells, workdir, protected, limits)
    values = probe_values(run, cells)
    stop = _stop_reason(run, cells, limits)
    errors = {(r.get("role"), r.get("part")): r["error"] for r in run.records if r["kind"] == "error"}

    points, reasons, feedback = {}, list(notes), []
    for part in assignment.parts:
        if part.manual:
            points[part.grade_id] = None
            answer = written.get(part.answer_id, "").strip()
            feedback += [f"### {part.grade_id} (graded by hand, {part.points:g} points): pending", "",
                         "Your answer:", "", *(f"> {line}" for line in (answer or "(no answer)").splitlines()), ""]
            continue
        expected = {name: rec for (pid, name), rec in reference.items() if pid == part.grade_id}
        passed, lost = 0, []
        for name, ref in expected.items():
            got = values.get((part.grade_id, name))
            if got is None:
                why = errors.get(("hidden", part.grade_id), stop or "the test did not run").splitlines()[-1][:160]
                lost.append(f"{name}: no result ({why})")
            elif got.get("error"):
                lost.append(f"{name}: raised {got['error'].splitlines()[-1][:160]}")
            else:
                try:
                    reason = compare(ref["value"], got["value"])
                except Exception as error:  # e.g. a complex tensor where a real one was expected
                    reason = f"cannot compare the value ({type(error).__name__})"
                passed += reason is None
                if reason:
                    lost.append(f"{name}: {reason}")
        points[part.grade_id] = round(part.points * passed / max(1, len(expected)), 2)
        if ("answer", part.answer_id) in errors:
            lost.insert(0, f"your answer cell raised {errors[('answer', part.answer_id)].splitlines()[-1][:160]}")
        reasons += [f"{part.grade_id}: {text}" for text in lost]
        feedback += [f"### {part.grade_id}: {points[part.grade_id]:g} / {part.points:g}", ""]
        feedback += [f"- {text}" for text in lost] or ["- all hidden tests passed"]
        feedback.append("")
    status = "graded" if not stop else f"graded in part: {stop}"
    if stop:
        reasons.insert(0, stop)
    if run.output_cut:
        reasons.append(f"output over {limits.output_mb} MB was cut")
    head = [f"# Feedback on {assignment.name} for {student}", "",
            f"Automatic points: **{sum(p for p in points.values() if p is not None):g} / {assignment.auto_points:g}**"
            + (f" (+ {assignment.manual_points:g} graded by hand, pending)" if assignment.manual_points else ""), ""]
    head += [f"- note: {n}" for n in notes + ([stop] if stop else [])] + ([""] if notes or stop else [])
    return Result(student, points, status, reasons, head + feedback)


def not_graded(student: str, assignment: Assignment, problem: str) -> Result:
    """The row of a submission that could not be graded: no points, the problem as the reason."""
    zero = {p.grade_id: (None if p.manual else 0.0) for p in assignment.parts}
    return Result(student, zero, problem, [problem], [f"**Not graded:** {problem}."])


def _stop_reason(run: Run, cells: list[dict], limits: Limits) -> str:
    """Why the child stopped early, in words; empty if it finished."""
    if any(r["kind"] == "done" for r in run.records):
        return ""
    starts = [r for r in run.records if r["kind"] == "start"]
    where = ""
    if starts and isinstance(starts[-1].get("index"), int) and starts[-1]["index"] < len(cells):
        index = starts[-1]["index"]
        cell = cells[index]
        where = f" in cell {index} ({cell['role']}{' ' + cell['part'] if cell['part'] else ''})"
    if run.timed_out:
        return f"stopped after the {limits.seconds:g} s limit{where} (an endless loop?)"
    code = run.returncode
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the program crashed ({name}){where}"
    return f"the program ended early (exit code {code}){where}: sys.exit or os._exit in the submission?"


def student_id(path: Path) -> str:
    """``alice.ipynb`` -> ``alice``; ``alice/`` -> ``alice``."""
    return path.name if path.is_dir() else path.stem


def grade_folder(submissions: Path, assignment: Assignment, out_csv: Path, feedback_dir: Path | None = None,
                 limits: Limits | None = None, protected: list[Path] | None = None) -> list[Result]:
    """Grade every entry of ``submissions``; write the CSV (and feedback files); returns the rows."""
    limits = limits or Limits()
    if not submissions.is_dir():
        raise ValueError(f"{submissions} is not a folder of submissions")
    entries = sorted(p for p in submissions.iterdir() if not p.name.startswith("."))
    if not entries:
        raise ValueError(f"{submissions} is empty: put one notebook (or one folder) per student in it")
    feedback_dir = feedback_dir or out_csv.parent / "feedback"
    protected = [submissions.resolve(), assignment.path.parent.resolve(), out_csv.resolve().parent, *(protected or [])]
    root = Path(tempfile.mkdtemp(prefix="vgan-grade-"))
    protected.append(root)  # other students' folders; each child may still use its own
    try:
        reference = reference_values(assignment, root, protected, limits)
        def grade(numbered: tuple[int, Path]) -> Result:
            number, path = numbered
            workdir = root / f"{number:04d}-{re.sub(r'[^A-Za-z0-9_-]', '_', student_id(path))[:40]}"
            try:
                return grade_one(student_id(path), path, assignment, reference, workdir, protected, limits)
            except Exception as error:  # a bug of ours must not cost the rest of the class its grades
                problem = f"grader error ({type(error).__name__}: {error}); grade this one by hand"
                return not_graded(student_id(path), assignment, problem)

        with ThreadPoolExecutor(max_workers=limits.jobs) as pool:
            results = list(pool.map(grade, enumerate(entries)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    results.sort(key=lambda r: r.student)
    write_csv(results, assignment, out_csv)
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for result in results:
        (feedback_dir / f"{result.student}.md").write_text("\n".join(result.feedback) + "\n", encoding="utf-8")
    return results


def write_csv(results: list[Result], assignment: Assignment, path: Path) -> None:
    """One row per student: points per part (``pending`` for hand-graded), total, status, reasons."""
    parts = [p.grade_id for p in assignment.parts]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *parts, "total", "max_auto", "max_manual", "status", "reasons"])
        for r in results:
            cells = ["pending" if r.points[p] is None else f"{r.points[p]:g}" for p in parts]
            writer.writerow([r.student, *cells, f"{r.total:g}", f"{assignment.auto_points:g}",
                             f"{assignment.manual_points:g}", r.status, " | ".join(r.reasons)])
