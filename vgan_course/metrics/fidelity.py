"""Fidelity to a known answer: PSNR and SSIM (torchmetrics), for frames or clips in [-1, 1].

Used where the true output is known: the hidden paired rendering of lesson 04's two-style world,
the clean clip behind lesson 05's degraded one. Clips ``(n, time, c, h, w)`` are scored frame by
frame; the result is the mean over all frames.
"""

from __future__ import annotations

import torch
from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

from ..checks import check_range

DATA_RANGE = 2.0  # the course's pixels live in [-1, 1]


def _frames(output: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both as ``(frames, c, h, w)`` float tensors on the CPU, after checking shapes and range."""
    if output.shape != target.shape or output.dim() not in (4, 5):
        raise ValueError(f"output and target must be frames (n, c, h, w) or clips (n, time, c, h, w) of one "
                         f"shape, got {tuple(output.shape)} and {tuple(target.shape)}")
    check_range(output, "output")
    check_range(target, "target")
    flat = (lambda x: x.flatten(0, 1)) if output.dim() == 5 else (lambda x: x)
    return flat(output).detach().float().cpu().clamp(-1, 1), flat(target).detach().float().cpu()


def psnr(output: torch.Tensor, target: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB, ``10 log10(range^2 / MSE)`` with the MSE of each frame,
    averaged over frames. Higher is closer; +6 dB is half the error amplitude."""
    out, ref = _frames(output, target)
    return float(peak_signal_noise_ratio(out, ref, data_range=DATA_RANGE, reduction="elementwise_mean",
                                         dim=(1, 2, 3)))


def ssim(output: torch.Tensor, target: torch.Tensor) -> float:
    """Structural similarity (Wang et al. 2004), Gaussian window 11 (sigma 1.5), in [-1, 1]; 1 = identical.
    Compares local means, contrasts and correlations rather than raw pixel errors."""
    out, ref = _frames(output, target)
    return float(structural_similarity_index_measure(out, ref, data_range=DATA_RANGE))
