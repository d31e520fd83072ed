"""Small trained networks that ship with the package, verified before use.

Each lives in ``vgan_course/checkpoints/<name>.pt``; ``manifest.json`` beside it records its
SHA-256, its size, the command that rebuilds it from scratch with the course's own code, and
what it measured when it was trained. :func:`load_state` refuses a file whose hash differs:
a corrupted or hand-edited checkpoint fails loudly, never silently.

    vgan-course train-checkpoints            # rebuild every shipped checkpoint
    vgan-course train-checkpoints video_features
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import torch

try:
    import fcntl  # file locks, so that two trainers can update the manifest at once
except ImportError:  # Windows: run one trainer at a time
    fcntl = None

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
MANIFEST = CHECKPOINTS / "manifest.json"


class ShippedCheckpointError(RuntimeError):
    """A shipped checkpoint is missing, or its content does not match the manifest."""


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(folder: Path = CHECKPOINTS) -> dict:
    path = folder / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def load_state(name: str, folder: Path = CHECKPOINTS) -> dict:
    """The state dict of shipped checkpoint ``name``, after checking its SHA-256 against the manifest."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be the name of a shipped checkpoint (a string), got {name!r}")
    entry = read_manifest(folder).get(name)
    if entry is None:
        raise ShippedCheckpointError(f"no shipped checkpoint {name!r} in {folder / 'manifest.json'}: "
                                     f"run `vgan-course train-checkpoints {name}`")
    path = folder / entry["file"]
    if not path.exists():
        raise ShippedCheckpointError(f"{path} is missing; rebuild it with `{entry['command']}`")
    digest = sha256(path)
    if digest != entry["sha256"]:
        raise ShippedCheckpointError(f"{path} has SHA-256 {digest[:16]}..., the manifest expects "
                                     f"{entry['sha256'][:16]}...: the file is corrupted or was changed; "
                                     f"rebuild it with `{entry['command']}`")
    from .claims import record_shipped

    record_shipped(name, digest)  # a recorded lesson run names the networks it measured
    return torch.load(path, map_location="cpu", weights_only=True)


def save_state(name: str, state: dict, command: str, measured: dict, folder: Path = CHECKPOINTS) -> dict:
    """Write ``state`` to ``folder/name.pt`` (atomically) and record it in the manifest; returns the entry.
    Temporary files an interrupted save of ``name`` left behind are removed first."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a file stem such as 'video_gan_mocogan', got {name!r}")
    bad = [k for k, v in state.items() if not isinstance(v, torch.Tensor)] if isinstance(state, dict) else None
    if bad is None or bad or not state:
        raise ValueError(f"state must be a non-empty state dict of tensors (network.state_dict()), got "
                         f"{type(state).__name__}{' with non-tensor entries ' + str(bad[:3]) if bad else ''}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pt"
    for stale in folder.glob(f"{name}.pt.*.tmp"):
        stale.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f"{name}.pt.", suffix=".tmp")
    os.close(handle)
    torch.save({k: v.detach().cpu().contiguous() for k, v in state.items()}, temporary)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a shipped file is for everyone to read
    os.replace(temporary, path)
    entry = {"file": path.name, "sha256": sha256(path), "bytes": path.stat().st_size, "command": command,
             "torch": torch.__version__, "date": time.strftime("%Y-%m-%d"), "measured": measured}
    with open(folder / ".manifest.lock", "w") as lock:  # two trainers at once must not lose an entry
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = read_manifest(folder)
        manifest[name] = entry
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return entry
