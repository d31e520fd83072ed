"""Lesson 06's detection experiment: detectors of generated clips, trained on one generator and
tested on others, before and after H.264 (the detectors themselves: :mod:`vgan_course.metrics.detection`).

The detectors learn lesson 03's shipped MoCoGAN against real clips of its world; they are tested on
lesson 03's shipped MoCoGAN, TGAN and VGAN and on a lesson 06 generator, each against real clips
of its own world, all as grey clips ``(n, 16, 1, 32, 32)`` in [-1, 1].
"""

from __future__ import annotations

import torch

from .. import data, models
from ..data import captions
from ..metrics import detection
from ..metrics.prompts import at_32
from ..models import ConditionalMoCoGANGenerator
from . import temporal_generators
from .controllable_clips import prompt_clips
from .training import load_shipped

DETECTOR_SOURCE = "MoCoGAN"  # lesson 03's generator the detectors learn from
LESSON_03_TESTED = ("MoCoGAN", "TGAN", "VGAN")


def grey(clips: torch.Tensor) -> torch.Tensor:
    """Clips ``(n, T, c, h, w)`` -> grey clips ``(n, T, 1, h, w)`` (the mean over channels)."""
    return clips.mean(dim=2, keepdim=True)


def lesson03_real(name: str, n: int, seed: int, split: str = "test") -> torch.Tensor:
    """``n`` real clips ``(n, 16, 1, 32, 32)`` of the world lesson 03's method ``name`` learns, from
    ``split``'s images: one bouncing digit, or for VGAN a shape over a still street picture (grey)."""
    generator = torch.Generator().manual_seed(seed)
    if name == "VGAN":
        return grey(temporal_generators.scene_clips(n, 32, generator, split=split).video)
    return data.moving_digits(n, 16, 32, 1, speed=(1.0, 2.5), split=split, generator=generator).video


def lesson03_clips(name: str, n: int, seed: int) -> torch.Tensor:
    """``n`` grey clips ``(n, 16, 1, 32, 32)`` of lesson 03's shipped generator ``name``, from seeded latents."""
    return grey(models.sample_clips(load_shipped(temporal_generators.METHODS[name]), n, seed=seed))


def detection_sets(G06: ConditionalMoCoGANGenerator, n: int, seed: int) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Test sets, ``name -> (real, fake)``, ``n`` clips each at 32 x 32: lesson 03's shipped MoCoGAN, TGAN and
    VGAN against real clips of their worlds (held-out images), and ``G06`` against real captioned
    clips (every prompt, held-out digit images). The control, "real vs real", puts other real clips of
    MoCoGAN's world in the place of the generated ones: every detector must be at chance on it."""
    sets = {name: (lesson03_real(name, n, seed), lesson03_clips(name, n, seed)) for name in LESSON_03_TESTED}
    sets["real vs real"] = (lesson03_real(DETECTOR_SOURCE, n, seed), lesson03_real(DETECTOR_SOURCE, n, seed + 1))
    pairs = captions.combinations("all")
    fake = prompt_clips(G06, pairs, -(-n // len(pairs)), seed).video[:n]
    real = captions.captioned_digits(n, "all", digit_split="test", generator=torch.Generator().manual_seed(seed)).video
    sets["lesson 06"] = (at_32(real), at_32(fake))
    return sets


def fit_detectors(real: torch.Tensor, fake: torch.Tensor, cnn_steps: int, seed: int = 0) -> dict[str, object]:
    """The three detectors of lesson 06, and the CNN without augmentation as the control, trained on ``real``
    against ``fake`` clips ``(n, 16, 1, 32, 32)``."""
    return {"spectrum + LR": detection.FeatureDetector(detection.spectrum_features).fit(real, fake),
            "CNN, blur + H.264": detection.train_cnn_detector(real, fake, cnn_steps, seed=seed),
            "CNN, no augmentation": detection.train_cnn_detector(real, fake, cnn_steps, seed=seed, augmented=False),
            "flow residual + LR": detection.FeatureDetector(detection.flow_residual_features).fit(real, fake)}


def detection_table(detectors: dict[str, object], sets: dict[str, tuple[torch.Tensor, torch.Tensor]],
                    crf: int) -> list[dict]:
    """One row per (generator, compression, detector): average precision and accuracy, on the test
    clips as they are and after H.264 at constant rate factor ``crf`` (both real and fake clips)."""
    rows = []
    for name, (real, fake) in sets.items():
        versions = {"none": (real, fake), f"H.264 crf {crf}": (data.codec_damage(real, crf=crf), data.codec_damage(fake, crf=crf))}
        for compression, (r, f) in versions.items():
            for detector_name, detector in detectors.items():
                rows.append({"generator": name, "compression": compression, "detector": detector_name,
                             **{k: round(v, 4) for k, v in detection.detection_scores(detector, r, f).items()}})
    return rows
