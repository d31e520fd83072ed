"""The gradebook: one CSV row and one feedback file per student, written by the grader once,
atomically, after every run has ended. Re-grading keeps what the instructor entered by hand.

In the CSV the instructor owns the hand-graded parts' columns (``pending`` until they enter
points) and any column they add; ``total`` is recomputed (automatic plus hand points). The grader
owns the other columns and remembers what it wrote in ``NAME.record.json`` beside the CSV. In a
feedback file the instructor owns everything below the notes line, which holds the SHA-256 of
what the grader wrote above it.

Re-grading merges the instructor's part into the new files. When something the grader owns was
edited by hand (or the files were not written by the grader), it refuses before any grading
starts, unless forced; a forced run first copies each file it overwrites over a hand edit to
``FILE.bak``. Nothing entered by hand is lost either way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .assignment import Assignment

if TYPE_CHECKING:
    from .grader import Result

NOTES_LINE = ("<!-- vgan-course grade: the grader wrote everything above this line (sha256 {digest}); "
              "write your notes for the student below it: re-grading keeps them -->")
NOTES_PATTERN = re.compile(r"^<!-- vgan-course grade: the grader wrote everything above this line "
                           r"\(sha256 ([0-9a-f]{64})\);.*-->\n?", re.MULTILINE)
FIRST_NOTES = "## Notes from your instructor\n"
SUMMARY = ["total", "max_auto", "max_manual", "status", "reasons"]


class GradebookError(ValueError):
    """The gradebook cannot be written as asked; the message is one line."""


def record_path(out_csv: Path) -> Path:
    """Where the grader remembers what it wrote in ``out_csv``."""
    return out_csv.with_name(out_csv.stem + ".record.json")


def check_paths(out_csv: Path, feedback_dir: Path, submissions: Path) -> None:
    """Refuse, in one line, a CSV or feedback path the grader could not write at the end."""
    if out_csv.is_dir():
        raise GradebookError(f"--out {out_csv} is a folder: give the CSV file's name, e.g. {out_csv / 'grades.csv'}")
    if out_csv.exists() and not out_csv.is_file():
        raise GradebookError(f"--out {out_csv} exists and is not a file")
    for path, what in ((out_csv, "--out"), (feedback_dir, "the feedback folder")):
        parent = path.parent
        if not parent.is_dir():
            raise GradebookError(f"{what} {path}: the folder {parent} does not exist")
        if path.resolve().is_relative_to(submissions.resolve()):
            raise GradebookError(f"{what} {path} is inside the submissions folder {submissions}: write it elsewhere")
        writable = path if path.exists() else parent
        if not os.access(writable, os.W_OK | (os.X_OK if writable.is_dir() else 0)):
            raise GradebookError(f"{what} {path}: cannot write to {writable}")
    if feedback_dir.exists() and not feedback_dir.is_dir():
        raise GradebookError(f"the feedback folder {feedback_dir} exists and is not a folder")


@dataclass
class Gradebook:
    """What an earlier grading left, merged into the next: open it before grading, write after."""

    out_csv: Path
    feedback_dir: Path
    assignment: Assignment
    old_rows: dict[str, dict[str, str]]  # student -> the CSV row as found
    extra: list[str]  # the instructor's own columns, in their order
    record: dict[str, dict[str, str]]  # student -> the grader's columns as it wrote them
    notes: dict[str, str]  # student -> the instructor's notes in the feedback file
    edited: dict[Path, str]  # file -> what was edited by hand in it (copied to FILE.bak when forced)

    @property
    def manual(self) -> list[str]:
        return [p.grade_id for p in self.assignment.parts if p.manual]

    @property
    def owned(self) -> list[str]:
        """The grader's columns checked for hand edits (``total`` is recomputed, never checked)."""
        return [p.grade_id for p in self.assignment.parts if not p.manual] + SUMMARY[1:]

    @classmethod
    def open(cls, out_csv: Path, feedback_dir: Path, assignment: Assignment, submissions: Path,
             students: list[str], force: bool = False) -> Gradebook:
        """Check the paths and read the earlier gradebook; refuse hand edits the grader would overwrite."""
        check_paths(out_csv, feedback_dir, submissions)
        old_rows, header = _read_csv(out_csv)
        record = _read_record(out_csv, assignment) if old_rows else {}
        book = cls(out_csv, feedback_dir, assignment, old_rows, [], record or {}, {}, {})
        known = {"student", *(p.grade_id for p in assignment.parts), *SUMMARY}
        book.extra = [c for c in header if c not in known]
        book._check_hand_points()
        problems = book._edited_cells(header, record)
        if problems:
            book.edited[out_csv] = problems[0]
        for student in students:
            path = feedback_dir / f"{student}.md"
            notes, problem = _read_notes(path)
            if notes is not None:
                book.notes[student] = notes
            if problem:
                book.edited[path] = problem
                problems.append(problem)
        if problems and not force:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise GradebookError(f"re-grading would overwrite what was edited by hand: {'; '.join(problems[:3])}{more}; "
                                 "put your changes in a column of your own or below a feedback file's notes line, "
                                 "or pass --force (each file overwritten is first copied to FILE.bak)")
        return book

    def _edited_cells(self, header: list[str], record: dict | None) -> list[str]:
        if not self.old_rows:
            return []
        if record is None:
            return [f"{self.out_csv} exists but {record_path(self.out_csv).name} does not: it was not written by "
                    f"vgan-course grade for {self.assignment.name}, or its record was deleted"]
        missing = [c for c in ["student", *self.owned, *self.manual] if c not in header]
        if missing:
            return [f"{self.out_csv} lacks the columns {', '.join(missing)}"]
        return [f"{self.out_csv.name}, {student}, {column}: {row[column]!r} where the grader wrote {wrote[column]!r}"
                for student, row in self.old_rows.items() if (wrote := self.record.get(student))
                for column in self.owned if row[column].strip() != wrote.get(column, "").strip()]

    def _check_hand_points(self) -> None:
        for student, row in self.old_rows.items():
            for part in self.assignment.parts:
                value = (row.get(part.grade_id) or "").strip()
                if part.manual and _hand_points(value, part.points) is None:
                    raise GradebookError(f"{self.out_csv.name}, {student}, {part.grade_id}: {value!r} is not a number "
                                         f"of points from 0 to {part.points:g}, nor 'pending'")

    def write(self, results: list[Result]) -> list[str]:
        """Write the feedback files, the CSV and its record; returns the students kept from before."""
        rows = {r.student: self._row(r) for r in results}
        kept = sorted(set(self.old_rows) - set(rows))
        header = ["student", *(p.grade_id for p in self.assignment.parts), *SUMMARY, *self.extra]
        text = io.StringIO()
        writer = csv.DictWriter(text, header, extrasaction="ignore", restval="")
        writer.writeheader()
        for student in sorted([*rows, *kept]):
            writer.writerow(rows.get(student) or self.old_rows[student])
        self.feedback_dir.mkdir(exist_ok=True)
        for path in self.edited:  # only when forced: open() refused otherwise
            if path.exists():
                shutil.copy2(path, path.with_name(path.name + ".bak"))
        for result in results:
            hand = {part: rows[result.student][part] for part in self.manual}
            _replace(self.feedback_dir / f"{result.student}.md",
                     feedback_text(result, self.assignment, hand, self.notes.get(result.student, FIRST_NOTES)))
        _replace(self.out_csv, text.getvalue())
        record = {s: self.record[s] for s in kept if s in self.record}
        record.update({s: {c: row[c] for c in self.owned} for s, row in rows.items()})
        _replace(record_path(self.out_csv), json.dumps({"assignment": self.assignment.name, "rows": record},
                                                       indent=1, sort_keys=True) + "\n")
        return kept

    def _row(self, result: Result) -> dict[str, str]:
        old = self.old_rows.get(result.student, {})
        row = {"student": result.student, **{c: old.get(c, "") for c in self.extra}}
        hand_total = 0.0
        for part in self.assignment.parts:
            if part.manual:
                row[part.grade_id] = (old.get(part.grade_id) or "").strip() or "pending"
                hand_total += _hand_points(row[part.grade_id], part.points) or 0.0
            else:
                row[part.grade_id] = f"{result.points[part.grade_id]:g}"
        row.update(total=f"{round(result.total + hand_total, 2):g}", max_auto=f"{self.assignment.auto_points:g}",
                   max_manual=f"{self.assignment.manual_points:g}", status=result.status, reasons=" | ".join(result.reasons))
        return row


