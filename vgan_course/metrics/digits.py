"""A small digit classifier trained on the bundled digits (shipped, SHA-256 checked, so every
machine scores with the same weights, as FID does with its one Inception network), and its verdict on
generated digits: the confident fraction, the classes covered and an Inception-Score-style number
(Salimans et al. 2016) that needs no downloaded Inception network, over the whole batch and, as
their released code reports it, over 10 splits (mean and std)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from .. import shipped
from ..checks import check_images, check_module, check_positive, check_positive_int, check_range
from ..data import digit_images


class DigitClassifier(nn.Module):
    """A small CNN: digit images ``(n, 1, 32, 32)`` in [-1, 1] -> class logits ``(n, 10)``.

    The bundled digits are 8x8 at heart, so the network first averages 2x2 blocks (16x16):
    nothing is lost and training is four times cheaper.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.AvgPool2d(2),  # 1 x 16 x 16
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # w x 8 x 8
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 2w x 4 x 4
            nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),  # 2w x 1 x 1
            nn.Flatten(), nn.Linear(2 * width, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "x", channels=1)
        return self.net(x)


def _jitter(images: torch.Tensor, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Random translations of up to ``max_shift`` pixels, so the classifier tolerates off-centre digits."""
    padded = F.pad(images, (max_shift,) * 4, value=-1.0)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2,), generator=generator).tolist()
    h, w = images.shape[-2:]
    return padded[..., dy: dy + h, dx: dx + w]


CHECKPOINT = "digit_classifier"


def train_digit_classifier(steps: int = 500, seed: int = 0) -> DigitClassifier:
    """Train a classifier on the bundled digits' "train" split with small random shifts (about
    25 s on one CPU thread); :func:`classifier_accuracy` tests it on the held-out "test" split.

    The defaults are the shipped network's settings (``vgan-course train-checkpoints
    digit_classifier`` retrains it); the weights depend a little on the machine and the number of
    threads, which is why the course scores with the shipped copy (:func:`digit_classifier`).
    """
    check_positive_int(steps, "steps")
    generator = torch.Generator().manual_seed(seed)
    images, labels = digit_images(32, split="train")
    with torch.random.fork_rng():  # do not disturb the caller's random stream
        torch.manual_seed(seed)
        model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(steps):
        index = torch.randint(len(images), (128,), generator=generator)
        loss = F.cross_entropy(model(_jitter(images[index], generator)), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


@lru_cache(maxsize=1)
def digit_classifier() -> DigitClassifier:
    """The course's digit classifier: the shipped network (its SHA-256 checked against the
    manifest) that :func:`train_digit_classifier` trained with its defaults, in eval mode."""
    model = DigitClassifier()
    model.load_state_dict(shipped.load_state(CHECKPOINT))
    return model.eval()


def classifier_accuracy(model: DigitClassifier) -> float:
    """Accuracy of ``model`` on the held-out digits (the "test" split)."""
    check_module(model, "model")
    images, labels = digit_images(32, split="test")
    with torch.no_grad():
        return float((model(images).argmax(1) == labels).float().mean())


@dataclass
class InceptionScore:
    """An Inception Score over splits of the samples, as Salimans et al.'s code reports it."""

    mean: float  # mean over splits of exp E_x KL(p(y|x) || p(y)), p(y) the split's own marginal
    std: float  # standard deviation over splits (population, numpy's default)
    splits: int


def inception_score(probabilities: torch.Tensor, splits: int = 10) -> InceptionScore:
    """The Inception Score of class probabilities ``p(y|x)`` ``(n, classes)`` (Salimans et al. 2016).

    As their released ``inception_score/model.py``: the samples, in order, cut into ``splits``
    consecutive parts (``i * n // splits`` to ``(i + 1) * n // splits``); per part
    ``exp(mean_x sum_y p(y|x) (log p(y|x) - log p(y)))`` with ``p(y)`` the part's mean; the mean and
    standard deviation over parts. Logs of zero probabilities are clamped (their terms are 0).
    ``splits=1`` is the whole set at once. 1 = useless (every sample the same, or all unsure);
    the number of classes = perfect (each sample one sure class, all classes equally often).
    """
    check_positive_int(splits, "splits")
    check_range(probabilities, "probabilities", 0.0, 1.0)
    if probabilities.dim() != 2 or len(probabilities) < splits:
        raise ValueError(f"probabilities must be (n, classes) with n >= splits = {splits}, got {tuple(probabilities.shape)}")
    p = probabilities.detach().double().cpu()
    scores = []
    for i in range(splits):
        part = p[i * len(p) // splits: (i + 1) * len(p) // splits]
        marginal = part.mean(dim=0, keepdim=True)
        kl = (part * (part.clamp_min(1e-12).log() - marginal.clamp_min(1e-12).log())).sum(dim=1)
        scores.append(kl.mean().exp())
    scores = torch.stack(scores)
    return InceptionScore(float(scores.mean()), float(scores.std(correction=0)), splits)


@dataclass
class DigitScore:
    """The classifier's verdict on a batch of generated digits."""

    confident_fraction: float  # share of samples classified with probability >= threshold
    classes_covered: int  # classes that receive at least min_share of a fair share of confident samples
    inception_score: float  # exp E_x KL(p(y|x) || p(y)) over the whole batch (one split); 1 (useless) .. 10 (perfect)
    class_counts: torch.Tensor  # (10,) confident samples per class
    inception_score_over_splits: InceptionScore | None = None  # mean and std over splits, as Salimans et al. report it


def digit_score(images: torch.Tensor, classifier: nn.Module | None = None, threshold: float = 0.9,
                min_share: float = 0.2, splits: int = 10) -> DigitScore:
    """Score generated digits ``(n, 1, 32, 32)`` in [-1, 1] (``n >= splits``) with the course's digit classifier."""
    check_images(images, "images", channels=1)
    check_range(images, "images")
    if not 0 < check_positive(threshold, "threshold") <= 1:
        raise ValueError(f"threshold is a probability: it must lie in (0, 1], got {threshold!r}")
    classifier = digit_classifier() if classifier is None else classifier
    with torch.no_grad():
        p = F.softmax(classifier(images.detach().float().cpu()), dim=1)  # (n, 10)
    confidence, label = p.max(dim=1)
    confident = confidence >= threshold
    counts = torch.bincount(label[confident], minlength=10)
    covered = int((counts >= max(1.0, min_share * len(images) / 10)).sum())
    return DigitScore(float(confident.float().mean()), covered, inception_score(p, 1).mean, counts,
                      inception_score(p, splits))
