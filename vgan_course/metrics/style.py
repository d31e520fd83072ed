"""Style accuracy: does a restyled frame look like domain B of the two-style world (lesson 04)?

A small CNN (trained in 15 s on a CPU; the package ships it for the course's 32-pixel frames,
SHA-256 checked, so every machine scores with the same weights) tells domain B frames (striped, outlined digits on a striped
background) of :func:`vgan_course.data.two_style_clips` from non-B frames: domain A (plain
digits), near misses made from B frames (:func:`near_misses`: blurred until the stripes are gone,
grey, with the colour channels permuted, half drowned in noise) and pure colour noise (what an
untrained generator paints). So the classifier must check texture, colours and cleanliness: a
frame with B's colours and no stripes, or B's stripes in the wrong colours, is not style B. The *style accuracy* of a set of restyled frames
is the share it calls B. It is a yes/no per frame, and a classifier says yes to some frames far
from anything it was shown, so :func:`style_fd` grades the style too: the Fréchet distance between
the classifier's features of the frames and of real B frames. Both measure style only: a frame
can score well and still show the wrong digit, so lesson 04 reads them next to PSNR and SSIM
against the hidden paired truth.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from .. import shipped
from ..checks import check_images, check_positive_int, check_range
from ..data import two_style_clips
from .frechet import frechet_distance


class StyleClassifier(nn.Module):
    """Frames ``(n, 3, h, w)`` in [-1, 1] -> one logit each ``(n,)``: positive means domain B."""

    def __init__(self, width: int = 16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(2 * width, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "x", channels=3)
        return self.net(x).squeeze(1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The ``(n, 2 * width)`` features the last layer reads."""
        check_images(x, "x", channels=3)
        return self.net[:-1](x)


CHECKPOINT = "style_classifier"
SHIPPED_SIZE = 32  # the frame size of the shipped classifier


def train_style_classifier(steps: int = 200, seed: int = 0, size: int = SHIPPED_SIZE) -> StyleClassifier:
    """Train the A-versus-B classifier on the "train" split, at frames of ``size`` pixels.

    Each batch holds the styled rendering of fresh clips (class B), and as not-B their plain
    rendering and near misses of their styled rendering: the same digits on the same paths,
    differing in style only. The defaults are the shipped network's settings
    (``vgan-course train-checkpoints style_classifier`` retrains it).
    """
    check_positive_int(steps, "steps")
    check_positive_int(size, "size", minimum=16)
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():  # do not disturb the lesson's random stream
        torch.manual_seed(seed)
        model = StyleClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    with torch.enable_grad():  # also when first called from inside a no_grad evaluation
        _fit(model, optimizer, steps, size, generator)
    return model.eval()


@lru_cache(maxsize=2)
def style_classifier(size: int = SHIPPED_SIZE) -> StyleClassifier:
    """The classifier for frames of ``size`` pixels, in eval mode: at 32 the shipped network (its
    SHA-256 checked against the manifest), at other sizes one trained here once (cached)."""
    check_positive_int(size, "size", minimum=16)
    if size != SHIPPED_SIZE:
        return train_style_classifier(size=size)
    model = StyleClassifier()
    model.load_state_dict(shipped.load_state(CHECKPOINT))
    return model.eval()


def _fit(model: StyleClassifier, optimizer: torch.optim.Optimizer, steps: int, size: int,
         generator: torch.Generator) -> None:
    for _ in range(steps):
        clips = two_style_clips(16, 4, size, generator=generator)
        styled = clips.styled.flatten(0, 1)  # (64, 3, h, w)
        frames = torch.cat([styled, clips.plain.flatten(0, 1)[:32], near_misses(styled[32:], generator)])
        labels = torch.cat([torch.ones(64), torch.zeros(64)])
        loss = F.binary_cross_entropy_with_logits(model(frames), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def near_misses(frames: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Not-B versions of B ``frames (n, 3, h, w)``, a fifth each: blurred (no texture), grey (no colour),
    colour channels permuted (wrong colours), half noise (not clean) and pure colour noise."""
    blurred, grey, permuted, noisy, pure = frames.chunk(5)
    noise = lambda x: torch.randn(x.shape, generator=generator) * 0.5  # noqa: E731
    return torch.cat([blur(blurred), grey.mean(1, keepdim=True).expand_as(grey), permuted[:, [2, 0, 1]],
                      (noisy / 2 + noise(noisy)).clamp(-1, 1), noise(pure).clamp(-1, 1)])


def blur(frames: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Gaussian blur of ``frames (n, c, h, w)`` (5 x 5 kernel, reflected edges): B's colours without its texture."""
    x = torch.arange(5, dtype=frames.dtype) - 2
    kernel = torch.exp(-x ** 2 / (2 * sigma ** 2))
    kernel = kernel / kernel.sum()
    c = frames.shape[1]
    out = F.pad(frames, (2, 2, 2, 2), mode="reflect")
    out = F.conv2d(out, kernel.view(1, 1, 1, 5).expand(c, 1, 1, 5), groups=c)
    return F.conv2d(out, kernel.view(1, 1, 5, 1).expand(c, 1, 5, 1), groups=c)


@torch.no_grad()
def style_accuracy(frames: torch.Tensor, classifier: StyleClassifier | None = None) -> float:
    """The share of ``frames (n, 3, h, w)`` or clips ``(n, time, 3, h, w)`` in [-1, 1] classified as domain B."""
    frames = _frames(frames, "frames")
    classifier = style_classifier(size=frames.shape[-1]) if classifier is None else classifier
    return float((classifier(frames.detach().float().cpu()) > 0).float().mean())


def _frames(x: torch.Tensor, name: str) -> torch.Tensor:
    """Frames ``(n, 3, h, w)`` or clips ``(n, time, 3, h, w)`` in [-1, 1] -> float frames on the CPU."""
    x = x.flatten(0, 1) if isinstance(x, torch.Tensor) and x.dim() == 5 else x
    check_images(x, name, channels=3)
    check_range(x, name)
    return x.detach().float().cpu()


@torch.no_grad()
def style_fd(frames: torch.Tensor, reference: torch.Tensor, classifier: StyleClassifier | None = None) -> float:
    """Fréchet distance between the style classifier's features of ``frames`` and of real B frames
    ``reference`` (each ``(n, 3, h, w)`` or clips ``(n, time, 3, h, w)``; a few hundred frames or more).
    0 for identical sets; two samples of real B frames give the floor."""
    frames, reference = _frames(frames, "frames"), _frames(reference, "reference")
    classifier = style_classifier(size=frames.shape[-1]) if classifier is None else classifier
    return frechet_distance(classifier.features(frames), classifier.features(reference))
