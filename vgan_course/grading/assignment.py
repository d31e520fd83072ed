"""An assignment, read from the instructor's solution notebook, and its release to students.

The solution notebook carries nbgrader's markers and cell metadata:

- an **answer cell** (``solution: true``) holds ``### BEGIN SOLUTION`` ... ``### END SOLUTION``;
- a **test cell** (``grade: true``, ``points``) holds ``### BEGIN HIDDEN TESTS`` ... probes ...
  ``### END HIDDEN TESTS``; it grades the answer cell above it;
- a **written answer** is a markdown cell with ``solution: true`` and ``grade: true``: graded
  by hand;
- every other cell (set-up, prose, visible checks) is locked: the grader always uses the
  solution's copy, so a student cannot change what the checks do.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

@dataclass
class Part:
    """One graded part: auto-graded by a test cell's probes, or graded by hand."""

    grade_id: str  # the test cell's id (auto) or the written answer's id (manual)
    points: float
    manual: bool
    answer_id: str | None  # the answer cell this part grades
    answer_names: list[str] = field(default_factory=list)  # the functions it must define


@dataclass
class Assignment:
    """A solution notebook, understood: its cells and its graded parts."""

    name: str  # e.g. "01_gan_basics"
    path: Path
    notebook: nbformat.NotebookNode
    parts: list[Part]

    @property
    def answer_ids(self) -> list[str]:
        return [meta(c)["grade_id"] for c in self.notebook.cells if meta(c).get("solution")]

    @property
    def auto_points(self) -> float:
        return sum(p.points for p in self.parts if not p.manual)

    @property
    def manual_points(self) -> float:
        return sum(p.points for p in self.parts if p.manual)


def meta(cell) -> dict:
    """A cell's nbgrader metadata (empty for cells nbgrader does not know)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def defined_names(source: str) -> list[str]:
    """Names a code cell defines at top level (``def f``, ``class C``, ``x = ...``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def find_solution(assignment: str, solutions: Path) -> Path:
    """``"01"`` or ``"01_gan_basics"`` -> ``solutions/01_gan_basics.ipynb``."""
    matches = sorted(solutions.glob(f"{assignment}*.ipynb"))
    if len(matches) != 1:
        found = ", ".join(p.name for p in sorted(solutions.glob("*.ipynb"))) or "none"
        raise ValueError(f"assignment {assignment!r}: expected one notebook {assignment}*.ipynb in {solutions}, found: {found}")
    return matches[0]


def load(path: Path) -> Assignment:
    """Read and check a solution notebook; raises ``ValueError`` naming any problem."""
    notebook = nbformat.read(path, as_version=4)
    parts: list[Part] = []
    seen: set[str] = set()
    last_answer: tuple[str, list[str]] | None = None
    for cell in notebook.cells:
        m = meta(cell)
        if not m:
            continue
        gid = m.get("grade_id")
        if not gid or gid in seen:
            raise ValueError(f"{path.name}: every nbgrader cell needs a unique grade_id, got {gid!r}")
        seen.add(gid)
        if m.get("solution") and cell.cell_type == "code":
            if "BEGIN SOLUTION" not in cell.source:
                raise ValueError(f"{path.name}: answer cell {gid!r} has no ### BEGIN SOLUTION region")
            last_answer = (gid, defined_names(cell.source))
        if m.get("grade"):
            if "points" not in m:
                raise ValueError(f"{path.name}: graded cell {gid!r} has no points")
            manual = bool(m.get("solution"))
            if not manual and "BEGIN HIDDEN TESTS" not in cell.source:
                raise ValueError(f"{path.name}: test cell {gid!r} has no ### BEGIN HIDDEN TESTS region")
            answer = (gid, []) if manual else last_answer
            if answer is None:
                raise ValueError(f"{path.name}: test cell {gid!r} comes before any answer cell")
            parts.append(Part(gid, float(m["points"]), manual, answer[0], answer[1]))
    if not parts:
        raise ValueError(f"{path.name} has no graded cells (nbgrader metadata with grade: true)")
    return Assignment(path.stem, path, notebook, parts)


def release(assignment: Assignment) -> nbformat.NotebookNode:
    """The student version: solutions replaced by stubs, hidden tests removed, checks kept.

    nbgrader's own preprocessors do the work (install the ``instructor`` extra). Check cells
    that call a student's function are tagged ``raises-exception``, so nbval accepts the
    ``NotImplementedError`` a fresh assignment raises there. The result is deterministic.
    """
    try:
        from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
    except ImportError as error:
        raise RuntimeError("releasing needs nbgrader: pip install 'vgan-course[instructor]'") from error
    notebook = copy.deepcopy(assignment.notebook)
    resources: dict = {}
    for step in (ClearSolutions(), ClearHiddenTests(), ClearOutput()):
        notebook, resources = step.preprocess(notebook, resources)
    student_names = {n for part in assignment.parts for n in part.answer_names}
    for cell in notebook.cells:
        m = meta(cell)
        if cell.cell_type == "code" and not m.get("solution") and not m.get("grade") and _calls(cell.source, student_names):
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    return notebook


def _calls(source: str, names: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\s*\(", source) for name in names)


def released_text(assignment: Assignment) -> str:
    """The student version's file text, stamped as generated from the solution (:mod:`.generated`)."""
    from .generated import stamped

    return stamped(release(assignment), f"vgan-course release from {assignment.path.name}",
                   lambda notebook: nbformat.writes(notebook) + "\n")
