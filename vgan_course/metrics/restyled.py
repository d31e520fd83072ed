"""Scores of restyled clips (lesson 04): style, fidelity, flicker and content kept.

- :func:`restyled_scores`: the two-style world, where the paired truth and the exact flow are
  known: style accuracy and style FD (:mod:`.style`), PSNR and SSIM against the hidden truth,
  the warping error with the exact flow and occlusion mask, and tOF against the truth;
- :func:`footage_scores`: real footage, where no exact flow exists: the warping error along the
  input's estimated flow (and the input's own, the floor), tOF against the input,
  :func:`edge_correlation`, whether the output still shows what the input shows, and PSNR
  against the clip's true restyling (lesson 04's look is a known function of the frame).
"""

from __future__ import annotations

import torch

from ..checks import check_range, check_video
from ..data import StyledClips, trusted_flow, two_style_clips
from .fidelity import psnr, ssim
from .style import style_accuracy, style_fd
from .temporal import tof, warping_error


def style_reference(n: int = 64, n_frames: int = 8, size: int = 32) -> torch.Tensor:
    """Real B clips ``(n, n_frames, 3, size, size)`` for the style FD, drawn apart from every test set (seed 123456)."""
    return two_style_clips(n, n_frames, size, split="test", generator=torch.Generator().manual_seed(123_456)).styled


def restyled_scores(outputs: torch.Tensor, test: StyledClips, reference: torch.Tensor | None = None) -> dict[str, float]:
    """Score restyled clips ``outputs (n, T, 3, h, w)`` of ``test.plain``.

    ``style_accuracy`` and ``style_fd`` (against ``reference`` real B clips, default
    :func:`style_reference`); ``psnr`` and ``ssim`` against the hidden paired truth ``test.styled``;
    ``warping_error`` (Lai et al.'s) with the exact flow, occlusion-masked; ``tof`` against the truth
    (how differently from it the output moves), in the course's convention: TecoGAN's crop keeps
    nothing of 32 x 32 frames (:func:`vgan_course.metrics.tof`).
    """
    check_range(check_video(outputs, "outputs"), "outputs")
    if outputs.shape != test.styled.shape:
        raise ValueError(f"outputs must have the test clips' shape {tuple(test.styled.shape)}, got {tuple(outputs.shape)}")
    reference = style_reference(size=outputs.shape[-1]) if reference is None else reference
    return {"style_accuracy": style_accuracy(outputs), "style_fd": style_fd(outputs, reference),
            "psnr": psnr(outputs, test.styled), "ssim": ssim(outputs, test.styled),
            "warping_error": warping_error(outputs, test.flow, test.visible),
            "tof": tof(outputs, test.styled, convention="course")}


def edge_correlation(output: torch.Tensor, reference: torch.Tensor) -> float:
    """Content kept: the Pearson correlation between the edge maps of ``output`` and ``reference``
    (clips ``(n, T, c, h, w)`` of one shape), frame by frame, averaged.

    An edge map is the gradient magnitude of the grey frame (central differences). A restyled
    clip that keeps the input's objects keeps their outlines, whatever colours it paints them
    in: near 1. Another scene, or one painted over the input, scores near 0.
    """
    check_range(check_video(output, "output"), "output")
    check_range(check_video(reference, "reference"), "reference")
    if output.shape[:2] != reference.shape[:2] or output.shape[-2:] != reference.shape[-2:]:
        raise ValueError(f"output and reference must have the same batch, time and size, got "
                         f"{tuple(output.shape)} and {tuple(reference.shape)}")
    a, b = _edges(output.flatten(0, 1)), _edges(reference.flatten(0, 1))
    a, b = a - a.mean(dim=1, keepdim=True), b - b.mean(dim=1, keepdim=True)
    return float(((a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)).mean())


def _edges(frames: torch.Tensor) -> torch.Tensor:
    """Gradient magnitude of grey frames ``(n, c, h, w)`` -> ``(n, (h - 2) * (w - 2))`` (inner pixels)."""
    grey = frames.detach().float().cpu().mean(dim=1)
    dx = (grey[:, 1:-1, 2:] - grey[:, 1:-1, :-2]) / 2
    dy = (grey[:, 2:, 1:-1] - grey[:, :-2, 1:-1]) / 2
    return (dx ** 2 + dy ** 2).sqrt().flatten(1)


def footage_scores(output: torch.Tensor, clip: torch.Tensor, truth: torch.Tensor) -> dict[str, float]:
    """Flicker, content and fidelity of a restyled real clip ``output`` of ``clip`` whose true
    restyling is ``truth`` (all three ``(n, T, 3, h, w)``).

    ``warping_error``: the output warped along the *input's* estimated flow, where that flow is
    trusted (:func:`vgan_course.data.trusted_flow`); ``input_warping_error``: the same for the input,
    the floor that flow errors alone give (both Lai et al.'s); ``tof``: how differently from the input
    the output moves (TecoGAN's convention: at least 6 frames of 48 x 48 or more); ``edges``:
    :func:`edge_correlation` with the input; ``psnr``: against the true restyling.
    """
    check_range(check_video(output, "output", min_frames=2), "output")
    check_range(check_video(clip, "clip", min_frames=2), "clip")
    check_range(check_video(truth, "truth", min_frames=2), "truth")
    for name, video in (("output", output), ("truth", truth)):
        if video.shape != clip.shape:
            raise ValueError(f"{name} must have the clip's shape {tuple(clip.shape)}, got {tuple(video.shape)}")
    flow, trusted = trusted_flow(clip)
    return {"warping_error": warping_error(output, flow, trusted), "input_warping_error": warping_error(clip, flow, trusted),
            "tof": tof(output, clip), "edges": edge_correlation(output, clip), "psnr": psnr(output, truth)}

