"""A submission, read and checked, and the cells the grader runs for it (or for the solution).

The student's answer cells are matched by nbgrader id (or, when ids were changed, by the
functions they define) and run in the solution's order; every other cell is the solution's own
copy, hidden tests put back, so a submission cannot change what the checks do.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import nbformat

from .assignment import Assignment, defined_names, meta

MAX_NOTEBOOK_BYTES = 20 * 2**20


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


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook, or ``None`` and the reason it cannot be graded.

    Only a regular file is read: a symbolic link (to the solution, say, from an unpacked archive)
    or a special file is refused, and a folder's linked sub-folders are not entered.
    """
    if path.is_symlink():
        return None, "a symbolic link, not a notebook: hand in the file itself"
    if path.is_dir():
        notebooks = [Path(root) / name for root, folders, files in os.walk(path)  # does not follow links
                     if ".ipynb_checkpoints" not in Path(root).parts for name in files if name.endswith(".ipynb")]
        if not notebooks:
            return None, "no notebook found in the folder"
        if len(notebooks) > 1:
            return None, f"{len(notebooks)} notebooks in the folder; expected one"
        path = notebooks[0]
    if path.suffix != ".ipynb":
        return None, f"not a notebook: {path.name} is not an .ipynb file"
    data, problem = _read_regular_file(path)
    if data is None:
        return None, problem
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"invalid JSON ({str(error)[:80]}): the file is damaged or not a notebook"
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds
        return None, f"not a valid notebook ({str(error).splitlines()[0][:80]})"
    return notebook, ""


def _read_regular_file(path: Path) -> tuple[bytes | None, str]:
    """The bytes of ``path`` if it is a regular file (not a link) of a sensible size, else why not."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "a symbolic link, not a notebook: hand in the file itself"
        return None, f"cannot be read ({error.strerror})"
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file"
        if info.st_size == 0:
            return None, "empty file"
        if info.st_size > MAX_NOTEBOOK_BYTES:
            return None, f"file too large ({info.st_size // 2**20} MB); clear the outputs and hand in again"
        return f.read(MAX_NOTEBOOK_BYTES + 1), ""