def feedback_text(result: Result, assignment: Assignment, hand: dict[str, str], notes: str) -> str:
    """A student's feedback file: what the grader found, the notes line, then the instructor's notes."""
    lines = [f"# Feedback on {assignment.name} for {result.student}", ""]
    if not result.graded:
        lines += [f"**Not graded:** {result.status}.", ""]
    else:
        entered = {p: float(v) for p, v in hand.items() if v != "pending"}
        lines += [f"Automatic points: **{result.total:g} / {assignment.auto_points:g}**" + (
            "" if not assignment.manual_points else f" (+ {sum(entered.values()):g} / {assignment.manual_points:g} "
            f"graded by hand{', some pending' if len(entered) < len(hand) else ''})"), ""]
        lines += [f"- note: {n}" for n in result.notes] + ([""] if result.notes else [])
        for part in assignment.parts:
            if part.manual:
                answer = result.written.get(part.grade_id, "").strip() or "(no answer)"
                lines += [f"### {part.grade_id} (graded by hand, {part.points:g} points): {hand[part.grade_id]}", "",
                          "Your answer:", "", *(f"> {line}" for line in answer.splitlines()), ""]
            else:
                lines += [f"### {part.grade_id}: {result.points[part.grade_id]:g} / {part.points:g}", ""]
                lines += [f"- {text}" for text in result.lost.get(part.grade_id, [])] or ["- all hidden tests passed"]
                lines.append("")
    generated = "\n".join(lines) + "\n"
    digest = hashlib.sha256(generated.encode("utf-8")).hexdigest()
    return f"{generated}{NOTES_LINE.format(digest=digest)}\n\n{notes}"


