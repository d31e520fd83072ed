"""Training checkpoints on disk: written atomically, checked for damage, compared with the run that resumes them.

- :func:`save_checkpoint` writes a state with the SHA-256 of its serialised payload, through a
  temporary file and ``os.replace``; the checkpoint it replaces is kept as ``<name>.previous``,
  the last good one should the new one ever be damaged.
- :func:`load_checkpoint` refuses a file whose payload no longer matches its digest (flipped bytes,
  a truncated copy), naming the file and the last good one. Checkpoints of the first format
  (``vgan-course/1``, no digest) still load.
- :func:`run_settings` and :func:`check_resumable`: what a run was trained with (its ``settings``
  and its optimizers' hyper-parameters) and, on resume, which of them differ and which weights
  no longer fit, by name.
- :func:`remove_stale_temporary_files`: what a process killed while saving left behind.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

CHECKPOINT_FORMAT = "vgan-course/2"  # a digest of the payload, and the run's settings
READABLE_FORMATS = ("vgan-course/1", CHECKPOINT_FORMAT)


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed: damaged, not a checkpoint, or from another setup."""


def previous_path(path: str | os.PathLike) -> Path:
    """Where :func:`save_checkpoint` keeps the checkpoint that ``path`` replaced."""
    path = Path(path)
    return path.with_name(path.name + ".previous")


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` atomically, with the SHA-256 of its payload: to a temporary file, then
    ``os.replace``. A crash mid-write leaves the checkpoint there untouched; the one replaced is
    kept as :func:`previous_path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    payload = buffer.getvalue()
    wrapped = {"format": CHECKPOINT_FORMAT, "sha256": hashlib.sha256(payload).hexdigest(),
               "payload": torch.frombuffer(bytearray(payload), dtype=torch.uint8)}
    if path.is_file():
        _write_atomically(previous_path(path), lambda f: f.write(path.read_bytes()))
    _write_atomically(path, lambda f: torch.save(wrapped, f))


def _write_atomically(path: Path, write) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | os.PathLike) -> dict:
    """The state saved at ``path``, after checking its digest; a :class:`CheckpointError` (a
    ``ValueError``) naming the file and the last good one if it is damaged or not a checkpoint."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        return _read_verified(path)
    except CheckpointError as error:
        raise CheckpointError(f"{error}; {_last_good(path)}") from None


def _read_verified(path: Path) -> dict:
    try:
        wrapped = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated, overwritten, not a torch file: whatever torch says, in one sentence
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0].split(". ")[0][:120]
        reason = "the file is empty" if path.stat().st_size == 0 else reason
        raise CheckpointError(f"{path} is not a readable checkpoint, it is damaged ({reason})") from None
    if not isinstance(wrapped, dict) or wrapped.get("format") not in READABLE_FORMATS:
        raise CheckpointError(f"{path} is not a vgan-course checkpoint (expected format {CHECKPOINT_FORMAT!r})")
    if wrapped["format"] == "vgan-course/1":  # the first format: no digest to check
        return wrapped
    payload = wrapped["payload"].numpy().tobytes()
    if hashlib.sha256(payload).hexdigest() != wrapped["sha256"]:
        raise CheckpointError(f"{path} is damaged: its payload's SHA-256 differs from the one recorded when it was saved")
    try:
        return torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(f"{path} holds a payload that cannot be read ({type(error).__name__})") from None


def _last_good(path: Path) -> str:
    """Where to go from a damaged ``path``: its previous checkpoint, if that one is sound."""
    previous = previous_path(path)
    if not previous.is_file():
        return "no earlier checkpoint was kept: delete it to start over"
    try:
        step = _read_verified(previous).get("step")
    except CheckpointError:
        return f"the earlier one, {previous}, is damaged too: delete both to start over"
    return f"the last good one is {previous} (step {step}): move it to {path} to resume from it, or delete it to start over"


def remove_stale_temporary_files(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that a process killed while saving ``path`` left beside it; returns them."""
    path = Path(path)
    stale = sorted(path.parent.glob(f"{path.name}.*.tmp"))  # also <name>.previous.*.tmp
    for file in stale:
        file.unlink(missing_ok=True)
    return stale


# --- settings ---------------------------------------------------------------------------------------


def run_settings(settings: Mapping | None, optimizers: Mapping[str, torch.optim.Optimizer]) -> dict[str, str]:
    """What a run is trained with, as ``{name: value as text}``: the caller's ``settings`` and every
    optimizer's hyper-parameters per parameter group (with a learning-rate schedule, its
    ``initial_lr`` rather than the decaying ``lr``)."""
    recorded = {f"{key}": repr(value) for key, value in (settings or {}).items()}
    for name, optimizer in optimizers.items():
        for index, group in enumerate(optimizer.param_groups):
            for key, value in group.items():
                if key == "params" or (key == "lr" and "initial_lr" in group):
                    continue
                recorded[f"optimizers[{name!r}] group {index} {key}"] = repr(value)
    return recorded


def changed_settings(saved: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """One line per setting that differs between a checkpoint and the run resuming it."""
    missing = "(not set)"
    return [f"{key}: {saved.get(key, missing)} in the checkpoint, {now.get(key, missing)} now"
            for key in sorted(set(saved) | set(now)) if saved.get(key) != now.get(key)]


def misfit_weights(state: dict, models: Mapping[str, nn.Module]) -> list[str]:
    """One line per weight of ``models`` whose shape differs from the checkpoint's (or is missing there)."""
    lines = []
    for name, model in models.items():
        saved = state["models"][name]
        for key, value in model.state_dict().items():
            if key not in saved:
                lines.append(f"models[{name!r}].{key}: missing in the checkpoint")
            elif tuple(saved[key].shape) != tuple(value.shape):
                lines.append(f"models[{name!r}].{key}: {tuple(saved[key].shape)} in the checkpoint, {tuple(value.shape)} now")
    return lines


def check_resumable(path, state: dict, models: Mapping[str, nn.Module], now: Mapping[str, str],
                    allow_changed_settings: bool) -> list[str]:
    """Refuse to resume ``state`` (read from ``path``) into ``models`` when its weights do not fit,
    or when it was trained with other settings than ``now`` unless ``allow_changed_settings``;
    returns the changed settings (empty for a checkpoint of the first format, which has none)."""
    changed = changed_settings(state["settings"], now) if "settings" in state else []
    misfit = misfit_weights(state, models)
    if misfit:
        differ = ("; settings that differ: " + "; ".join(changed)) if changed else ""
        raise CheckpointError(f"{path} was trained with networks of other shapes: " + "; ".join(misfit[:5])
                              + differ + ". Delete it (or use another run folder) to train these networks")
    if changed and not allow_changed_settings:
        raise CheckpointError(f"{path} was trained with other settings: " + "; ".join(changed)
                              + ". Resuming would silently mix two runs: delete it (or use another run folder) to "
                              "start over, or pass allow_changed_settings=True to continue it with the new settings")
    return changed
