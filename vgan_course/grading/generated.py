"""Generated files know they are generated: refuse to overwrite one that was edited since.

``sync`` (a notebook from its py:percent twin) and ``release`` (an assignment from its solution)
write notebooks whose metadata holds a stamp, ``vgan_course.generated``: what made the notebook
and the SHA-256 of the rest of it (canonical JSON, so formatting does not count). Writing again
is refused, unless forced, when the notebook no longer matches its stamp (it was edited by hand:
the edit would be lost) or, for a notebook without a stamp, when it differs from the new one by
more than the stamp. A student tree (``release --student-dir``) keeps the same kind of record
for every file it holds in ``.vgan-release.json``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

KEY = "vgan_course"


class EditedError(ValueError):
    """Files that were edited since they were generated; the message is one line that names them."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        names = ", ".join(str(p) for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        super().__init__(f"{names} {'was' if len(paths) == 1 else 'were'} edited since generated and would be "
                         "overwritten: move the edits to the source (the .py twin, the solution), or pass --force")


def fingerprint(notebook: dict) -> str:
    """SHA-256 of a notebook's canonical JSON, its stamp left out."""
    unstamped = dict(notebook, metadata={k: v for k, v in notebook.get("metadata", {}).items() if k != KEY})
    return hashlib.sha256(json.dumps(unstamped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def stamped(notebook, made_by: str, write: Callable) -> str:
    """``write(notebook)`` (the notebook's text), with a stamp saying ``made_by`` in its metadata."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop(KEY, None)
    digest = fingerprint(json.loads(write(notebook)))
    notebook.metadata[KEY] = {"generated": {"by": made_by, "sha256": digest}}
    return write(notebook)


def edited(path: Path, new_text: str) -> bool:
    """Would writing ``new_text`` to ``path`` lose an edit made since ``path`` was generated?"""
    if not path.exists():
        return False
    old_text = path.read_text(encoding="utf-8", errors="replace")
    if old_text == new_text:
        return False
    try:
        old = json.loads(old_text)
        stamp = old["metadata"].get(KEY, {}).get("generated", {})
    except (ValueError, AttributeError, KeyError, TypeError):
        return True
    if stamp:
        return stamp.get("sha256") != fingerprint(old)
    return fingerprint(old) != fingerprint(json.loads(new_text))


def write_all(texts: dict[Path, str], force: bool = False) -> list[Path]:
    """Write each ``path -> text`` that changes; first refuse (:class:`EditedError`) if any would
    lose an edit, unless ``force``. Returns the paths written; ``OSError`` if a folder cannot be made."""
    stale = [path for path, text in texts.items() if edited(path, text)]
    if stale and not force:
        raise EditedError(stale)
    for folder in sorted({path.parent for path in texts}):  # an unwritable place fails here, before any file
        folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in texts.items():
        if not path.exists() or path.read_text(encoding="utf-8", errors="replace") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
