"""Networks for video restoration and super-resolution (lesson 05).

- :class:`PixelShuffleUpsampler`: sub-pixel convolution (Shi et al. 2016): a convolution makes
  ``r * r`` times the channels, ``PixelShuffle`` rearranges them into an ``r`` times larger frame.
- :class:`RestorationNet`: an SRResNet-style network (Ledig et al. 2017), without batch norm as in
  EDSR (Lim et al. 2017): ``k`` neighbouring low-quality frames in, the restored centre frame out.
  ``k = 1`` is the single-frame baseline, ``k = 3`` or ``5`` the multi-frame one. It predicts a
  residual on top of the bicubic up-sampling of the centre frame.
- :class:`RecurrentRestorer`: the frame-recurrent generator of FRVSR / TecoGAN (Sajjadi et al.
  2018; Chu et al. 2020): frame ``t`` is restored from the low-quality frame ``t`` and the
  previous *output*, warped to frame ``t`` by the optical flow, so detail is carried along.
- :class:`TripletDiscriminator`: TecoGAN's spatio-temporal discriminator: three consecutive frames,
  stacked on channels, judged together, so it can reject flicker that no single frame shows.

Frames are ``(n, c, h, w)`` in [-1, 1]; clips ``(n, T, c, h, w)``.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_finite, check_images, check_network_input, check_positive_int, check_range, check_tensor, check_video
from .translation import PatchDiscriminator


def _check_factor(factor: int) -> int:
    if isinstance(factor, bool) or factor not in (1, 2, 4):
        raise ValueError(f"factor must be 1, 2 or 4, got {factor!r}")
    return factor


class PixelShuffleUpsampler(nn.Module):
    """``(n, c, h, w)`` -> ``(n, c, factor * h, factor * w)``: one conv + ``PixelShuffle(2)`` + ReLU per doubling."""

    def __init__(self, channels: int, factor: int = 2):
        super().__init__()
        stages = {1: 0, 2: 1, 4: 2}[_check_factor(factor)]
        self.channels = channels
        self.net = nn.Sequential(*[layer for _ in range(stages) for layer in (
            nn.Conv2d(channels, 4 * channels, 3, padding=1), nn.PixelShuffle(2), nn.ReLU(inplace=True))])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(x, "x", channels=self.channels), "x")
        return self.net(x)


class PlainResidualBlock(nn.Module):
    """``x + conv(relu(conv(x)))``, 3x3 convolutions, no normalisation (EDSR): ``(n, c, h, w)`` kept."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(x, "x"), "x")
        return x + self.body(x)


def bicubic(frames: torch.Tensor, factor: int) -> torch.Tensor:
    """:func:`vgan_course.data.upsample_bicubic` of ``frames (n, c, h, w)``; ``factor`` 1 returns them as they are."""
    from ..data.degradations import upsample_bicubic

    return frames if factor == 1 else upsample_bicubic(frames[:, None], factor)[:, 0]


