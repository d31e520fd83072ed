"""Adversarial objectives, written on the discriminator's logits.

A discriminator here returns a logit ``l``; its probability that the input is real is
``D = sigmoid(l)``. Writing each loss on logits keeps it numerically stable, because

    -log D(x)       = softplus(-l)
    -log(1 - D(x))  = softplus(l)

Conventions: every function returns a scalar to *minimise*; shapes are ``(batch,)`` logits.
Lesson 02 adds the rest of the zoo (LSGAN, WGAN, hinge, penalties) next to these.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _check_logits(logits: torch.Tensor, name: str) -> None:
    if not isinstance(logits, torch.Tensor) or logits.dim() != 1:
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"{name} must be a 1-D tensor of logits with shape (batch,), got {got}")


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The discriminator's side of the GAN game (Goodfellow et al. 2014).

    D maximises ``E[log D(x)] + E[log(1 - D(G(z)))]``, i.e. minimises
    ``E[softplus(-l_real)] + E[softplus(l_fake)]``: binary cross-entropy with real = 1, fake = 0.
    """
    _check_logits(real_logits, "real_logits")
    _check_logits(fake_logits, "fake_logits")
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss_minimax(fake_logits: torch.Tensor) -> torch.Tensor:
    """The generator's side of the original minimax game: minimise ``E[log(1 - D(G(z)))]``.

    Equal to ``-E[softplus(l_fake)]``. Its gradient vanishes when D confidently rejects the
    fakes (``D(G(z)) -> 0``), which is exactly the situation early in training.
    """
    _check_logits(fake_logits, "fake_logits")
    return -F.softplus(fake_logits).mean()


def generator_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss: minimise ``E[-log D(G(z))] = E[softplus(-l_fake)]``.

    Same fixed point as the minimax loss, but a strong gradient when D rejects the fakes.
    """
    _check_logits(fake_logits, "fake_logits")
    return F.softplus(-fake_logits).mean()
