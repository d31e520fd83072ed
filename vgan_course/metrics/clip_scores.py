"""Scoring generated clips of one moving digit against real ones (lesson 03's results table).

- :func:`real_reference` computes real clips' features once; :func:`score_clips` scores any set of
  clips against it: clip and frame Fréchet distance (with bootstrap intervals), identity
  consistency, and the speed and roughness of the ink's motion;
- :func:`appearance_drift` (does the object keep its look along a clip?) and
  :func:`sample_diversity` (do different clips differ?) need no classifier;
- :func:`content_motion_test` checks MoCoGAN's promise that content and motion vary separately;
- :func:`moving_pixels` and :func:`mask_overlap`: does VGAN's mask cover what moves?

The metric network sees 32 x 32 clips: 64 x 64 clips (real and generated alike) are averaged down
first (:func:`at_metric_resolution`), so every number is on the same scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .. import data
from ..checks import check_positive, check_positive_int, check_range, check_video
from .frechet import frechet_bootstrap
from .temporal import centroids, identity_consistency, motion_statistics
from .video import video_feature_net, video_features


def at_metric_resolution(clips: torch.Tensor) -> torch.Tensor:
    """Clips ``(n, time, c, s, s)`` with ``s`` a multiple of 32 -> ``(n, time, c, 32, 32)``, by
    averaging ``s/32 x s/32`` blocks of pixels: the metric network's input size."""
    check_video(clips, "clips")
    size = clips.shape[-1]
    if clips.dim() != 5 or clips.shape[-2] != size or size % 32:
        raise ValueError(f"clips must be (n, time, c, s, s) with s a multiple of 32, got {tuple(clips.shape)}")
    if size == 32:
        return clips
    return F.avg_pool2d(clips.flatten(0, 1), size // 32).unflatten(0, clips.shape[:2])


@dataclass
class RealReference:
    """Real clips and their features, computed once, to score every model against."""

    clips: torch.Tensor  # (n, 16, 1, size, size)
    clip_features: torch.Tensor  # (n, 64 + 32)
    frame_features: torch.Tensor  # (n * 16, 64)


def real_reference(n: int = 512, seed: int = 10_000, size: int = 32) -> RealReference:
    """``n`` real clips of ``size x size`` (:func:`vgan_course.data.digit_clips`) drawn with ``seed``,
    and their features (at 32 x 32)."""
    check_positive_int(n, "n", minimum=2)
    clips = data.digit_clips(n, size, generator=torch.Generator().manual_seed(seed))
    features = video_features(at_metric_resolution(clips))
    return RealReference(clips, features["clip"], features["frame"])


def score_clips(clips: torch.Tensor, reference: RealReference, rounds: int = 20) -> dict[str, float]:
    """One row of lesson 03's results table for ``clips (n, 16, 1, s, s)``, scored at 32 x 32.

    clip FD and frame FD (with 5-95 % bootstrap bounds), identity consistency (share of frames
    whose predicted class is the clip's majority), :func:`appearance_drift`, mean speed and
    roughness of the ink's motion, and :func:`sample_diversity`.
    """
    check_positive_int(rounds, "rounds", minimum=2)
    clips = at_metric_resolution(check_range(check_video(clips, "clips", min_frames=3), "clips"))
    features = video_features(clips)
    clip = frechet_bootstrap(reference.clip_features, features["clip"], rounds)
    frame = frechet_bootstrap(reference.frame_features, features["frame"], rounds)
    motion = motion_statistics(clips)
    return {"clip_fd": clip.value, "clip_fd_low": clip.low, "clip_fd_high": clip.high,
            "frame_fd": frame.value, "frame_fd_low": frame.low, "frame_fd_high": frame.high,
            "identity": identity_consistency(clips), "drift": appearance_drift(clips), "speed": motion.speed,
            "roughness": motion.roughness, "diversity": sample_diversity(clips)}


def aligned_crops(clips: torch.Tensor, size: int = 18) -> torch.Tensor:
    """``size`` x ``size`` crops of every frame of ``clips (n, T, c, h, w)``, centred on the ink's centre
    of mass (:func:`vgan_course.metrics.centroids`): the object without its motion, ``(n, T, c, size, size)``."""
    check_positive_int(size, "size")
    centre = centroids(check_video(clips, "clips")).reshape(-1, 2)  # (n * T, 2) as (x, y) in pixels
    n, time, c, h, w = clips.shape
    offsets = torch.arange(size, dtype=clips.dtype) - size / 2 + 0.5
    ys, xs = torch.meshgrid(offsets, offsets, indexing="ij")
    grid = torch.stack([(xs + centre[:, 0, None, None]) * 2 / w - 1, (ys + centre[:, 1, None, None]) * 2 / h - 1], -1)
    crops = F.grid_sample(clips.reshape(-1, c, h, w).float(), grid, align_corners=False, padding_mode="border")
    return crops.view(n, time, c, size, size)


def appearance_drift(clips: torch.Tensor) -> float:
    """How far the object's look wanders along a clip: the mean absolute difference between the first
    frame and each of the last four, on crops centred on the ink (so moving alone costs nothing).
    A real moving digit keeps its shape (a small value: sub-pixel resampling); a digit that turns into
    another one drifts far. A frozen clip scores 0: read it next to the speed."""
    crops = aligned_crops(check_video(clips, "clips", min_frames=2))
    return float((crops[:, -4:] - crops[:, :1]).abs().mean())


def sample_diversity(clips: torch.Tensor) -> float:
    """How different the clips of a set are from each other: the root-mean-square pixel difference
    between the last frames of every pair of clips ``(n, T, c, h, w)``, averaged over pairs.
    Near 0: every sample is the same clip (mode collapse)."""
    check_range(check_video(clips, "clips"), "clips")
    if len(clips) < 2:
        raise ValueError(f"sample diversity compares clips in pairs: it needs at least 2 clips, got shape {tuple(clips.shape)}")
    last = clips[:, -1].flatten(1).float()  # (n, pixels)
    squared = torch.cdist(last, last, compute_mode="donot_use_mm_for_euclid_dist").pow(2) / last.shape[1]
    n = len(last)
    return float(squared.sqrt().sum() / (n * (n - 1)))


def moving_pixels(clips: torch.Tensor, threshold: float = 0.3) -> torch.Tensor:
    """Where something moves in clips filmed by a still camera: pixels that differ from the clip's
    temporal median by more than ``threshold`` in any channel, ``(n, T, 1, h, w)`` of 0/1.

    The median is the still background wherever the object stays less than half the clip there."""
    check_range(check_video(clips, "clips", min_frames=2), "clips")
    check_positive(threshold, "threshold")
    median = clips.median(dim=1, keepdim=True).values
    return ((clips - median).abs().amax(dim=2, keepdim=True) > threshold).float()


def mask_overlap(mask: torch.Tensor, moving: torch.Tensor) -> float:
    """Intersection over union of ``mask > 0.5`` and ``moving`` (both ``(n, T, 1, h, w)``): 1 when the
    mask covers exactly what moves; the share of moving pixels when the mask covers everything."""
    check_range(check_video(mask, "mask", channels=1), "mask", 0.0, 1.0)
    check_range(check_video(moving, "moving", channels=1), "moving", 0.0, 1.0)
    if mask.shape != moving.shape:
        raise ValueError(f"mask and moving must have one shape, got {tuple(mask.shape)} and {tuple(moving.shape)}")
    chosen = mask > 0.5
    union = (chosen | (moving > 0.5)).sum()
    return float((chosen & (moving > 0.5)).sum() / union.clamp_min(1))


@dataclass
class ContentMotionTest:
    """How MoCoGAN's clips change when only the content or only the motion is resampled.

    ``identity_*``: share of clips whose predicted digit equals the majority within their group;
    ``path_*``: mean distance in pixels (at 32 x 32) between the ink's centre-of-mass paths within a group;
    ``velocity_*``: the same for the per-frame displacements (the motion itself).
    """

    identity_same_content: float  # groups of clips sharing content, motion resampled
    identity_same_motion: float  # groups sharing motion, content resampled
    path_same_content: float
    path_same_motion: float
    velocity_same_content: float
    velocity_same_motion: float
    clips: torch.Tensor  # (n_content, n_motion, time, c, size, size)


@torch.no_grad()
def content_motion_test(G: nn.Module, n_content: int = 16, n_motion: int = 16, seed: int = 0) -> ContentMotionTest:
    """Generate every pairing of ``n_content`` content codes and ``n_motion`` motion-noise sequences
    with a MoCoGAN generator ``G`` (:class:`vgan_course.models.MoCoGANGenerator`) and compare the groups."""
    from ..models import MoCoGANGenerator

    if not isinstance(G, MoCoGANGenerator):
        raise ValueError(f"content_motion_test needs a MoCoGANGenerator, got {type(G).__name__}")
    check_positive_int(n_content, "n_content", minimum=2)  # groups are compared within: two members at least
    check_positive_int(n_motion, "n_motion", minimum=2)
    G.eval()
    rng = torch.Generator().manual_seed(seed)
    content = torch.randn(n_content, G.content_dim, generator=rng)
    motion = torch.randn(n_motion, G.n_frames, G.motion_dim, generator=rng)
    device = next(G.parameters()).device
    clips = G(content.repeat_interleave(n_motion, 0).to(device), motion.repeat(n_content, 1, 1).to(device))
    clips = clips.float().cpu().clamp(-1, 1)  # row i * n_motion + j: content i, motion j
    small = at_metric_resolution(clips)
    logits = video_feature_net()(small)["clip_logits"].view(n_content, n_motion, -1)
    label = logits.argmax(dim=2)  # (content, motion)
    paths = centroids(small).view(n_content, n_motion, G.n_frames, 2)
    velocity = paths[:, :, 1:] - paths[:, :, :-1]

    def agreement(labels: torch.Tensor) -> float:  # rows are groups
        return float((labels == labels.mode(dim=1).values[:, None]).float().mean())

    def spread(x: torch.Tensor) -> float:  # rows are groups: mean distance between members, per frame
        distance = (x[:, :, None] - x[:, None, :]).norm(dim=-1).mean(dim=-1)  # (groups, m, m)
        m = x.shape[1]
        return float(distance.sum(dim=(1, 2)).mean() / (m * (m - 1)))

    return ContentMotionTest(agreement(label), agreement(label.T), spread(paths), spread(paths.transpose(0, 1)),
                             spread(velocity), spread(velocity.transpose(0, 1)),
                             clips.view(n_content, n_motion, *clips.shape[1:]))
