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

plus :func:`r1_penalty` (Mescheder 2018), which regularises any discriminator on real data, and
the losses of video style transfer: :func:`cycle_consistency_loss` (CycleGAN, Zhu 2017),
:func:`temporal_loss` (Ruder 2016) and :func:`recycle_loss` (Recycle-GAN, Bansal 2018), and of
video restoration: :func:`adversarial_restoration_loss` (SRGAN, Ledig 2017) and
:func:`ping_pong_sequence` / :func:`ping_pong_loss` (TecoGAN, Chu 2020).
Spectral normalisation is a property of the network: :func:`vgan_course.models.spectral_norm`.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .checks import check_finite, check_non_negative, check_positive, check_same_device, check_tensor


def _check_logits(logits: torch.Tensor, name: str, other: tuple[str, torch.Tensor] | None = None) -> None:
    """Logits ``(batch,)``, on the device of ``other = (name, logits)`` if given (shape only: no reduction)."""
    check_tensor(logits, name)
    if logits.dim() != 1:
        raise ValueError(f"{name} must be a 1-D tensor of logits with shape (batch,), got {tuple(logits.shape)}")
    if other is not None:
        check_same_device(other, (name, logits))


def _check_pair(a: torch.Tensor, b: torch.Tensor, name_a: str, name_b: str) -> None:
    """Two tensors of one shape on one device."""
    check_tensor(a, name_a)
    check_tensor(b, name_b)
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    check_same_device((name_a, a), (name_b, b))


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The discriminator's side of the GAN game (Goodfellow et al. 2014).

    D maximises ``E[log D(x)] + E[log(1 - D(G(z)))]``, i.e. minimises
    ``E[softplus(-l_real)] + E[softplus(l_fake)]``: binary cross-entropy with real = 1, fake = 0.
    """
    _check_logits(real_logits, "real_logits")
    _check_logits(fake_logits, "fake_logits", ("real_logits", real_logits))
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
    _check_logits(fake_logits, "fake_logits", ("real_logits", real_logits))
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
    _check_logits(fake_scores, "fake_scores", ("real_scores", real_scores))
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """WGAN generator: maximise the critic's score of the fakes, ``-E[f(G(z))]``."""
    _check_logits(fake_scores, "fake_scores")
    return -fake_scores.mean()


@torch.no_grad()
def clip_weights(critic: nn.Module, limit: float = 0.01) -> None:
    """WGAN's crude Lipschitz constraint: clamp every parameter of ``critic`` to
    ``[-limit, limit]`` in place, after each critic step (Arjovsky et al. 2017 use 0.01)."""
    check_positive(limit, "limit")
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
    _check_pair(real, fake, "real", "fake")
    _check_penalty_input(D, real, weight, "weight")
    eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device, dtype=real.dtype)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    norms = _input_gradient(D, x_hat).flatten(1).norm(dim=1)  # (batch,)
    return weight * ((norms - 1) ** 2).mean()


