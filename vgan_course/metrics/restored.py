"""Scores of restored clips (lesson 05), against the clean clips they should give back.

:func:`restored_scores` measures fidelity (PSNR, SSIM), flicker (tOF against the clean clips,
and, where the world knows the flow, the warping error with its occlusion mask) and a
distribution distance, :func:`feature_distance`: how far the restored *frames*, as a set, are
from clean frames, on the course's frame features (lesson 03's network). Lesson 05 validates it
with controls before it reads it: blur raises it, and so does nothing that looks less clean to
us; added noise *lowers* it, so it is read together with PSNR (see the lesson).
"""

from __future__ import annotations

import torch

from ..checks import check_choice, check_range, check_video
from ..data import occlusion_mask
from .fidelity import psnr, ssim
from .frechet import frechet_distance
from .temporal import tof, warping_error
from .video import video_features

TILE = 32  # the feature network's frame size


def tiles(clips: torch.Tensor, size: int = TILE) -> torch.Tensor:
    """Cut every frame of ``clips (n, T, c, h, w)`` into non-overlapping ``size`` squares ->
    ``(n * tiles, T, c, size, size)`` (what is left at the right and bottom edges is dropped)."""
    check_video(clips, "clips")
    n, T, c, h, w = clips.shape
    rows, cols = h // size, w // size
    if rows == 0 or cols == 0:
        raise ValueError(f"frames of {h} x {w} are smaller than one {size} x {size} tile")
    cut = clips[..., : rows * size, : cols * size].unflatten(3, (rows, size)).unflatten(5, (cols, size))
    return cut.permute(0, 3, 5, 1, 2, 4, 6).reshape(n * rows * cols, T, c, size, size)


def feature_distance(outputs: torch.Tensor, reference: torch.Tensor) -> float:
    """How far the *distribution* of the frames of ``outputs`` is from that of ``reference`` (clips
    ``(n, T, c, h, w)``): the Fréchet distance between the course's frame features of the two sets,
    on 32 x 32 tiles. Blind to which output goes with which reference frame; 0 for identical sets."""
    check_range(check_video(outputs, "outputs"), "outputs")
    check_range(check_video(reference, "reference"), "reference")
    features = lambda clips: video_features(tiles(clips))["frame"]  # noqa: E731
    return frechet_distance(features(reference), features(outputs))


def visible_pixels(flow: torch.Tensor, backward_flow: torch.Tensor) -> torch.Tensor:
    """The occlusion mask ``(n, T-1, 1, h, w)`` of clips whose forward and backward flows
    ``(n, T-1, 2, h, w)`` are known: :func:`vgan_course.data.occlusion_mask`, pair by pair."""
    check_video(flow, "flow", channels=2)
    if backward_flow.shape != flow.shape:
        raise ValueError(f"backward_flow must have the shape of flow {tuple(flow.shape)}, got {tuple(backward_flow.shape)}")
    pairs = flow.shape[:2]
    return occlusion_mask(flow.flatten(0, 1), backward_flow.flatten(0, 1)).unflatten(0, pairs)


def restored_scores(outputs: torch.Tensor, clean: torch.Tensor, flow: torch.Tensor | None = None,
                    backward_flow: torch.Tensor | None = None, reference: torch.Tensor | None = None,
                    tof_convention: str = "tecogan") -> dict[str, float]:
    """Score restored clips ``outputs`` against the ``clean`` ones ``(n, T, c, H, W)``: ``psnr``,
    ``ssim``, ``tof`` and the ``feature_distance`` to ``reference`` clean clips (default: ``clean``
    itself; FID's practice, and lesson 05's, is an independent clean set, so that the output's own
    truth does not lend it its content); given the clean clips' exact ``flow`` and ``backward_flow``
    (``(n, T-1, 2, H, W)``), also the ``warping_error`` over the pixels visible in both frames of each
    pair (the clean clips themselves score near 0; Lai et al.'s convention). ``tof_convention`` as
    :func:`vgan_course.metrics.tof`: TecoGAN's needs 6 frames of 48 x 48 or more, lesson 05's 32 x 32
    world uses ``"course"``."""
    check_range(check_video(outputs, "outputs"), "outputs")
    check_range(check_video(clean, "clean"), "clean")
    check_choice(tof_convention, "tof_convention", ("tecogan", "course"))
    if outputs.shape != clean.shape:
        raise ValueError(f"outputs must have the clean clips' shape {tuple(clean.shape)}, got {tuple(outputs.shape)}")
    if (flow is None) != (backward_flow is None):
        raise ValueError("pass both flow and backward_flow (the warping error needs its occlusion mask), or neither")
    scores = {"psnr": psnr(outputs, clean), "ssim": ssim(outputs, clean),
              "feature_distance": feature_distance(outputs, clean if reference is None else reference), "tof": tof(outputs, clean, convention=tof_convention)}
    if flow is not None:
        scores["warping_error"] = warping_error(outputs, flow, visible_pixels(flow, backward_flow))
    return scores
