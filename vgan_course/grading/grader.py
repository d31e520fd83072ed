"""Grade a folder of submissions: run each in the sandbox, compare its values with the solution's.

For each submission the grader

1. reads and checks the notebook (:mod:`.submission`: a bad file gets a row that says what is wrong);
2. builds the cells to run: the student's answer cells in the solution's order, and the
   solution's own copies of every other cell, hidden tests put back;
3. runs them in a child process inside the sandbox (:mod:`.runner`, :mod:`.sandbox`), with a
   wall-clock limit, resource limits and a per-cell time limit;
4. compares, **here**, each probe value the child sent with the value the solution gave for the
   same probe (:mod:`.compare`). Nothing the submission does in its sandbox can change this.

The solution runs in a sandbox too, and its values reach only this process. :mod:`.gradebook`
writes the CSV and the feedback files, once, after every run has ended.
"""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import gradebook, sandbox
from .assignment import Assignment
from .child import STOPPED_AFTER_TIME_OUT
from .compare import compare
from .runner import Limits, Run, run_cells
from .submission import read_submission, solution_cells, submission_cells

NO_SANDBOX = " (no sandbox: --no-sandbox)"


@dataclass
class Result:
    """What grading one submission found: a CSV row and the makings of a feedback file."""

    student: str
    points: dict[str, float | None]  # part id -> points (None: graded by hand)
    status: str  # "graded", or what stopped the grading
    reasons: list[str] = field(default_factory=list)  # one per lost point, and notes (the CSV's last column)
    lost: dict[str, list[str]] = field(default_factory=dict)  # part id -> what lost points there
    written: dict[str, str] = field(default_factory=dict)  # hand-graded part id -> the student's answer
    notes: list[str] = field(default_factory=list)  # what was unusual about the submission
    graded: bool = True  # False: the file could not be graded at all (status says why)

    @property
    def total(self) -> float:
        return round(sum(p for p in self.points.values() if p is not None), 2)


def probe_values(run: Run, cells: list[dict]) -> dict[tuple[str, str], dict]:
    """``(part, probe) -> record``, keeping only probes sent while that part's hidden cell ran."""
    values: dict[tuple[str, str], dict] = {}
    running = None
    for record in run.records:
        if record["kind"] == "start":
            index = record["index"]
            running = cells[index] if 0 <= index < len(cells) else None
        elif record["kind"] == "probe" and running is not None and running["role"] == "hidden":
            key = (running["part"], record["name"])
            if record["part"] == running["part"] and key not in values:
                values[key] = record
    return values


def reference_values(assignment: Assignment, limits: Limits, sandboxed: bool, private: list[Path]) -> dict:
    """Run the solution and keep every probe's value; the solution must pass its own tests."""
    cells = solution_cells(assignment)
    run = run_cells(cells, limits, sandboxed, private)
    values = probe_values(run, cells)
    problems = [f"{part}/{name}: {r['error']}" for (part, name), r in values.items() if r["error"]]
    problems += [f"cell {r['index']} ({r['part']}): {r['error']}" for r in run.records if r["kind"] == "error"]
    stop = _stop_reason(run, cells, limits)
    if problems or stop:
        raise RuntimeError(f"the solution {assignment.path.name} does not run cleanly under the grader with "
                           f"{limits.describe()}: " + "; ".join(problems + [stop] if stop else problems)
                           + (" (raise the limits?)" if run.timed_out or run.returncode else ""))
    return values


def grade_one(student: str, path: Path, assignment: Assignment, reference: dict, limits: Limits,
              sandboxed: bool = True, private: list[Path] = ()) -> Result:
    """Grade one submission; never raises for anything the submission does."""
    notebook, problem = read_submission(path)
    if notebook is None:
        return not_graded(student, assignment, problem)
    cells, notes, written = submission_cells(assignment, notebook)
    run = run_cells(cells, limits, sandboxed, private)
    values = probe_values(run, cells)
    stop = _stop_reason(run, cells, limits)
    errors = {(r["role"], r["part"]): r["error"] for r in run.records if r["kind"] == "error"}
    result = Result(student, {}, "graded" if not stop else f"graded in part: {stop}", list(notes),
                    written={p.grade_id: written.get(p.answer_id, "") for p in assignment.parts if p.manual},
                    notes=notes + ([stop] if stop else []))
    for part in assignment.parts:
        if part.manual:
            result.points[part.grade_id] = None
            continue
        expected = {name: ref for (pid, name), ref in reference.items() if pid == part.grade_id}
        passed, lost = 0, []
        for name, ref in expected.items():
            got = values.get((part.grade_id, name))
            if got is None:
                why = errors.get(("hidden", part.grade_id), stop or "the test did not run").splitlines()[-1][:160]
                lost.append(f"{name}: no result ({why})")
            elif got["error"]:
                lost.append(f"{name}: raised {got['error'].splitlines()[-1][:160]}")
            else:
                try:
                    reason = compare(ref["value"], got["value"])
                except Exception as error:  # e.g. a complex tensor where a real one was expected
                    reason = f"cannot compare the value ({type(error).__name__})"
                passed += reason is None
                if reason:
                    lost.append(f"{name}: {reason}")
        result.points[part.grade_id] = round(part.points * passed / max(1, len(expected)), 2)
        if ("answer", part.answer_id) in errors:
            lost.insert(0, f"your answer cell raised {errors[('answer', part.answer_id)].splitlines()[-1][:160]}")
        result.lost[part.grade_id] = lost
        result.reasons += [f"{part.grade_id}: {text}" for text in lost]
    if stop:
        result.reasons.insert(0, stop)
    if run.output_cut:
        result.reasons.append(f"output over {limits.output_mb} MB was cut")
    return result


