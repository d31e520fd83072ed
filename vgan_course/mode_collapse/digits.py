"""The multi-scale generator (MSG-GAN) against lesson 01's DCGAN, on digits.

One of the remedies for mode collapse one reads about is a multi-scale generator: progressive
growing (Karras et al. 2018) or multi-scale gradients (MSG-GAN, Karnewar and Wang 2020). The test
here changes one thing: the architecture. Both GANs train on the same digits with the same loss
(non-saturating), the same optimizer (DCGAN's Adam, 2e-4 and betas (0.5, 0.999)), the same
width, batch, number of steps and initialisation; the modes are the ten digit classes, counted by
the course's digit classifier (:func:`vgan_course.metrics.digit_score`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from .. import losses, models, train
from ..data import digit_images
from ..metrics import DigitScore, digit_classifier, digit_score
from ..profiles import seed_everything

ARCHITECTURES = ("DCGAN", "MSG-GAN")
DIGIT_SETTINGS = dict(width=32, batch=64, z_dim=64, lr=2e-4, betas=(0.5, 0.999), n_eval=1000)


@dataclass
class DigitRun:
    """The outcome of one architecture, one seed."""

    architecture: str
    seed: int
    score: DigitScore  # of n_eval samples at the end
    seconds: float
    parameters: dict  # {"G": ..., "D": ...}
    samples: torch.Tensor  # (n_eval, 1, 32, 32) in [-1, 1], G in eval mode
    snapshots: list[tuple[int, dict]] = field(default_factory=list)  # (step, digit score as a dict)


def build_digit_gan(architecture: str, width: int = 32, z_dim: int = 64):
    """G and D of ``architecture`` ("DCGAN" or "MSG-GAN") for 32 x 32 digits, with DCGAN's initialisation."""
    if architecture == "DCGAN":
        G, D = models.DCGANGenerator(z_dim, 1, width), models.DCGANDiscriminator(1, width)
    elif architecture == "MSG-GAN":
        G, D = models.MSGGenerator(z_dim, 1, width), models.MSGDiscriminator(1, width)
    else:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    G.apply(models.init_dcgan_weights)
    D.apply(models.init_dcgan_weights)
    return G, D


def msg_gan_step(G, D, opt_g, opt_d, real_batch, z_dim: int):
    """:func:`vgan_course.train.gan_step` for MSG-GAN: D judges the images at every scale at once."""
    def step(ctx: train.StepContext) -> dict:
        real = models.image_pyramid(real_batch())
        fake = G(torch.randn(len(real[-1]), z_dim, device=ctx.device))
        loss_d = losses.discriminator_loss(D(real), D([images.detach() for images in fake]))
        ctx.update(opt_d, loss_d)
        loss_g = losses.generator_loss_nonsaturating(D(fake))  # against the updated D, at every scale
        ctx.update(opt_g, loss_g)
        return {"loss/d": loss_d, "loss/g": loss_g}

    return step


def score_as_dict(score: DigitScore) -> dict:
    """A digit score as plain numbers (for tables and JSON)."""
    return {"confident_fraction": round(score.confident_fraction, 4), "classes_covered": score.classes_covered,
            "inception_score": round(score.inception_score, 3), "class_counts": score.class_counts.tolist()}


def train_digit_gan(architecture: str, *, steps: int, seed: int, snapshots: int = 0,
                    device: torch.device | str = "cpu", progress: bool = True, **settings) -> DigitRun:
    """Train ``architecture`` on the training digits for ``steps`` steps from ``seed``; score ``n_eval`` samples.

    ``settings`` override :data:`DIGIT_SETTINGS`; ``snapshots > 0`` scores that many times along the way;
    ``progress`` shows a progress bar.
    """
    s = {**DIGIT_SETTINGS, **settings}
    digits, _ = digit_images(32, split="train", device=device)
    seed_everything(seed)
    G, D = (m.to(device) for m in build_digit_gan(architecture, s["width"], s["z_dim"]))
    opt_g = torch.optim.Adam(G.parameters(), lr=s["lr"], betas=s["betas"])
    opt_d = torch.optim.Adam(D.parameters(), lr=s["lr"], betas=s["betas"])
    real_batch = lambda: digits[torch.randint(len(digits), (s["batch"],), device=device)]  # noqa: E731
    make_step = msg_gan_step if architecture == "MSG-GAN" else train.gan_step
    step = make_step(G, D, opt_g, opt_d, real_batch=real_batch, z_dim=s["z_dim"])
    fixed_z = torch.randn(s["n_eval"], s["z_dim"], device=device)
    classifier = digit_classifier()

    def samples() -> torch.Tensor:
        G.eval()  # batch norm with its running statistics, as lesson 01 samples
        images = G(fixed_z)
        G.train()
        return images[-1] if isinstance(images, list) else images

    start = time.perf_counter()
    history = train.train(step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d}, steps=steps, log_every=50,
                          sample_fn=samples, sample_every=max(1, steps // max(1, snapshots)), progress=progress)
    with torch.no_grad():
        final = samples().cpu()
    return DigitRun(architecture, seed, digit_score(final, classifier), time.perf_counter() - start,
                    {"G": sum(p.numel() for p in G.parameters()), "D": sum(p.numel() for p in D.parameters())}, final,
                    [(step, score_as_dict(digit_score(images, classifier))) for step, images in history.samples]
                    if snapshots else [])
