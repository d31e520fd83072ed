"""The instructor's commands: ``vgan-course sync``, ``release`` and ``grade`` (and ``doctor``'s
sandbox line). :mod:`vgan_course.cli` parses their arguments and calls these; each returns an
exit code, and every refusal is one line on stderr before anything is written or graded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..folders import check_writable


def sync_notebooks(paths: list[Path], force: bool = False) -> list[Path]:
    """Write each py:percent twin's ``.ipynb``, without outputs; returns the notebooks written.

    The ``.py`` file is the source a person edits and reviews; the ``.ipynb`` is generated and
    stamped (:mod:`.generated`). Raises, before writing anything, ``ValueError`` for a path that is
    neither a ``.py`` twin nor a folder, and :class:`.generated.EditedError` if a notebook was edited
    since it was generated, unless ``force``.
    """
    import jupytext

    from .generated import stamped, write_all

    missing = [str(p) for p in paths if not p.is_dir() and not (p.is_file() and p.suffix == ".py")]
    if missing:
        raise ValueError(f"{', '.join(missing)}: expected py:percent twins (NAME.py) or folders of them")
    texts = {}
    for path in paths:
        for twin in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            notebook = jupytext.read(twin, fmt="py:percent")
            for index, cell in enumerate(notebook.cells):  # stable ids: regenerating changes nothing
                cell.id = f"cell-{index:03d}"
            texts[twin.with_suffix(".ipynb")] = stamped(notebook, f"vgan-course sync from {twin.name}",
                                                        lambda nb: jupytext.writes(nb, fmt="ipynb"))
    return write_all(texts, force)


def sync(paths: list[Path], force: bool) -> int:
    """``vgan-course sync``."""
    from .generated import EditedError

    try:
        written = sync_notebooks(paths, force)
    except (EditedError, ValueError, OSError) as error:
        return _refuse("sync", error)
    for path in written:
        print(f"wrote {path}")
    return 0


def release(names: list[str], solutions: Path, out: Path, student_dir: Path | None, force: bool) -> int:
    """``vgan-course release``: assignments/NAME.ipynb from solutions/NAME.ipynb, or a whole student tree."""
    from . import assignment
    from .generated import EditedError, write_all
    from .student_tree import write_student_tree

    try:
        if student_dir is not None:
            if names:
                raise ValueError("--student-dir releases every assignment: name none")
            written = write_student_tree(student_dir, solutions, force)
            print(f"wrote the student tree {student_dir} ({len(written)} files changed)")
            return 0
        if not solutions.is_dir():
            raise ValueError(f"--solutions {solutions} is not a folder")
        check_writable(out, "assignments (--out)")
        paths = [assignment.find_solution(n, solutions) for n in names] if names else sorted(solutions.glob("*.ipynb"))
        if not paths:
            raise ValueError(f"no solution notebooks in {solutions}")
        tasks = [assignment.load(path) for path in paths]
        written = write_all({out / f"{task.name}.ipynb": assignment.released_text(task) for task in tasks}, force)
    except (EditedError, ValueError, OSError) as error:
        return _refuse("release", error)
    for task in tasks:
        target = out / f"{task.name}.ipynb"
        print(f"released {task.path} -> {target}" + ("" if target in written else " (unchanged)"))
    return 0


def grade(args: argparse.Namespace) -> int:
    """``vgan-course grade``: one CSV row and one feedback file per submission."""
    from . import assignment, grader
    from .runner import Limits

    try:
        limits = Limits(seconds=args.timeout, cell_seconds=args.cell_timeout, memory_mb=args.memory_mb,
                        scratch_mb=args.scratch_mb, jobs=args.jobs)
        task = assignment.load(assignment.find_solution(args.assignment, args.solutions))
        results = grader.grade_folder(args.submissions, task, args.out, args.feedback, limits,
                                      sandboxed=not args.no_sandbox, force=args.force)
    except (ValueError, RuntimeError) as error:  # bad limits or paths, hand edits, no sandbox, a broken solution
        return _refuse("grade", error)
    for r in results:
        print(f"{r.student:<24} {r.total:>6g} / {task.auto_points:g}  {r.status}")
    feedback = args.feedback or args.out.parent / "feedback"
    print(f"wrote {args.out} ({len(results)} students graded) and feedback in {feedback}")
    return 0


def sandbox_line() -> str:
    """``doctor``'s line: can ``grade`` sandbox submissions on this machine?"""
    from .sandbox import SandboxUnavailable, check

    try:
        return f"yes: {check()}"
    except (SandboxUnavailable, ValueError) as error:
        return f"no: {error}"


def _refuse(command: str, error: Exception) -> int:
    if isinstance(error, OSError) and error.filename is not None:  # not "[Errno 2] ...": what, and where
        error = f"cannot write {error.filename}: {error.strerror}"
    message = " ".join(str(error).split())  # one line, whatever the error held
    print(f"vgan-course {command}: {message}", file=sys.stderr)
    return 1
