"""Moving digits and moving shapes: short clips whose motion and optical flow are known exactly.

Every clip is made by sliding objects across a canvas in straight lines that bounce off the
borders. Generation is vectorised in torch on the requested device (no Python loop over clips,
frames or objects), so on a GPU the data never waits on the CPU, and a seeded
``torch.Generator`` makes it deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..checks import check_positive_int, check_range, check_tensor
from .digits import digit_sprites

SHAPE_NAMES = ("circle", "square", "triangle")


@dataclass
class Clips:
    """A batch of synthetic clips and their ground truth.

    Attributes:
        video: ``(batch, time, channels, height, width)`` in [-1, 1].
        labels: ``(batch, objects)`` class of each object (digit 0-9, or index in ``SHAPE_NAMES``).
        positions: ``(batch, time, objects, 2)`` object centres in pixels, ``(x, y)``.
        velocities: ``(batch, time, objects, 2)`` velocity in pixels per frame, ``(x, y)``;
            its sign flips on the frame where the object bounces.
        flow: ``(batch, time - 1, 2, height, width)`` forward optical flow in pixels ``(dx, dy)``:
            the pixel at ``(x, y)`` of frame ``t`` shows the same point as ``(x + dx, y + dy)``
            of frame ``t + 1``; zero on the static background.
        colors: ``(batch, objects, 3)`` RGB colours in [0, 1] (moving shapes only, else ``None``).
        backward_flow: ``(batch, time - 1, 2, height, width)``: entry ``t`` is the flow from frame
            ``t + 1`` back to frame ``t`` (moving shapes only, else ``None``).
        foreground: ``(batch, time, 1, height, width)`` in [0, 1]: how much of each pixel the
            objects cover (anti-aliased; moving shapes only, else ``None``).
    """

    video: torch.Tensor
    labels: torch.Tensor
    positions: torch.Tensor
    velocities: torch.Tensor
    flow: torch.Tensor
    colors: torch.Tensor | None = None
    backward_flow: torch.Tensor | None = None
    foreground: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.video.shape[0]


def moving_digits(
    batch_size: int,
    n_frames: int = 16,
    size: int = 32,
    n_digits: int = 1,
    *,
    speed: tuple[float, float] = (1.0, 2.5),
    split: str = "train",
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> Clips:
    """Clips of ``n_digits`` bouncing digits (grey, 1 channel), like Moving MNIST but offline.

    Each digit is a bundled scikit-learn digit upsampled to half the canvas; overlapping digits
    combine by their maximum, as in Moving MNIST. Speeds are drawn uniformly in ``speed``
    (pixels per frame), directions uniformly on the circle.

    Returns:
        :class:`Clips` with ``video`` of shape ``(batch_size, n_frames, 1, size, size)``.
    """
    device = _device(generator, device)
    _check_clip_args(batch_size, n_frames, size, n_digits, speed)
    sprite_size = size // 2
    sprites, sprite_labels = digit_sprites(sprite_size, split, device)
    which = torch.randint(len(sprite_labels), (batch_size, n_digits), generator=generator, device=device)
    half = sprite_size / 2
    positions, velocities = _bouncing_paths(batch_size, n_frames, n_digits, half, size - half, speed, generator, device)
    layers = _paste(sprites[which], positions, size)  # (B, T, K, 1, H, W) in [0, 1]
    video, owner = layers.max(dim=2)  # (B, T, 1, H, W): the brightest digit owns the pixel
    owner, ink = owner[:, :, 0], video[:, :, 0] > 0.05
    flow = _flow(positions, owner, ink)
    return Clips(video * 2 - 1, sprite_labels[which], positions, velocities, flow)


def digit_clips(n: int, size: int = 32, n_frames: int = 16, generator: torch.Generator | None = None,
                device: torch.device | str | None = None) -> torch.Tensor:
    """Lesson 03's real clips ``(n, n_frames, 1, size, size)``: one moving digit each, training digits.

    Speeds scale with the canvas (1 to 2.5 pixels per frame at 32 x 32), so a 64 x 64 clip
    averaged down to 32 x 32 moves like a 32 x 32 one.
    """
    scale = size / 32
    return moving_digits(n, n_frames, size, 1, speed=(1.0 * scale, 2.5 * scale), split="train",
                         generator=generator, device=device).video


def moving_shapes(
    batch_size: int,
    n_frames: int = 16,
    size: int = 32,
    n_shapes: int = 1,
    *,
    speed: tuple[float, float] = (1.0, 2.5),
    background: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> Clips:
    """Clips of ``n_shapes`` bouncing coloured circles, squares and triangles (RGB, 3 channels).

    Shapes have anti-aliased edges, a random saturated colour and a fixed size (radius
    ``0.16 * size``); later shapes are drawn over earlier ones. ``background``: a still picture
    ``(batch_size, 3, size, size)`` in [-1, 1] behind the shapes (a camera on a tripod; its flow
    is 0), default black.

    Returns:
        :class:`Clips` with ``video`` of shape ``(batch_size, n_frames, 3, size, size)`` and
        ``colors`` set.
    """
    device = _device(generator, device)
    _check_clip_args(batch_size, n_frames, size, n_shapes, speed)
    radius = 0.16 * size
    kinds = torch.randint(len(SHAPE_NAMES), (batch_size, n_shapes), generator=generator, device=device)
    hue = torch.rand(batch_size, n_shapes, generator=generator, device=device)
    colors = _saturated_color(hue)  # (B, K, 3)
    positions, velocities = _bouncing_paths(
        batch_size, n_frames, n_shapes, radius + 1, size - radius - 1, speed, generator, device
    )
    alpha = _shape_alpha(kinds, positions, radius, size)  # (B, T, K, H, W)
    canvas = torch.zeros(batch_size, n_frames, 3, size, size, device=device)
    if background is not None:
        check_tensor(background, "background")
        if background.shape != (batch_size, 3, size, size):
            raise ValueError(f"background must be ({batch_size}, 3, {size}, {size}), got {tuple(background.shape)}")
        check_range(background, "background")
        canvas = canvas + (background.to(device)[:, None] + 1) / 2
    owner = torch.full((batch_size, n_frames, size, size), -1, dtype=torch.long, device=device)
    for k in range(n_shapes):  # painter's algorithm over at most a few shapes
        a = alpha[:, :, k, None]
        canvas = canvas * (1 - a) + colors[:, None, k, :, None, None] * a
        owner = torch.where(alpha[:, :, k] > 0.5, k, owner)
    flow = _flow(positions, owner.clamp(min=0), owner >= 0)
    backward = _flow(positions.flip(1), owner.flip(1).clamp(min=0), owner.flip(1) >= 0).flip(1)
    coverage = 1 - (1 - alpha).prod(dim=2, keepdim=True)  # (B, T, 1, H, W): alpha is (B, T, K, H, W)
    return Clips(canvas * 2 - 1, kinds, positions, velocities, flow, colors, backward, coverage)


# --- pieces -------------------------------------------------------------------------------


def _bouncing_paths(batch, n_frames, n_objects, low, high, speed, generator, device):
    """Straight-line motion reflected off the walls ``[low, high]``, in closed form.

    An unbounded coordinate ``s = s0 + v t`` folds into the box by the triangle wave
    ``low + L - |L - (s - low) mod 2L|`` with ``L = high - low``. Returns positions and
    velocities, each ``(batch, n_frames, n_objects, 2)``.
    """
    span = high - low
    start = low + span * torch.rand(batch, 1, n_objects, 2, generator=generator, device=device)
    angle = 2 * math.pi * torch.rand(batch, 1, n_objects, generator=generator, device=device)
    lo, hi = speed
    magnitude = lo + (hi - lo) * torch.rand(batch, 1, n_objects, generator=generator, device=device)
    velocity = magnitude[..., None] * torch.stack([angle.cos(), angle.sin()], dim=-1)
    t = torch.arange(n_frames, device=device, dtype=torch.float32).view(1, -1, 1, 1)
    folded = torch.remainder(start - low + velocity * t, 2 * span)  # in [0, 2L)
    positions = low + span - (span - folded).abs()
    velocities = velocity * torch.sign(span - folded)  # moving back on the return leg
    return positions, velocities


def _paste(sprites: torch.Tensor, positions: torch.Tensor, size: int) -> torch.Tensor:
    """Place square sprites ``(B, K, C, S, S)`` centred at ``positions (B, T, K, 2)`` on a
    ``size x size`` canvas by bilinear sampling (sub-pixel positions stay smooth).

    Returns ``(B, T, K, C, size, size)``, zero outside the sprites.
    """
    B, K, C, S, _ = sprites.shape
    T = positions.shape[1]
    pixel = torch.arange(size, device=sprites.device, dtype=torch.float32) + 0.5  # pixel centres
    # canvas pixel -> sprite coordinate normalised to [-1, 1] (grid_sample, align_corners=False)
    gx = (pixel - positions[..., 0, None]) * (2 / S)  # (B, T, K, W)
    gy = (pixel - positions[..., 1, None]) * (2 / S)  # (B, T, K, H)
    grid = torch.stack(
        [gx[..., None, :].expand(B, T, K, size, size), gy[..., :, None].expand(B, T, K, size, size)], dim=-1
    )
    source = sprites[:, None].expand(B, T, K, C, S, S).reshape(B * T * K, C, S, S)
    out = F.grid_sample(source, grid.reshape(B * T * K, size, size, 2), mode="bilinear", align_corners=False)
    return out.view(B, T, K, C, size, size)


def _shape_alpha(kinds: torch.Tensor, positions: torch.Tensor, radius: float, size: int) -> torch.Tensor:
    """Anti-aliased coverage ``(B, T, K, H, W)`` of each shape, from a signed distance."""
    pixel = torch.arange(size, device=positions.device, dtype=torch.float32) + 0.5
    dx = pixel.view(1, 1, 1, 1, -1) - positions[..., 0, None, None]  # (B, T, K, 1, W)
    dy = pixel.view(1, 1, 1, -1, 1) - positions[..., 1, None, None]  # (B, T, K, H, 1)
    circle = torch.sqrt(dx**2 + dy**2) - radius
    square = torch.maximum(dx.abs(), dy.abs()) - 0.85 * radius  # same area as the circle, near enough
    # equilateral triangle, apex up (image y points down): three half-planes
    inradius = 0.78 * radius
    edges = [dy, -0.866 * dx - 0.5 * dy, 0.866 * dx - 0.5 * dy]
    triangle = torch.maximum(torch.maximum(edges[0], edges[1]), edges[2]) - inradius
    distance = torch.stack(torch.broadcast_tensors(circle, square, triangle), dim=0)  # (3, B, T, K, H, W)
    index = kinds[None, :, None, :, None, None].expand_as(distance[:1])
    chosen = distance.gather(0, index)[0]
    return torch.sigmoid(-chosen / 0.5)


def _saturated_color(hue: torch.Tensor) -> torch.Tensor:
    """Hue in [0, 1) -> a fully saturated, bright RGB colour in [0, 1], shape ``(..., 3)``."""
    offsets = torch.tensor([0.0, 2 / 3, 1 / 3], device=hue.device)
    wave = (torch.remainder(hue[..., None] + offsets, 1.0) * 6 - 3).abs() - 1
    return wave.clamp(0, 1) * 0.8 + 0.2


def _flow(positions: torch.Tensor, owner: torch.Tensor, on_object: torch.Tensor) -> torch.Tensor:
    """Per-pixel forward flow ``(B, T-1, 2, H, W)`` from each object's displacement.

    ``owner (B, T, H, W)`` names the object that a pixel shows; ``on_object`` masks background.
    """
    displacement = positions[:, 1:] - positions[:, :-1]  # (B, T-1, K, 2)
    own = owner[:, :-1]  # (B, T-1, H, W)
    B, T1, H, W = own.shape
    index = own.reshape(B, T1, H * W, 1).expand(B, T1, H * W, 2)
    per_pixel = displacement.gather(2, index).view(B, T1, H, W, 2)
    per_pixel = per_pixel * on_object[:, :-1, ..., None]
    return per_pixel.permute(0, 1, 4, 2, 3).contiguous()


def _device(generator: torch.Generator | None, device: torch.device | str | None) -> torch.device:
    if device is None:
        return generator.device if generator is not None else torch.device("cpu")
    device = torch.device(device)
    if generator is not None and generator.device.type != device.type:
        raise ValueError(f"generator lives on {generator.device}, but device={device} was asked for")
    return device


def _check_clip_args(batch: int, n_frames: int, size: int, n_objects: int, speed: tuple[float, float]) -> None:
    check_positive_int(batch, "batch_size")
    check_positive_int(n_frames, "n_frames", minimum=2)
    check_positive_int(size, "size", minimum=16)
    if not 1 <= n_objects <= 3:
        raise ValueError(f"the number of objects must be 1, 2 or 3, got {n_objects}")
    lo, hi = speed
    if not 0 <= lo <= hi:
        raise ValueError(f"speed must be (low, high) with 0 <= low <= high, got {speed}")