class RestorationNet(nn.Module):
    """Frames ``(n, k, c, h, w)`` (``k`` odd, the centre one is restored) -> ``(n, c, factor * h, factor * w)``.

    Head convolution over the ``k * c`` stacked channels, ``blocks`` residual blocks, the
    pixel-shuffle up-sampler, a tail convolution; the result is added to the bicubic up-sampling
    of the centre frame and clamped to [-1, 1].
    """

    def __init__(self, channels: int = 3, frames: int = 1, factor: int = 2, width: int = 32, blocks: int = 4):
        super().__init__()
        if frames < 1 or frames % 2 == 0:
            raise ValueError(f"frames must be odd (1, 3, 5, ...): the centre frame is restored; got {frames!r}")
        self.channels, self.frames, self.factor = channels, frames, _check_factor(factor)
        self.head = nn.Sequential(nn.Conv2d(frames * channels, width, 3, padding=1), nn.ReLU(inplace=True))
        self.body = nn.Sequential(*[PlainResidualBlock(width) for _ in range(blocks)])
        self.up = PixelShuffleUpsampler(width, factor)
        self.tail = nn.Conv2d(width, channels, 3, padding=1)

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        check_network_input(self, window, "window")
        if window.dim() != 5 or window.shape[1] != self.frames or window.shape[2] != self.channels:
            raise ValueError(f"window must be (batch, {self.frames}, {self.channels}, h, w), got {tuple(window.shape)}")
        features = self.head(window.flatten(1, 2))
        features = features + self.body(features)
        centre = window[:, self.frames // 2]
        return (bicubic(centre, self.factor) + self.tail(self.up(features))).clamp(-1, 1)


def frame_windows(clip: torch.Tensor, k: int) -> torch.Tensor:
    """Every frame's ``k``-frame neighbourhood: ``(n, T, c, h, w)`` -> ``(n * T, k, c, h, w)``, edges repeated."""
    check_video(clip, "clip")
    check_positive_int(k, "k")
    n, T = clip.shape[:2]
    index = (torch.arange(T)[:, None] + torch.arange(k)[None] - k // 2).clamp(0, T - 1)  # (T, k)
    return clip[:, index].flatten(0, 1)


def restore_clip(net: RestorationNet, clip: torch.Tensor) -> torch.Tensor:
    """Apply a sliding-window :class:`RestorationNet` to every frame of ``clip (n, T, c, h, w)`` in [-1, 1]."""
    check_range(check_video(clip, "clip"), "clip")
    out = net(frame_windows(clip, net.frames))
    return out.unflatten(0, clip.shape[:2])


class RecurrentRestorer(nn.Module):
    """FRVSR / TecoGAN generator: ``(frame_t (n, c, h, w), previous output warped to t (n, c, fh, fw))``
    -> output ``t (n, c, fh, fw)``.

    The warped previous output is folded back to the low resolution (``pixel_unshuffle``: each
    ``f x f`` block becomes ``f * f`` channels), stacked with frame ``t`` and passed through a
    :class:`RestorationNet`-like body; the output is a residual on the bicubic up-sampling.
    """

    def __init__(self, channels: int = 3, factor: int = 2, width: int = 32, blocks: int = 4):
        super().__init__()
        self.channels, self.factor = channels, _check_factor(factor)
        self.head = nn.Sequential(nn.Conv2d(channels * (1 + factor * factor), width, 3, padding=1), nn.ReLU(inplace=True))
        self.body = nn.Sequential(*[PlainResidualBlock(width) for _ in range(blocks)])
        self.up = PixelShuffleUpsampler(width, factor)
        self.tail = nn.Conv2d(width, channels, 3, padding=1)

    def forward(self, frame: torch.Tensor, previous: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(frame, "frame", channels=self.channels), "frame")
        check_network_input(self, previous, "previous")
        n, c, h, w = frame.shape
        if previous.shape != (n, c, self.factor * h, self.factor * w):
            raise ValueError(f"previous must be ({n}, {c}, {self.factor * h}, {self.factor * w}), got {tuple(previous.shape)}")
        folded = F.pixel_unshuffle(previous, self.factor) if self.factor > 1 else previous
        features = self.head(torch.cat([frame, folded], dim=1))
        features = features + self.body(features)
        return (bicubic(frame, self.factor) + self.tail(self.up(features))).clamp(-1, 1)


def upsample_flow(flow: torch.Tensor, factor: int) -> torch.Tensor:
    """A flow field ``(..., 2, h, w)`` at ``factor`` times the size, in pixels of that size (bilinear)."""
    check_tensor(flow, "flow")
    if flow.dim() < 3 or flow.shape[-3] != 2:
        raise ValueError(f"flow must be (..., 2, h, w), got {tuple(flow.shape)}")
    if _check_factor(factor) == 1:
        return flow
    big = F.interpolate(flow.reshape(-1, 2, *flow.shape[-2:]), scale_factor=factor, mode="bilinear", align_corners=False)
    return (big * factor).reshape(*flow.shape[:-2], *big.shape[-2:])


def restore_recurrent(net: RecurrentRestorer, clip: torch.Tensor,
                      flows: torch.Tensor | Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Run :class:`RecurrentRestorer` along ``clip (n, T, c, h, w)`` -> ``(n, T, c, fh, fw)``.

    ``flows`` lines the previous output up with frame ``t``: the low-resolution flow from frame ``t``
    to frame ``t - 1`` in ``data.warp``'s convention, either as a tensor ``(n, T - 1, 2, h, w)``
    (entry ``t - 1`` for frame ``t``) or as a function ``flows(frame_t, frame_prev) -> (n, 2, h, w)``
    that estimates it. It is scaled to the output resolution here. The first frame starts from the
    bicubic up-sampling of itself.
    """
    from ..data.flow import _warp

    check_range(check_video(clip, "clip", channels=net.channels), "clip")
    n, T, _, h, w = clip.shape
    if isinstance(flows, torch.Tensor):
        if flows.shape != (n, T - 1, 2, h, w):
            raise ValueError(f"flows must be ({n}, {T - 1}, 2, {h}, {w}), got {tuple(flows.shape)}")
        check_finite(flows, "flows")
    elif not callable(flows):
        raise ValueError(f"flows must be a tensor (n, T - 1, 2, h, w) or a function, got {type(flows).__name__}")
    f = net.factor
    previous = bicubic(clip[:, 0], f)
    outputs = []
    for t in range(T):
        if t > 0:
            flow = flows[:, t - 1] if isinstance(flows, torch.Tensor) else flows(clip[:, t], clip[:, t - 1])
            previous = _warp(previous, upsample_flow(flow, f))  # flows checked once, above
        previous = net(clip[:, t], previous)
        outputs.append(previous)
    return torch.stack(outputs, dim=1)


class TripletDiscriminator(nn.Module):
    """TecoGAN's spatio-temporal D: clips of 3 frames ``(n, 3, c, h, w)`` -> patch logits ``(n, 1, h/8 - 2, w/8 - 2)``.

    The three frames are stacked on channels and judged by the frame discriminator's architecture
    (:class:`~vgan_course.models.PatchDiscriminator` on ``3 c`` channels), so the two discriminators
    of lesson 05 differ only in what they see. The first convolution sees all three frames at once
    and can compare them: a triplet whose frames are each fine but do not agree is caught.
    """

    def __init__(self, channels: int = 3, width: int = 32):
        super().__init__()
        self.channels = channels
        self.patches = PatchDiscriminator(3 * channels, width)

    def forward(self, triplet: torch.Tensor) -> torch.Tensor:
        check_network_input(self, triplet, "triplet")
        if triplet.dim() != 5 or triplet.shape[1] != 3 or triplet.shape[2] != self.channels:
            raise ValueError(f"triplet must be (batch, 3, {self.channels}, h, w), got {tuple(triplet.shape)}")
        return self.patches(triplet.flatten(1, 2))


def inflate_single_frame(net: RestorationNet | RecurrentRestorer, single_frame_state: dict) -> nn.Module:
    """Start ``net`` from a trained single-frame :class:`RestorationNet`'s ``state_dict``, in place.

    Every layer is copied; the head convolution, which sees more input channels, gets the
    single-frame weights on the channels of the frame being restored (the centre frame, or frame
    ``t`` of the recurrent net) and zeros on the others (the neighbours, the warped previous
    output). At the start ``net`` computes exactly what the single-frame model does; whatever it
    gains later comes from learning to use the extra input (as I3D inflates 2-D filters,
    Carreira and Zisserman 2017). Returns ``net``.
    """
    if not isinstance(single_frame_state, dict) or "head.0.weight" not in single_frame_state:
        raise ValueError("single_frame_state must be a RestorationNet's state_dict (with 'head.0.weight'), got "
                         f"{type(single_frame_state).__name__}")
    state = dict(single_frame_state)
    single_head = state["head.0.weight"]  # (width, c, 3, 3)
    c = single_head.shape[1]
    first = (net.frames // 2) * c if isinstance(net, RestorationNet) else 0
    head = torch.zeros_like(net.head[0].weight)
    if head.shape[0] != single_head.shape[0] or c != net.channels:
        raise ValueError(f"the single-frame state has width {single_head.shape[0]} and {c} channels; "
                         f"net has {head.shape[0]} and {net.channels}")
    head[:, first: first + c] = single_head
    state["head.0.weight"] = head
    net.load_state_dict(state)
    return net
