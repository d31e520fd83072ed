"""Folders that a command will write to, checked before any long work starts.

It imports no PyTorch, so the ``vgan-course`` command can refuse a bad path at once, before it
imports anything heavy (:mod:`vgan_course.checks` re-exports :func:`check_writable`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def check_writable(folder: str | os.PathLike, what: str) -> Path:
    """Require that files can be created in ``folder`` (or, if it does not exist yet, in its
    nearest existing parent, so that it can be made); returns it resolved. Creates nothing."""
    folder = Path(folder).expanduser().resolve()
    existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
    try:
        if existing is None or not existing.is_dir():
            raise OSError(f"{existing} is not a folder")
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ValueError(f"cannot write to {folder} (for {what}): {existing} is not a writable folder ({reason})") from None
    return folder
