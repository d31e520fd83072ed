"""Did the clip do what the prompt asked? The prompt reader of lesson 06.

MAGE (Hu et al. 2022) scores generated clips with a captioning model; the course reads them with
two small tools of its own, validated on real captioned clips before any generator is judged:

- :func:`read_digits`: a classifier of moving digits (:class:`MovingDigitClassifier`, trained by
  :func:`train_moving_digit_classifier` and shipped, SHA-256 checked), averaged over the frames;
- :func:`read_motions`: the ink's centre of mass (:func:`vgan_course.metrics.centroids`) from the
  first frames to the last gives the direction, or "unclear" (-1) when the digit barely moves or
  moves at a slant.

:func:`prompt_accuracy` compares both with what the captions asked. Clips are one-digit
``(n, time, 1, size, size)`` in [-1, 1], ``size`` 32 or 64 (64 is averaged down to 32 first).
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from .. import shipped
from ..checks import check_images, check_range, check_video
from ..data import blur
from ..data.captions import DIRECTIONS, MOTIONS, captioned_digits
from .temporal import centroids

CHECKPOINT = "moving_digit_classifier"
MIN_TRAVEL = 3.0  # pixels (at 32 x 32) between the first and last frames' centres: less is "unclear"
MAX_ANGLE = 30.0  # degrees between the travel and the nearest direction: more is "unclear"
EDGE_FRAMES = 4  # the first and last 4 frames are averaged, so one wobbly frame does not decide


class MovingDigitClassifier(nn.Module):
    """Frames ``(n, 1, 32, 32)`` in [-1, 1] with a digit anywhere on them -> logits ``(n, 10)``.

    Three convolutions, then the maximum over positions: the answer does not depend on where the
    digit is (lesson 01's classifier, trained on centred digits, reads moving ones poorly)."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # w x 16 x 16
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 2w x 8 x 8
            nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1),  # 2w x 1 x 1
            nn.Flatten(), nn.Linear(2 * width, 10),
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        check_images(frames, "frames", channels=1)
        if frames.shape[-2:] != (32, 32):
            raise ValueError(f"frames must be (n, 1, 32, 32), got {tuple(frames.shape)}")
        return self.net(frames)


