"""Validation at the package's public boundaries: clear ``ValueError``s, never silent surprises.

Every public function calls these first, once, so that bad input fails at once with a message
naming the problem, what was expected and what was received:

- :func:`check_tensor`, :func:`check_images`, :func:`check_video`, :func:`check_shape`,
  :func:`check_features`: type, floating dtype, shape, nothing empty;
- :func:`check_range`: finite values in [-1, 1] (with a hint when the input looks like 8-bit
  [0, 255] images), :func:`check_finite`, :func:`warn_if_unit_range` (a [0, 1] image is inside
  [-1, 1], so it is only a warning, where a metric's scale depends on it);
- :func:`check_same_device`: tensors (or a tensor and a network) on one device;
- :func:`check_positive`, :func:`check_non_negative`, :func:`check_positive_int`,
  :func:`check_choice`: parameters such as ``fps``, ``sigma``, ``rounds``, ``convention``;
- :func:`check_writable`: a folder that files can be written to, checked before long work
  (it lives in :mod:`vgan_course.folders`, which does not import torch).

Each costs at most one reduction over a tensor: call them at the boundary, not inside loops.
"""

from __future__ import annotations

import math
import warnings
from typing import Iterable

import torch
from torch import nn

from .folders import check_writable  # noqa: F401  (checks.check_writable, as before)


