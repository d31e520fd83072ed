"""Adversarial objectives, written on the discriminator's logits.

A discriminator here returns a logit ``l``; its probability that the input is real is
``D = sigmoid(l)``. Writing each loss on logits keeps it numerically stable, because

    -log D(x)       = softplus(-l)
    -log(1 - D(x))  = softplus(l)

Conventions: every function returns a scalar to *minimise*; shapes are ``(batch,)`` logits
(or, for the Wasserstein critic, unbounded scores). The zoo, with the paper of each:

| objective | discriminator / critic | generator |
|---|---|---|
| original GAN (Goodfellow 2014) | :func:`discriminator_loss` | :func:`generator_loss_minimax`, :func:`generator_loss_nonsaturating` |
| least squares (Mao 2017) | :func:`lsgan_discriminator_loss` | :func:`lsgan_generator_loss` |
| Wasserstein (Arjovsky 2017) | :func:`wasserstein_critic_loss` + :func:`clip_weights` | :func:`wasserstein_generator_loss` |
| WGAN-GP (Gulrajani 2017) | :func:`wasserstein_critic_loss` + :func:`gradient_penalty` | :func:`wasserstein_generator_loss` |
| hinge (Lim & Ye 2017; Miyato 2018) | :func:`hinge_discriminator_loss` | :func:`hinge_generator_loss` |

plus :func:`r1_penalty` (Mescheder 2018), which regularises any discriminator on real data.
Spectral normalisation is a property of the network: :func:`vgan_course.models.spectral_norm`.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


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


# --- least squares (LSGAN) ------------------------------------------------------------------


def lsgan_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN (Mao et al. 2017), targets b = 1 for real and a = 0 for fake:
    ``1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]``, with ``D`` the raw output (no sigmoid)."""
    _check_logits(real_logits, "real_logits")
    _check_logits(fake_logits, "fake_logits")
    return 0.5 * ((real_logits - 1) ** 2).mean() + 0.5 * (fake_logits ** 2).mean()


def lsgan_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN generator, target c = 1: ``1/2 E[(D(G(z)) - 1)^2]``. Its gradient grows with the
    distance from the target, so it does not vanish when D rejects the fakes."""
    _check_logits(fake_logits, "fake_logits")
    return 0.5 * ((fake_logits - 1) ** 2).mean()


# --- Wasserstein (WGAN, WGAN-GP) -----------------------------------------------------------


def wasserstein_critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """The critic of WGAN (Arjovsky et al. 2017) maximises ``E[f(x)] - E[f(G(z))]``, an estimate of
    the Wasserstein-1 distance when ``f`` is 1-Lipschitz; it minimises the negative. The
    Lipschitz constraint comes from :func:`clip_weights` or :func:`gradient_penalty`."""
    _check_logits(real_scores, "real_scores")
    _check_logits(fake_scores, "fake_scores")
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """WGAN generator: maximise the critic's score of the fakes, ``-E[f(G(z))]``."""
    _check_logits(fake_scores, "fake_scores")
    return -fake_scores.mean()


@torch.no_grad()
def clip_weights(critic: nn.Module, limit: float = 0.01) -> None:
    """WGAN's crude Lipschitz constraint: clamp every parameter of ``critic`` to
    ``[-limit, limit]`` in place, after each critic step (Arjovsky et al. 2017 use 0.01)."""
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}")
    for parameter in critic.parameters():
        parameter.clamp_(-limit, limit)


def _input_gradient(D: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """``d sum(D(x)) / dx``, shape of ``x``, kept in the graph so a penalty on it can be trained."""
    scores = D(x)
    _check_logits(scores, "D(x)")
    (gradient,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return gradient


def gradient_penalty(D: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor,
                     weight: float = 10.0) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017): ``weight * E[(||grad_x D(x_hat)||_2 - 1)^2]``.

    ``x_hat = eps * real + (1 - eps) * fake`` with one ``eps ~ U[0, 1]`` per sample, so the
    penalty pushes the critic's gradient norm to 1 on the lines between real and fake samples.
    ``real`` and ``fake`` have the same shape ``(batch, ...)``; ``fake`` may be detached.
    """
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}")
    eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device, dtype=real.dtype)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    norms = _input_gradient(D, x_hat).flatten(1).norm(dim=1)  # (batch,)
    return weight * ((norms - 1) ** 2).mean()


def r1_penalty(D: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, gamma: float = 10.0) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): ``gamma / 2 * E[||grad_x D(x)||^2]`` on real data ``(batch, ...)``.

    It penalises the discriminator for having any slope on the real data, which is zero at the
    equilibrium; added to D's loss it makes the game converge locally (the Dirac-GAN of lesson 02).
    """
    x = real.detach().requires_grad_(True)
    squared_norms = _input_gradient(D, x).flatten(1).pow(2).sum(dim=1)  # (batch,)
    return 0.5 * gamma * squared_norms.mean()


# --- hinge ----------------------------------------------------------------------------------


def hinge_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge loss (Lim & Ye 2017; used with spectral norm by Miyato et al. 2018):
    ``E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]``. Samples beyond the margin cost nothing."""
    _check_logits(real_logits, "real_logits")
    _check_logits(fake_logits, "fake_logits")
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def hinge_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge generator: ``-E[D(G(z))]`` (the same as the Wasserstein generator loss)."""
    _check_logits(fake_logits, "fake_logits")
    return -fake_logits.mean()
