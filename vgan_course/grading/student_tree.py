"""What students receive: ``vgan-course release --student-dir OUT``.

The tree holds the lessons (notebooks and their py:percent twins), the assignments released
fresh from the solutions, the ``vgan_course`` package with its shipped checkpoints, and the files
that install and run it (README, Makefile, pyproject.toml, environment.yml, conftest.py). It
never holds ``solutions/``, hidden tests, ``tests/`` (with the grading corpus), ``benchmarks/``
or ``.git``. ``OUT/.vgan-release.json`` records the SHA-256 of every file written, so that
releasing again refuses, unless forced, to overwrite a file edited in the tree since.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import assignment
from .generated import EditedError

TOP_FILES = ("README.md", "Makefile", "pyproject.toml", "environment.yml", "conftest.py", ".gitignore")
RECORD = ".vgan-release.json"


def course_root() -> Path:
    """The course checkout the package was installed from (editable install)."""
    import vgan_course

    root = Path(vgan_course.__file__).resolve().parents[1]
    if not (root / "notebooks").is_dir():
        raise ValueError(f"a student tree is built from a checkout of the course, but {root} has no notebooks/ "
                         "(install the course with pip install -e .)")
    return root


def student_files(solutions: Path, root: Path | None = None) -> dict[str, bytes]:
    """Relative path -> content of every file in the student tree."""
    root = root or course_root()
    files = {name: (root / name).read_bytes() for name in TOP_FILES if (root / name).is_file()}
    for path in sorted((root / "notebooks").iterdir()):
        if path.suffix in (".ipynb", ".py") and path.is_file():
            files[f"notebooks/{path.name}"] = path.read_bytes()
    for path in sorted(solutions.glob("*.ipynb")):
        task = assignment.load(path)
        files[f"assignments/{task.name}.ipynb"] = assignment.released_text(task).encode("utf-8")
    for path in sorted((root / "vgan_course").rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in relative.parts) \
                and path.suffix not in (".pyc", ".lock"):
            files[relative.as_posix()] = path.read_bytes()
    return files


def write_student_tree(out: Path, solutions: Path, force: bool = False) -> list[Path]:
    """Write the student tree into ``out``; returns the files written (changed or new)."""
    root = course_root()
    if root.resolve().is_relative_to(out.resolve()) or out.resolve().is_relative_to(root / "solutions"):
        raise ValueError(f"--student-dir {out} would hold the course itself or its solutions: choose a folder outside it")
    out.mkdir(parents=True, exist_ok=True)  # OSError here, before anything is written, if it cannot be
    files = student_files(solutions, root)
    record_file = out / RECORD
    record = json.loads(record_file.read_text()) if record_file.exists() else None
    if record is None and any(out.iterdir()) and not force:
        raise ValueError(f"--student-dir {out} is not empty and was not written by vgan-course release: "
                         "choose an empty folder, or pass --force")
    record = record or {}
    edited = [out / name for name in sorted(set(record) | set(files)) if (out / name).is_file()
              and _sha256((out / name).read_bytes()) != record.get(name, _sha256(files.get(name, b"")))]
    if edited and not force:
        raise EditedError(edited)
    written = []
    for name, content in files.items():
        target = out / name
        if not target.is_file() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
    for name in set(record) - set(files):  # no longer part of the course (unedited: checked above)
        (out / name).unlink(missing_ok=True)
    record_file.write_text(json.dumps({name: _sha256(c) for name, c in files.items()}, indent=1, sort_keys=True) + "\n")
    return written


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