def check_tensor(x: object, name: str, floating: bool = True) -> torch.Tensor:
    """Require a non-empty ``torch.Tensor`` (of a floating dtype unless ``floating=False``); returns ``x``."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if floating and not x.is_floating_point():
        hint = " (8-bit images? use x.float() / 127.5 - 1)" if x.dtype == torch.uint8 else " (use .float())"
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {x.dtype}{hint}")
    if x.numel() == 0:
        raise ValueError(f"{name} is empty: got shape {tuple(x.shape)}")
    return x


def check_shape(x: object, name: str, expected: tuple, floating: bool = True) -> torch.Tensor:
    """Require ``x.shape`` to match ``expected``: an int is a size, a string names a free one
    (e.g. ``("n", 2)`` for points in the plane)."""
    check_tensor(x, name, floating)
    if x.dim() != len(expected) or any(isinstance(e, int) and e != s for e, s in zip(expected, x.shape)):
        wanted = "(" + ", ".join(str(e) for e in expected) + ("," if len(expected) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {wanted}, got {tuple(x.shape)}")
    return x


def check_images(x: object, name: str = "images", channels: int | None = None, min_size: int = 1) -> torch.Tensor:
    """Require a non-empty batch of images ``(batch, channels, height, width)``, at least
    ``min_size`` pixels high and wide; returns ``x``."""
    check_tensor(x, name)
    expected = f"(batch, {channels if channels else 'channels'}, height, width)"
    if x.dim() != 4 or (channels is not None and x.shape[1] != channels):
        hint = " (a clip? flatten its frames with x.flatten(0, 1))" if x.dim() == 5 else ""
        raise ValueError(f"{name} must have shape {expected}, got {tuple(x.shape)}{hint}")
    _check_size(x, name, min_size)
    return x


def check_video(x: object, name: str = "video", channels: int | None = None, min_frames: int = 1,
                min_size: int = 1) -> torch.Tensor:
    """Require a non-empty batch of clips ``(batch, time, channels, height, width)`` with at least
    ``min_frames`` frames of at least ``min_size`` pixels a side; returns ``x``."""
    check_tensor(x, name)
    expected = f"(batch, time, {channels if channels else 'channels'}, height, width)"
    if x.dim() != 5 or (channels is not None and x.shape[2] != channels):
        hint = " (a single clip? add a batch dimension with x[None])" if x.dim() == 4 else ""
        raise ValueError(f"{name} must have shape {expected}, got {tuple(x.shape)}{hint}")
    if x.shape[1] < min_frames:
        raise ValueError(f"{name} must have at least {min_frames} frames, got {x.shape[1]} (shape {tuple(x.shape)})")
    _check_size(x, name, min_size)
    return x


def check_features(x: object, name: str, min_rows: int = 2) -> torch.Tensor:
    """Require finite features ``(n >= min_rows, dim)``; returns ``x``."""
    check_tensor(x, name)
    if x.dim() != 2 or x.shape[0] < min_rows:
        raise ValueError(f"{name} must be features of shape (n >= {min_rows}, dim), got {tuple(x.shape)}")
    return check_finite(x, name)


def check_finite(x: torch.Tensor, name: str) -> torch.Tensor:
    """Require no NaN or infinite value in ``x`` (one reduction); returns ``x``."""
    if not bool(torch.isfinite(x).all()):
        nan, inf = int(torch.isnan(x).sum()), int(torch.isinf(x).sum())
        raise ValueError(f"{name} must be finite, got {nan} NaN and {inf} infinite values "
                         f"among {x.numel()} (shape {tuple(x.shape)})")
    return x


def check_range(x: torch.Tensor, name: str, low: float = -1.0, high: float = 1.0, tol: float = 1e-3) -> torch.Tensor:
    """Require finite values of ``x`` in ``[low, high]`` (course tensors live in [-1, 1]); returns ``x``."""
    check_tensor(x, name)
    least, most = torch.stack(torch.aminmax(x.detach())).tolist()  # one pass; NaN propagates into both
    if not (math.isfinite(least) and math.isfinite(most)):
        check_finite(x, name)
    if not (least >= low - tol and most <= high + tol):  # also false for an infinite value
        hint = ""
        if least >= -tol and 1.5 < most <= 255 + tol:
            hint = " (8-bit images in [0, 255]? use x / 127.5 - 1)"
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got values in [{least:.3g}, {most:.3g}]{hint}")
    return x


def warn_if_unit_range(*named: tuple[str, torch.Tensor]) -> None:
    """Warn when every value of every ``(name, tensor)`` lies in [0, 1]: images in [0, 1] passed
    where [-1, 1] is meant (they fit inside it, but a metric's scale is then off)."""
    in_unit = [x.numel() >= 256 and 0 <= x.min().item() and x.max().item() <= 1 for _, x in named]
    if all(in_unit) and max(x.max().item() for _, x in named) > 0.5:  # bright, yet nothing below 0
        names = " and ".join(n for n, _ in named)
        warnings.warn(f"{names} have no value below 0: images in [0, 1]? The course's range is [-1, 1] "
                      "(use x * 2 - 1); scores on [0, 1] input are not comparable", UserWarning, stacklevel=3)


def check_same_device(*named: tuple[str, torch.Tensor | nn.Module]) -> None:
    """Require every ``(name, tensor or network)`` on one device (a network: its first parameter's)."""
    devices = [(name, _device_of(thing)) for name, thing in named]
    devices = [(name, device) for name, device in devices if device is not None]
    if len({device for _, device in devices}) > 1:
        listed = ", ".join(f"{name} on {device}" for name, device in devices)
        raise ValueError(f"inputs must be on one device, got {listed} (move them with .to(device))")


def check_module(module: object, name: str) -> nn.Module:
    """Require a ``torch.nn.Module`` (a network); returns it."""
    if not isinstance(module, nn.Module):
        raise ValueError(f"{name} must be a torch.nn.Module (a network), got {type(module).__name__}")
    return module


def check_network_input(network: nn.Module, x: object, name: str, expected: tuple | None = None) -> torch.Tensor:
    """A network's input: a float tensor (of shape ``expected``, as :func:`check_shape`) on the
    network's device; returns ``x``. Shape only: no reduction, so it is free in a training step."""
    check_shape(x, name, expected) if expected is not None else check_tensor(x, name)
    check_same_device((name, x), ("the network's weights", network))
    return x


def check_positive(value: object, name: str) -> float:
    """Require a finite real number ``> 0`` (e.g. ``fps``); returns it as a float."""
    number = _real(value, name)
    if not number > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def check_non_negative(value: object, name: str) -> float:
    """Require a finite real number ``>= 0`` (e.g. a noise ``sigma``); returns it as a float."""
    number = _real(value, name)
    if not number >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return number


def check_positive_int(value: int, name: str, minimum: int = 1) -> int:
    """Require an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def check_choice(value: object, name: str, choices: Iterable) -> object:
    """Require ``value`` to be one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def _check_size(x: torch.Tensor, name: str, min_size: int) -> None:
    if x.shape[-2] < min_size or x.shape[-1] < min_size:
        raise ValueError(f"{name} must have frames of at least {min_size} x {min_size} pixels, "
                         f"got {x.shape[-2]} x {x.shape[-1]} (shape {tuple(x.shape)})")


def _device_of(thing: torch.Tensor | nn.Module) -> torch.device | None:
    if isinstance(thing, torch.Tensor):
        return thing.device
    parameter = next(thing.parameters(), None) if isinstance(thing, nn.Module) else None
    return parameter.device if parameter is not None else None