def r1_penalty(D: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, gamma: float = 10.0) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): ``gamma / 2 * E[||grad_x D(x)||^2]`` on real data ``(batch, ...)``.

    It penalises the discriminator for having any slope on the real data, which is zero at the
    equilibrium; added to D's loss it makes the game converge locally (the Dirac-GAN of lesson 02).
    """
    check_tensor(real, "real")
    _check_penalty_input(D, real, gamma, "gamma")
    x = real.detach().requires_grad_(True)
    squared_norms = _input_gradient(D, x).flatten(1).pow(2).sum(dim=1)  # (batch,)
    return 0.5 * gamma * squared_norms.mean()


def _check_penalty_input(D, real: torch.Tensor, weight: float, name: str) -> None:
    """A penalty's data is finite (a NaN input can give a finite gradient) and on D's device."""
    check_non_negative(weight, name)
    if isinstance(D, nn.Module):
        check_same_device(("real", real), ("D", D))
    check_finite(real, "real")


# --- hinge ----------------------------------------------------------------------------------


def hinge_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge loss (Lim & Ye 2017; used with spectral norm by Miyato et al. 2018):
    ``E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]``. Samples beyond the margin cost nothing."""
    _check_logits(real_logits, "real_logits")
    _check_logits(fake_logits, "fake_logits", ("real_logits", real_logits))
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def hinge_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge generator: ``-E[D(G(z))]`` (the same as the Wasserstein generator loss)."""
    _check_logits(fake_logits, "fake_logits")
    return -fake_logits.mean()


# --- video style transfer (lesson 04) --------------------------------------------------------


def cycle_consistency_loss(original: torch.Tensor, reconstructed: torch.Tensor) -> torch.Tensor:
    """CycleGAN's cycle loss (Zhu et al. 2017): ``E|F(G(x)) - x|``, the mean absolute error between
    frames and their round trip through both generators. Any equal shapes."""
    _check_pair(original, reconstructed, "original", "reconstructed")
    return (reconstructed - original).abs().mean()


def temporal_loss(output_t: torch.Tensor, output_next: torch.Tensor, flow: torch.Tensor,
                  visible: torch.Tensor) -> torch.Tensor:
    """The short-term temporal loss of Ruder, Dosovitskiy and Brox (2016).

    The stylised frame ``t + 1``, warped back along the flow, should equal the stylised frame
    ``t`` wherever the pixel is visible in both frames:

        L = 1/D * sum_x c(x) * (o_t(x) - warp(o_{t+1}, w)(x))^2,

    with ``D`` the number of values (pixels times channels) and ``c`` the occlusion mask.

    Args:
        output_t, output_next: stylised frames ``(n, c, h, w)``.
        flow: ``(n, 2, h, w)`` forward flow from frame ``t`` to ``t + 1`` (``data.warp``'s convention).
        visible: ``(n, 1, h, w)`` in [0, 1], 1 where the pixel is seen in both frames.
    """
    from .data.flow import warp

    _check_pair(output_t, output_next, "output_t", "output_next")
    check_tensor(visible, "visible")
    if output_t.shape != output_next.shape or visible.shape != (output_t.shape[0], 1, *output_t.shape[2:]):
        raise ValueError(f"need output_t and output_next of one shape (n, c, h, w) and visible (n, 1, h, w); got "
                         f"{tuple(output_t.shape)}, {tuple(output_next.shape)}, {tuple(visible.shape)}")
    return (visible * (output_t - warp(output_next, flow)) ** 2).mean()


def recycle_loss(frame_next: torch.Tensor, recycled_next: torch.Tensor) -> torch.Tensor:
    """Recycle-GAN's recycle loss (Bansal et al. 2018): ``E|x_{t+1} - G_BA(P_B(G_AB(x_{t-1}), G_AB(x_t)))|``.

    Translate the past frames to the other domain, predict the next frame there with the
    temporal predictor ``P_B``, translate back: the result must be the real next frame. Takes the
    real next frame and that round trip; the mean absolute error, as in the authors' code.
    """
    _check_pair(frame_next, recycled_next, "frame_next", "recycled_next")
    return (recycled_next - frame_next).abs().mean()


# --- video restoration (lesson 05) -----------------------------------------------------------


def adversarial_restoration_loss(output: torch.Tensor, target: torch.Tensor, fake_logits: torch.Tensor,
                                 adversarial_weight: float = 1e-3, feature_fn: Callable | None = None,
                                 feature_weight: float = 0.0) -> torch.Tensor:
    """SRGAN's generator loss (Ledig et al. 2017), with L1 as the content term:

        L = |output - target|_1 + feature_weight * |phi(output) - phi(target)|^2 + adversarial_weight * E[softplus(-l)]

    ``phi`` = ``feature_fn`` (the paper's VGG features; the course uses its own feature network, as
    nothing can be downloaded), ``l`` the discriminator's logits on the outputs (non-saturating
    loss). ``adversarial_weight = 0`` and no features give the plain L1 twin.
    """
    _check_pair(output, target, "output", "target")
    check_non_negative(adversarial_weight, "adversarial_weight")
    check_non_negative(feature_weight, "feature_weight")
    loss = (output - target).abs().mean()
    if feature_fn is not None and feature_weight > 0:
        loss = loss + feature_weight * (feature_fn(output) - feature_fn(target)).pow(2).mean()
    if adversarial_weight > 0:
        loss = loss + adversarial_weight * generator_loss_nonsaturating(fake_logits)
    return loss


def ping_pong_sequence(clip: torch.Tensor) -> torch.Tensor:
    """TecoGAN's ping-pong ordering: frames ``1, ..., T, T-1, ..., 1`` of ``clip (n, T, ...)`` -> ``(n, 2T - 1, ...)``.

    A recurrent restorer run along it sees every frame but the last twice, once going forward and
    once coming back, with a different history each time.
    """
    check_tensor(clip, "clip")
    if clip.dim() < 3 or clip.shape[1] < 2:
        raise ValueError(f"clip must be (batch, time >= 2, ...), got {tuple(clip.shape)}")
    return torch.cat([clip, clip[:, :-1].flip(1)], dim=1)


def ping_pong_loss(outputs: torch.Tensor) -> torch.Tensor:
    """TecoGAN's ping-pong loss on the outputs ``(n, 2T - 1, ...)`` of a :func:`ping_pong_sequence`:

        L_pp = mean over t < T of |g_t - g'_t|_1,

    ``g_t`` the output for frame ``t`` on the way forward, ``g'_t`` on the way back. Identical
    inputs should give identical outputs, whatever came before: drift that accumulates along a
    recurrent chain (and the artefacts it grows) is penalised.
    """
    check_tensor(outputs, "outputs")
    if outputs.dim() < 3 or outputs.shape[1] < 3 or outputs.shape[1] % 2 == 0:
        raise ValueError(f"outputs must be (batch, 2T - 1, ...) with T >= 2 (an odd length), got {tuple(outputs.shape)}")
    T = (outputs.shape[1] + 1) // 2
    forward, backward = outputs[:, : T - 1], outputs[:, T:].flip(1)  # frames 1..T-1, each twice
    return (forward - backward).abs().mean()