def _augment(frames: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Half the frames blurred (sigma 0.3 to 1), then faint noise on all: generated digits are softer than real ones."""
    n = len(frames)
    blurred = blur(frames[:, None], 0.3 + 0.7 * float(torch.rand(1, generator=generator)))[:, 0]
    choose = torch.rand(n, 1, 1, 1, generator=generator) < 0.5
    frames = torch.where(choose, blurred, frames)
    noise = 0.1 * torch.rand(n, 1, 1, 1, generator=generator) * torch.randn(frames.shape, generator=generator)
    return (frames + noise).clamp(-1, 1)


def train_moving_digit_classifier(steps: int = 1500, batch: int = 128, seed: int = 0,
                                  progress: bool = False) -> MovingDigitClassifier:
    """Train the classifier on single frames of captioned clips of the "train" digit images (any
    caption, any position), with light blur and noise. A few minutes on a CPU."""
    from tqdm.auto import tqdm

    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = MovingDigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    for _ in tqdm(range(steps), disable=not progress, desc="moving digits", mininterval=5):
        clips = captioned_digits(batch, "all", n_frames=4, generator=generator)
        frame = torch.randint(4, (batch,), generator=generator)
        frames = _augment(clips.video[torch.arange(batch), frame], generator)
        loss = F.cross_entropy(model(frames), clips.digits[:, 0])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    return model.eval()


def train_for_shipping(steps: int = 1500) -> tuple[dict, dict]:
    """``vgan-course train-checkpoints moving_digit_classifier``: train, then measure the reader on 512
    real clips of held-out digit images for seen and for held-out captions; returns (state, measured)."""
    model = train_moving_digit_classifier(steps)
    measured = {"steps": steps}
    for split in ("seen", "held-out"):
        clips = captioned_digits(512, split, digit_split="test", generator=torch.Generator().manual_seed(5))
        scores = prompt_accuracy(clips.video, clips.digits, clips.motions, model)
        measured.update({f"{split} real clips {k}": round(v, 4) for k, v in scores.items()})
    return model.state_dict(), measured


@lru_cache(maxsize=1)
def moving_digit_classifier() -> MovingDigitClassifier:
    """The shipped classifier (its SHA-256 checked against the manifest), in eval mode."""
    model = MovingDigitClassifier()
    model.load_state_dict(shipped.load_state(CHECKPOINT))
    return model.eval()


def at_32(clips: torch.Tensor) -> torch.Tensor:
    """One-digit clips ``(n, time, 1, s, s)``, ``s`` 32 or 64, in [-1, 1] -> ``(n, time, 1, 32, 32)`` (2 x 2 averages at 64)."""
    check_video(clips, "clips", channels=1)
    check_range(clips, "clips")
    size = clips.shape[-1]
    if size not in (32, 64) or clips.shape[-2] != size:
        raise ValueError(f"clips must be (n, time, 1, 32, 32) or (n, time, 1, 64, 64), got {tuple(clips.shape)}")
    return clips if size == 32 else F.avg_pool2d(clips.flatten(0, 1), 2).unflatten(0, clips.shape[:2])


@torch.no_grad()
def read_digits(clips: torch.Tensor, classifier: MovingDigitClassifier | None = None) -> torch.Tensor:
    """The digit each clip shows ``(n,)``: the class with the highest mean log-probability over its frames."""
    clips = at_32(clips).float().cpu()
    classifier = moving_digit_classifier() if classifier is None else classifier
    log_p = torch.cat([F.log_softmax(classifier(part.flatten(0, 1)), dim=1).view(len(part), -1, 10).mean(dim=1)
                       for part in clips.split(64)])
    return log_p.argmax(dim=1)


def read_motions(clips: torch.Tensor) -> torch.Tensor:
    """The motion each clip shows ``(n,)``: an index in ``MOTIONS``, or -1 ("unclear").

    The travel is the mean centre of mass of the last ``EDGE_FRAMES`` frames minus that of the
    first ones (at 32 x 32). It is "unclear" when shorter than ``MIN_TRAVEL`` pixels or more than
    ``MAX_ANGLE`` degrees away from every direction; else it is the nearest direction.
    """
    clips = at_32(clips)
    if clips.shape[1] < 2 * EDGE_FRAMES:
        raise ValueError(f"clips need at least {2 * EDGE_FRAMES} frames to read a motion, got {clips.shape[1]}")
    path = centroids(clips.float())  # (n, T, 2), (x, y) in pixels
    travel = path[:, -EDGE_FRAMES:].mean(dim=1) - path[:, :EDGE_FRAMES].mean(dim=1)  # (n, 2)
    directions = torch.tensor([DIRECTIONS[m] for m in MOTIONS], dtype=travel.dtype, device=travel.device)  # (4, 2)
    length = travel.norm(dim=1)
    cosine = (travel @ directions.T) / length.clamp_min(1e-6)[:, None]  # (n, 4)
    best, motion = cosine.max(dim=1)
    clear = (length >= MIN_TRAVEL) & (best >= math.cos(math.radians(MAX_ANGLE)))
    return torch.where(clear, motion, torch.full_like(motion, -1))


def prompt_accuracy(clips: torch.Tensor, digits: torch.Tensor, motions: torch.Tensor,
                    classifier: MovingDigitClassifier | None = None) -> dict[str, float]:
    """The share of clips whose digit, whose motion, and whose digit and motion both are what was asked.

    ``digits``, ``motions``: ``(n,)`` the asked digit and motion index of each one-digit clip
    (``(n, 1)`` is accepted, as :class:`~vgan_course.data.captions.CaptionedClips` holds them).
    """
    digits, motions = digits.reshape(-1).cpu(), motions.reshape(-1).cpu()
    if len(digits) != len(clips) or len(motions) != len(clips):
        raise ValueError(f"one digit and one motion per clip: {len(clips)} clips, {len(digits)} digits, "
                         f"{len(motions)} motions")
    digit_ok = read_digits(clips, classifier) == digits
    motion_ok = read_motions(clips).cpu() == motions
    return {"digit": float(digit_ok.float().mean()), "motion": float(motion_ok.float().mean()),
            "both": float((digit_ok & motion_ok).float().mean())}