def not_graded(student: str, assignment: Assignment, problem: str) -> Result:
    """The row of a submission that could not be graded: no points, the problem as the reason."""
    zero = {p.grade_id: (None if p.manual else 0.0) for p in assignment.parts}
    return Result(student, zero, problem, [problem], graded=False)


def _stop_reason(run: Run, cells: list[dict], limits: Limits) -> str:
    """Why the child stopped early, in words; empty if it finished."""
    if any(r["kind"] == "done" for r in run.records):
        return ""
    if run.garbled:
        return "the submission wrote to the grader's channel, so nothing it sent after that could be read"
    starts = [r for r in run.records if r["kind"] == "start"]
    where = ""
    if starts and starts[-1]["index"] < len(cells):
        index = starts[-1]["index"]
        cell = cells[index]
        where = f" in cell {index} ({cell['role']}{' ' + cell['part'] if cell['part'] else ''})"
    if run.timed_out:
        return f"stopped after the {limits.seconds:g} s limit{where} (an endless loop?)"
    code = run.returncode
    if code == STOPPED_AFTER_TIME_OUT:
        return f"stopped: a cell went on past its {limits.cell_seconds:g} s CPU limit{where} (it caught the time-out)"
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the program crashed ({name}){where}"
    return f"the program ended early (exit code {code}){where}: sys.exit or os._exit in the submission?"


def student_id(path: Path) -> str:
    """``alice.ipynb`` -> ``alice``; ``alice/`` -> ``alice``."""
    return path.name if path.is_dir() else path.stem


def grade_folder(submissions: Path, assignment: Assignment, out_csv: Path, feedback_dir: Path | None = None,
                 limits: Limits | None = None, sandboxed: bool = True, force: bool = False) -> list[Result]:
    """Grade every entry of ``submissions``; write the CSV and the feedback files; returns the rows.

    Everything that could stop the run is checked before any grading starts, each a one-line
    error: the folders (``ValueError``), the gradebook's hand-entered data (:class:`.gradebook.GradebookError`,
    unless ``force``), the sandbox (:class:`.sandbox.SandboxUnavailable`, unless ``sandboxed=False``).
    """
    limits = limits or Limits()
    if not submissions.is_dir():
        raise ValueError(f"{submissions} is not a folder of submissions")
    entries = sorted(p for p in submissions.iterdir() if not p.name.startswith("."))
    if not entries:
        raise ValueError(f"{submissions} is empty: put one notebook (or one folder) per student in it")
    seen: dict[str, Path] = {}
    for path in entries:
        if student_id(path) in seen:
            raise ValueError(f"two submissions for student {student_id(path)!r}: {seen[student_id(path)].name} and {path.name}")
        seen[student_id(path)] = path
    feedback_dir = feedback_dir or out_csv.parent / "feedback"
    book = gradebook.Gradebook.open(out_csv, feedback_dir, assignment, submissions, list(seen), force)
    private = [submissions, assignment.path.parent, out_csv.parent, feedback_dir]
    if sandboxed:
        sandbox.check()
        sandbox.view(private)  # refuses a view that would show them
    reference = reference_values(assignment, limits, sandboxed, private)

    def grade(path: Path) -> Result:
        try:
            result = grade_one(student_id(path), path, assignment, reference, limits, sandboxed, private)
        except Exception as error:  # a bug of ours must not cost the rest of the class its grades
            result = not_graded(student_id(path), assignment,
                                f"grader error ({type(error).__name__}: {error}); grade this one by hand")
        if not sandboxed:
            result.status += NO_SANDBOX
        return result

    with ThreadPoolExecutor(max_workers=limits.jobs) as pool:
        results = sorted(pool.map(grade, entries), key=lambda r: r.student)
    book.write(results)
    return results
