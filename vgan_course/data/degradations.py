"""Degrading clean clips, for video restoration (lesson 05): noise, blur, lower resolution, real codec
damage and frozen frames, alone or chained into a seeded pipeline.

Every function takes clips ``(n, time, c, h, w)`` or one video ``(time, c, h, w)`` in [-1, 1] and
returns the same layout in [-1, 1] (``downsample`` and ``upsample_bicubic`` change ``h, w``).
The clean clip is the ground truth a restoration model is trained and scored against::

    low = degrade(clean, [("blur", {"sigma": 1.0}), ("downsample", {"factor": 2}),
                          ("noise", {"sigma": 0.05}), ("codec", {"bitrate": 100_000})], seed=0)

The random steps (``noise``, ``drop``) take a ``torch.Generator``; :func:`degrade` makes one from
``seed``, so the same seed gives the same degraded clips.
"""

from __future__ import annotations

import inspect
import io
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..checks import check_non_negative, check_positive_int, check_range, check_video

FACTORS = (2, 4)  # the resolution factors of downsample / upsample_bicubic


def add_noise(clips: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Additive white Gaussian noise of standard deviation ``sigma`` (on the [-1, 1] scale), clamped to [-1, 1].

    ``sigma = 0.1`` is about 13 grey levels of 255. The noise is drawn on ``generator``'s device
    (the CPU when ``None``) and moved to the clips', so a seed gives the same noise everywhere.
    """
    video, single = _batch(clips)
    check_non_negative(sigma, "sigma")
    noise = torch.randn(video.shape, generator=generator, device=_random_device(generator), dtype=video.dtype)
    return _unbatch((video + sigma * noise.to(video.device)).clamp(-1, 1), single)


def blur(clips: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian blur of each frame: a separable kernel of radius ``ceil(3 sigma)``, reflect padding.

    Each output pixel is a weighted mean of input pixels, so constants stay constant and values stay
    in [-1, 1]. The radius must be smaller than the frame's height and width.
    """
    video, single = _batch(clips)
    check_non_negative(sigma, "sigma")
    if sigma == 0:
        raise ValueError("sigma must be > 0 (sigma = 0 would be no blur at all)")
    radius = math.ceil(3 * sigma)
    h, w = video.shape[-2:]
    if radius >= min(h, w):
        raise ValueError(f"blur sigma {sigma:g} needs a kernel radius of {radius} pixels, more than "
                         f"frames of {h}x{w} allow (reflect padding); use a smaller sigma")
    offsets = torch.arange(-radius, radius + 1, dtype=video.dtype, device=video.device)
    kernel = torch.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = kernel / kernel.sum()
    frames = video.reshape(-1, 1, h, w)  # every channel of every frame blurred on its own
    frames = F.conv2d(F.pad(frames, (radius, radius, 0, 0), mode="reflect"), kernel.view(1, 1, 1, -1))
    frames = F.conv2d(F.pad(frames, (0, 0, radius, radius), mode="reflect"), kernel.view(1, 1, -1, 1))
    return _unbatch(frames.reshape(video.shape), single)


def downsample(clips: torch.Tensor, factor: int) -> torch.Tensor:
    """``(..., h, w)`` -> ``(..., h / factor, w / factor)``: each output pixel is the mean of a
    ``factor x factor`` block (area averaging, no aliasing). ``factor`` is 2 or 4 and must divide ``h, w``."""
    video, single = _batch(clips)
    _check_factor(factor)
    h, w = video.shape[-2:]
    if h % factor or w % factor:
        raise ValueError(f"downsample by {factor} needs height and width divisible by {factor}, "
                         f"got frames of {h}x{w}; crop or resize the clips first")
    small = F.avg_pool2d(video.flatten(0, 1), factor)
    return _unbatch(small.unflatten(0, video.shape[:2]), single)


def upsample_bicubic(clips: torch.Tensor, factor: int) -> torch.Tensor:
    """``(..., h, w)`` -> ``(..., h * factor, w * factor)`` by bicubic interpolation, clamped to [-1, 1]:
    the baseline every super-resolution model has to beat. ``factor`` is 2 or 4."""
    video, single = _batch(clips)
    _check_factor(factor)
    big = F.interpolate(video.flatten(0, 1), scale_factor=factor, mode="bicubic", align_corners=False)
    return _unbatch(big.clamp(-1, 1).unflatten(0, video.shape[:2]), single)


def codec_damage(clips: torch.Tensor, bitrate: int = 30_000, crf: int | None = None, fps: int = 25) -> torch.Tensor:
    """Real compression damage: encode each clip as H.264 (libx264, yuv420p) in memory and decode it back.

    Blocking, ringing, smeared texture and colour bleeding, as in footage off the internet. The
    encoder runs single-threaded without macroblock-tree rate control, so identical clips give
    identical damage (checked under CPU load).

    Args:
        clips: ``(n, time, c, h, w)`` or ``(time, c, h, w)``, ``c`` = 1 (grey) or 3 (RGB). Odd sizes
            are padded by repeating the last row / column (yuv420p needs even ones) and cropped back.
        bitrate: target bits per second (average bit-rate mode); the default 30 kbit/s at 25 fps is
            1200 bits a frame: about 30 dB PSNR on the carphone clip at 64x78, 25 dB at its full
            176x144 (visible blocking and smearing). Lower is worse.
        crf: constant rate factor 0 (lossless) .. 51 (worst) instead of a bit rate, when given.
        fps: the frame rate written in the stream; with ``bitrate`` it sets the bits per frame.

    Returns:
        the decoded clips, same shape as ``clips``, in [-1, 1], on ``clips``' device.
    """
    video, single = _batch(clips)
    check_positive_int(bitrate, "bitrate")
    check_positive_int(fps, "fps")
    if crf is not None and (isinstance(crf, bool) or not isinstance(crf, int) or not 0 <= crf <= 51):
        raise ValueError(f"crf must be an integer in 0..51 (or None to use bitrate), got {crf!r}")
    c, h, w = video.shape[-3:]
    if c not in (1, 3):
        raise ValueError(f"codec_damage needs 1 (grey) or 3 (RGB) channels, got {c} in shape {tuple(clips.shape)}")
    padded = F.pad(video.flatten(0, 1), (0, w % 2, 0, h % 2), mode="replicate").unflatten(0, video.shape[:2])
    pixels = ((padded.detach().cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    pixels = pixels.expand(-1, -1, 3, -1, -1).permute(0, 1, 3, 4, 2).numpy()  # (n, T, H, W, 3) RGB
    decoded = torch.stack([torch.from_numpy(_h264_round_trip(clip, bitrate, crf, fps)) for clip in pixels])
    decoded = decoded.permute(0, 1, 4, 2, 3).float()[..., :h, :w]  # (n, T, 3, h, w) in 0..255
    if c == 1:
        decoded = decoded.mean(dim=2, keepdim=True)
    out = (decoded / 127.5 - 1).clamp(-1, 1).to(device=video.device, dtype=video.dtype)
    return _unbatch(out, single)


def _h264_round_trip(frames: np.ndarray, bitrate: int, crf: int | None, fps: int) -> np.ndarray:
    """One clip ``(T, H, W, 3)`` uint8 RGB (H, W even) -> the same after H.264 in an in-memory MP4."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        stream.thread_count = 1
        # One thread, and no macroblock-tree rate control: with mbtree on, this x264 build gave
        # different bits for the same clip about one run in five when the CPUs were busy.
        options = {"threads": "1", "x264-params": "mbtree=0"}
        if crf is None:
            stream.bit_rate = bitrate
        else:
            options["crf"] = str(crf)
        stream.options = options
        for pixels in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())  # flush the frames the encoder still holds
    buffer.seek(0)
    with av.open(buffer, "r") as container:
        out = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    if len(out) != len(frames):
        raise RuntimeError(f"H.264 round trip returned {len(out)} frames for {len(frames)}")
    return np.stack(out)


def drop_frames(clips: torch.Tensor, p: float,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Frozen-frame glitches: each frame but the first is dropped with probability ``p`` and replaced
    by the last kept frame before it (what a player shows when frames are lost).

    Returns:
        ``(clips, dropped)``: the glitched clips, same shape as ``clips``, and a bool mask
        ``(n, time)`` (``(time,)`` for one video) that is True where a frame was dropped.
    """
    video, single = _batch(clips)
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    n, t = video.shape[:2]
    dropped = torch.rand((n, t), generator=generator, device=_random_device(generator)).to(video.device) < p
    dropped[:, 0] = False
    steps = torch.arange(t, device=video.device).expand(n, t)
    source = torch.where(dropped, 0, steps).cummax(dim=1).values  # index of the last kept frame
    index = source.view(n, t, 1, 1, 1).expand_as(video)
    out = video.gather(1, index)
    return _unbatch(out, single), (dropped[0] if single else dropped)


def _drop_frames_only(clips: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """:func:`drop_frames` without the mask, as a pipeline step."""
    return drop_frames(clips, p, generator)[0]


DEGRADATIONS: dict[str, Callable[..., torch.Tensor]] = {
    "noise": add_noise,
    "blur": blur,
    "downsample": downsample,
    "upsample": upsample_bicubic,
    "codec": codec_damage,
    "drop": _drop_frames_only,
}
RANDOM_DEGRADATIONS = ("noise", "drop")  # the steps that take the pipeline's generator


@dataclass(frozen=True)
class Degradation:
    """One step of a pipeline: a name of ``DEGRADATIONS`` and its keyword arguments,
    e.g. ``Degradation("blur", {"sigma": 1.0})``. Names and arguments are checked when it is made."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in DEGRADATIONS:
            raise ValueError(f"unknown degradation {self.name!r}; choose one of {sorted(DEGRADATIONS)}")
        if "generator" in self.params:
            raise ValueError("pass the seed to degrade(), not a generator in the step's params")
        try:
            inspect.signature(DEGRADATIONS[self.name]).bind(None, **self.params)
        except TypeError as error:
            raise ValueError(f"bad parameters {dict(self.params)} for degradation {self.name!r}: {error}") from None

    def __call__(self, clips: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Apply this step; only the random ones use ``generator``."""
        extra = {"generator": generator} if self.name in RANDOM_DEGRADATIONS else {}
        return DEGRADATIONS[self.name](clips, **self.params, **extra)


def degrade(clips: torch.Tensor, steps: Sequence[Degradation | tuple[str, Mapping[str, Any]]],
            seed: int = 0) -> torch.Tensor:
    """Apply ``steps`` in order, e.g. ``[("blur", {"sigma": 1.0}), ("downsample", {"factor": 2})]``.

    Each step is a :class:`Degradation` or a ``(name, params)`` pair. The random steps draw from
    one generator seeded with ``seed``: the same seed gives the same output, another seed other noise.
    ``"drop"`` steps return only the clips here; call :func:`drop_frames` for the mask.

    Returns:
        the degraded clips, ``clips``' layout; ``h, w`` change with ``downsample`` / ``upsample``.
    """
    video, single = _batch(clips)
    steps = [step if isinstance(step, Degradation) else Degradation(*step) for step in steps]
    generator = torch.Generator().manual_seed(seed)
    for step in steps:
        video = step(video, generator)
    return _unbatch(video, single)


def _batch(clips: torch.Tensor, name: str = "clips") -> tuple[torch.Tensor, bool]:
    """Check clips ``(n, T, c, h, w)`` or one video ``(T, c, h, w)`` in [-1, 1]; return them 5-D and
    whether a batch dimension was added."""
    if isinstance(clips, torch.Tensor) and clips.dim() not in (4, 5):
        raise ValueError(f"{name} must have shape (batch, time, channels, height, width) or one video "
                         f"(time, channels, height, width), got {tuple(clips.shape)}")
    single = isinstance(clips, torch.Tensor) and clips.dim() == 4
    video = check_video(clips[None] if single else clips, name)
    check_range(video, name)
    return video, single


def _unbatch(video: torch.Tensor, single: bool) -> torch.Tensor:
    return video[0] if single else video


def _random_device(generator: torch.Generator | None) -> torch.device:
    return generator.device if generator is not None else torch.device("cpu")


def _check_factor(factor: int) -> None:
    if isinstance(factor, bool) or factor not in FACTORS:
        raise ValueError(f"factor must be one of {FACTORS}, got {factor!r}")
