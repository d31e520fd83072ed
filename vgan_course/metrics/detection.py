"""Telling generated clips from real ones (lesson 06): three detectors and the two numbers that grade them.

- **Spectrum** (Durall et al. 2020; Frank et al. 2020 use the DCT instead): every frame's 2-D
  Fourier spectrum, on a log scale, averaged over rings of equal frequency
  (:func:`spectrum_profile`, following the authors' released code), averaged over the clip's
  frames, then a logistic regression (:class:`FeatureDetector`). Transposed convolutions leave a
  trace at high frequencies that real footage lacks.
- **A small CNN** on frames (:class:`DetectorCNN`), trained with blur and real H.264 compression
  as augmentation (:func:`augment`), as Wang et al. (2020) train theirs with blur and JPEG, so that
  it does not lean on traces a platform's encoder wipes out.
- **Temporal**: how badly frame ``t + 1``, warped back along the optical flow estimated between
  the two, fails to reproduce frame ``t`` (:func:`flow_residual_features`). A real digit moves
  rigidly, so the flow explains it; a generated one also changes shape from frame to frame.

:func:`detection_scores` gives the **average precision** (threshold-free: does the detector rank
the fakes above the reals?) and the **accuracy** at the detector's own threshold (the one it
learned on its training generator): they differ when the scores shift on a new generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_images, check_range, check_video
from ..data import blur, codec_damage, estimate_flow, warp

EPSILON = 1e-8  # added to the spectrum before the logarithm, as in Durall et al.'s code


def _radial_bins(size: int) -> tuple[torch.Tensor, int]:
    """Ring index of every frequency of a ``size x size`` spectrum (after ``fftshift``), and the number of rings.

    As in Durall et al.'s ``azimuthalAverage``: radii from the point ``((size - 1) / 2, (size - 1) / 2)``,
    rounded down; the innermost ring (the constant) and the outermost, incomplete one are dropped.
    """
    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    radius = torch.hypot(coords[None, :], coords[:, None]).floor().long()  # (size, size)
    return radius, int(radius.max())


def spectrum_profile(frames: torch.Tensor) -> torch.Tensor:
    """Durall et al.'s spectral feature of frames ``(n, c, s, s)`` in [-1, 1] -> ``(n, rings)``.

    Grey frame, 2-D FFT, ``fftshift``, ``20 log(|F| + EPSILON)``; the mean over each ring of integer
    radius ``1 .. R - 1`` (``R`` the largest); each profile then rescaled to [0, 1] by its own
    minimum and maximum. 20 rings for 32 x 32 frames.
    """
    check_images(frames, "frames")
    check_range(frames, "frames")
    if frames.shape[-1] != frames.shape[-2]:
        raise ValueError(f"frames must be square, got {tuple(frames.shape)}")
    grey = frames.detach().double().cpu().mean(dim=1)  # (n, s, s)
    spectrum = torch.fft.fftshift(torch.fft.fft2(grey), dim=(-2, -1)) + EPSILON
    magnitude = 20 * torch.log(spectrum.abs())
    radius, largest = _radial_bins(grey.shape[-1])
    flat, ring = magnitude.flatten(1), radius.flatten()
    sums = torch.zeros(len(grey), largest + 1, dtype=torch.float64).index_add_(1, ring, flat)
    counts = torch.bincount(ring, minlength=largest + 1)
    profile = (sums / counts)[:, 1:largest]  # rings 1 .. R - 1
    low, high = profile.min(dim=1, keepdim=True).values, profile.max(dim=1, keepdim=True).values
    return ((profile - low) / (high - low).clamp_min(1e-12)).float()


def spectrum_features(clips: torch.Tensor) -> torch.Tensor:
    """:func:`spectrum_profile` of every frame of ``clips (n, T, c, s, s)``, averaged over the frames -> ``(n, rings)``."""
    check_video(clips, "clips")
    return spectrum_profile(clips.flatten(0, 1)).unflatten(0, clips.shape[:2]).mean(dim=1)


def flow_residuals(clips: torch.Tensor) -> torch.Tensor:
    """Mean ``|x_t - warp(x_{t+1}, flow_t)|`` of every pair of consecutive frames -> ``(n, T - 1)``.

    ``flow_t`` is estimated from the frames themselves (:func:`vgan_course.data.estimate_flow`,
    Farneback): no generated clip comes with its true motion.
    """
    check_video(clips, "clips")
    check_range(clips, "clips")
    clips = clips.detach().float().cpu()
    first, second = clips[:, :-1].flatten(0, 1), clips[:, 1:].flatten(0, 1)
    residual = (first - warp(second, estimate_flow(first, second))).abs().mean(dim=(1, 2, 3))
    return residual.view(len(clips), -1)


def flow_residual_features(clips: torch.Tensor) -> torch.Tensor:
    """The temporal feature ``(n, 2)``: mean and standard deviation over the clip of the log flow residual."""
    log_residual = flow_residuals(clips).clamp_min(1e-6).log()
    return torch.stack([log_residual.mean(dim=1), log_residual.std(dim=1)], dim=1)


@dataclass
class FeatureDetector:
    """A feature (``clips -> (n, d)``) and a logistic regression on it (scikit-learn, features
    standardised on the training set). :meth:`scores` is the probability of "generated"."""

    feature: callable
    model: object = None

    def fit(self, real: torch.Tensor, fake: torch.Tensor) -> "FeatureDetector":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        x = torch.cat([self.feature(real), self.feature(fake)]).numpy()
        y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
        self.model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x, y)
        return self

    def scores(self, clips: torch.Tensor) -> torch.Tensor:
        if self.model is None:
            raise ValueError("fit the detector first: detector.fit(real_clips, fake_clips)")
        return torch.from_numpy(self.model.predict_proba(self.feature(clips).numpy())[:, 1]).float()

    threshold = 0.5  # a probability: above it, "generated"


class DetectorCNN(nn.Module):
    """Frames ``(n, 1, 32, 32)`` -> a logit ``(n,)`` that the frame is generated. The first layer keeps
    full resolution (the traces of up-sampling live in single pixels); then three stride-2 layers
    and the mean over positions. :meth:`scores` of clips is the mean logit over their frames."""

    threshold = 0.0  # a logit: above it, "generated"

    def __init__(self, width: int = 16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.LeakyReLU(0.2),  # w x 32 x 32
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # 2w x 16 x 16
            nn.Conv2d(2 * width, 4 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # 4w x 8 x 8
            nn.Conv2d(4 * width, 4 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # 4w x 4 x 4
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * width, 1),
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        check_images(frames, "frames", channels=1)
        if frames.shape[-2:] != (32, 32):
            raise ValueError(f"frames must be (n, 1, 32, 32), got {tuple(frames.shape)}")
        return self.net(frames).flatten()

    @torch.no_grad()
    def scores(self, clips: torch.Tensor) -> torch.Tensor:
        check_video(clips, "clips", channels=1)
        self.eval()
        logits = [self(part.flatten(0, 1).float().cpu()).view(len(part), -1).mean(dim=1) for part in clips.split(64)]
        return torch.cat(logits)


BLUR_SIGMA = (0.1, 1.0)  # Wang et al.: sigma ~ U[0, 3] on 256-pixel images; our frames are 32 pixels
CRF = (20, 40)  # Wang et al.: JPEG quality ~ U[30, 100]; here H.264's constant rate factor ~ U[20, 40]


def augment(clips: torch.Tensor, generator: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """Wang et al.'s "Blur+JPEG (0.5)" for clips ``(n, T, c, h, w)``: each clip blurred with probability
    ``p`` (sigma uniform in ``BLUR_SIGMA``), then, with probability ``p``, compressed with H.264 at a
    constant rate factor uniform in ``CRF`` (:func:`vgan_course.data.codec_damage`)."""
    out = []
    for clip in clips:
        draws = torch.rand(4, generator=generator)
        if draws[0] < p:
            clip = blur(clip, BLUR_SIGMA[0] + float(draws[1]) * (BLUR_SIGMA[1] - BLUR_SIGMA[0]))
        if draws[2] < p:
            clip = codec_damage(clip, crf=CRF[0] + int(draws[3] * (CRF[1] - CRF[0] + 1)))
        out.append(clip)
    return torch.stack(out)


def train_cnn_detector(real: torch.Tensor, fake: torch.Tensor, steps: int = 400, batch: int = 32, seed: int = 0,
                       augmented: bool = True) -> DetectorCNN:
    """Train :class:`DetectorCNN` on frames of ``real`` and ``fake`` clips ``(n, T, 1, 32, 32)``.

    With ``augmented`` every clip is augmented once (:func:`augment`) before training, a second copy
    kept as it is; each step draws ``batch`` frames of each kind. Binary cross-entropy, Adam(1e-3).
    """
    generator = torch.Generator().manual_seed(seed)
    if augmented:
        real = torch.cat([real, augment(real, generator)])
        fake = torch.cat([fake, augment(fake, generator)])
    frames = torch.cat([real.flatten(0, 1), fake.flatten(0, 1)]).float()
    labels = torch.cat([torch.zeros(real.shape[0] * real.shape[1]), torch.ones(fake.shape[0] * fake.shape[1])])
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = DetectorCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        index = torch.randint(len(frames), (2 * batch,), generator=generator)
        loss = F.binary_cross_entropy_with_logits(model(frames[index]), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def average_precision(scores: torch.Tensor, labels: torch.Tensor) -> float:
    """AP of ``scores`` ranking ``labels`` (1 = generated): ``sum_k (R_k - R_{k-1}) P_k`` over the
    thresholds, as scikit-learn's ``average_precision_score`` (no interpolation)."""
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels.numpy(), scores.numpy()))


def detection_scores(detector, real: torch.Tensor, fake: torch.Tensor) -> dict[str, float]:
    """Average precision and accuracy (at ``detector.threshold``) of ``detector`` on ``real`` and ``fake`` clips."""
    scores = torch.cat([detector.scores(real), detector.scores(fake)])
    labels = torch.cat([torch.zeros(len(real)), torch.ones(len(fake))])
    accuracy = float(((scores > detector.threshold).float() == labels).float().mean())
    return {"ap": average_precision(scores, labels), "accuracy": accuracy}
