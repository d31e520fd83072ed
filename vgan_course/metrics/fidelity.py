"""Fidelity to a known answer: PSNR and SSIM, for frames or clips in [-1, 1].

Used where the true output is known: the hidden paired rendering of lesson 04's two-style world,
the clean clip behind lesson 05's degraded one. Clips ``(n, time, c, h, w)`` are scored frame by
frame; the result is the mean over all frames. Both metrics see the frames as images in [0, 1]
(``(x + 1) / 2``) with a data range of 1, as the papers and their reference code do.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics.functional.image import peak_signal_noise_ratio

from ..checks import check_range, check_tensor, warn_if_unit_range

DATA_RANGE = 2.0  # the course's pixels live in [-1, 1]
SSIM_WINDOW, SSIM_SIGMA = 11, 1.5  # Wang et al. 2004: an 11 x 11 Gaussian window, sigma 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03  # their stabilising constants, C = (K L)^2 with data range L = 1


def _frames(output: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both as ``(frames, c, h, w)`` float tensors on the CPU, after checking shapes and range."""
    check_tensor(output, "output")
    check_tensor(target, "target")
    if output.shape != target.shape or output.dim() not in (4, 5):
        raise ValueError(f"output and target must be frames (n, c, h, w) or clips (n, time, c, h, w) of one "
                         f"shape, got {tuple(output.shape)} and {tuple(target.shape)}")
    check_range(output, "output")
    check_range(target, "target")
    warn_if_unit_range(("output", output), ("target", target))
    flat = (lambda x: x.flatten(0, 1)) if output.dim() == 5 else (lambda x: x)
    return flat(output).detach().float().cpu().clamp(-1, 1), flat(target).detach().float().cpu()


def psnr(output: torch.Tensor, target: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB, ``10 log10(range^2 / MSE)`` with the MSE of each frame,
    averaged over frames. Higher is closer; +6 dB is half the error amplitude.

    Computed on [-1, 1] with range 2, which is exactly PSNR on [0, 1] with data range 1 (both the
    error and the range halve). ``inf`` for identical frames."""
    out, ref = _frames(output, target)
    return float(peak_signal_noise_ratio(out, ref, data_range=DATA_RANGE, reduction="elementwise_mean",
                                         dim=(1, 2, 3)))


def _ssim_taps(dtype: torch.dtype) -> torch.Tensor:
    """The SSIM window's 1-D Gaussian ``(11,)``, summing to 1."""
    offsets = torch.arange(SSIM_WINDOW, dtype=dtype) - SSIM_WINDOW // 2
    taps = torch.exp(-offsets ** 2 / (2 * SSIM_SIGMA ** 2))
    return taps / taps.sum()


def _band(size: int, taps: torch.Tensor) -> torch.Tensor:
    """``(size, size - 10)``: column ``j`` holds the window at rows ``j .. j + 10``, so ``x @ band``
    filters the last axis of ``x`` at its valid positions."""
    band = torch.zeros(size, size - len(taps) + 1, dtype=taps.dtype)
    for j in range(band.shape[1]):
        band[j: j + len(taps), j] = taps
    return band


def _gaussian_blur_valid(x: torch.Tensor) -> torch.Tensor:
    """``x (n, c, h, w)`` filtered by the SSIM window, keeping only the *valid* positions (no padding):
    ``(n, c, h - 10, w - 10)``. The window is separable, so it is two 1-D passes; at the course's
    frame sizes each pass is a product with a banded matrix, which in float64 is several times
    faster than a depthwise convolution and gives the same numbers."""
    taps = _ssim_taps(x.dtype)
    height, width = x.shape[-2:]
    if max(height, width) <= 512:
        return _band(height, taps).T @ (x @ _band(width, taps))
    c = x.shape[1]
    x = F.conv2d(x, taps.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)  # along width
    return F.conv2d(x, taps.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)  # along height


def ssim(output: torch.Tensor, target: torch.Tensor) -> float:
    """Structural similarity (Wang et al. 2004) of frames or clips in [-1, 1]; 1 = identical.

    Compares local means, contrasts and correlations rather than raw pixel errors. As in the
    paper and scikit-image's ``structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1)``: frames mapped to [0, 1], an 11 x 11 Gaussian
    window (sigma 1.5), K1 = 0.01, K2 = 0.03, population (co)variances, the SSIM map averaged over
    the *valid* region only (no padded border), channels averaged, then frames averaged.
    Frames smaller than 11 x 11 have no valid region: a ``ValueError``.
    """
    out, ref = _frames(output, target)
    height, width = out.shape[-2:]
    if height < SSIM_WINDOW or width < SSIM_WINDOW:
        raise ValueError(f"SSIM needs frames of at least {SSIM_WINDOW} x {SSIM_WINDOW} (its Gaussian window), "
                         f"got {height} x {width}")
    c1, c2 = SSIM_K1 ** 2, SSIM_K2 ** 2  # data range 1
    scores = []
    for start in range(0, len(out), 256):  # bounded memory for long clips
        x = (out[start: start + 256].double() + 1) / 2
        y = (ref[start: start + 256].double() + 1) / 2
        mu_x, mu_y = _gaussian_blur_valid(x), _gaussian_blur_valid(y)
        var_x = _gaussian_blur_valid(x * x) - mu_x ** 2
        var_y = _gaussian_blur_valid(y * y) - mu_y ** 2
        cov = _gaussian_blur_valid(x * y) - mu_x * mu_y
        ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))
        scores.append(ssim_map.mean(dim=(1, 2, 3)))  # per frame: valid region and channels
    return float(torch.cat(scores).mean())