def _hand_points(value: str, most: float) -> float | None:
    """Points entered by hand (0 for ``pending`` or empty), or ``None`` if ``value`` is not valid."""
    if value in ("", "pending"):
        return 0.0
    try:
        points = float(value)
    except ValueError:
        return None
    return points if 0 <= points <= most else None


def _read_csv(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    if not path.exists():
        return {}, []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header, rows = list(reader.fieldnames or []), list(reader)
    except (UnicodeDecodeError, csv.Error) as error:
        raise GradebookError(f"{path} is not a readable CSV ({error}): move it away, or give another --out") from error
    if "student" not in header:
        raise GradebookError(f"{path} has no 'student' column: it is not a gradebook; move it away, or give another --out")
    by_student: dict[str, dict[str, str]] = {}
    for row in rows:
        student = (row.get("student") or "").strip()
        if student in by_student:
            raise GradebookError(f"{path} has two rows for student {student!r}: keep one")
        by_student[student] = {k: (v or "") for k, v in row.items() if k is not None}
    return by_student, header


def _read_record(out_csv: Path, assignment: Assignment) -> dict | None:
    try:
        record = json.loads(record_path(out_csv).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("assignment") != assignment.name:
        raise GradebookError(f"{out_csv} is the gradebook of {record.get('assignment')}, not {assignment.name}: "
                             "give another --out")
    return record.get("rows", {})


def _read_notes(path: Path) -> tuple[str | None, str]:
    """The instructor's notes in a feedback file (``None`` if there is no file) and what was edited, if anything."""
    if not path.exists():
        return None, ""
    text = path.read_text(encoding="utf-8", errors="replace")
    found = NOTES_PATTERN.search(text)
    if found is None:
        return text, f"{path} has no notes line (not written by vgan-course grade?)"
    notes = text[found.end():].lstrip("\n")
    digest = hashlib.sha256(text[:found.start()].encode("utf-8")).hexdigest()
    return notes, "" if digest == found.group(1) else f"{path} was edited above its notes line"


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a reader sees the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
