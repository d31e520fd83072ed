"""Video restoration and super-resolution (lesson 05): the methods and their training step.

==============================  ======================================================================
method                          generator and loss
==============================  ======================================================================
single-frame L1                 :class:`~vgan_course.models.RestorationNet` on one frame, L1 (SRResNet)
multi-frame L1                  the same on ``MULTI_FRAMES`` neighbouring frames, L1
single-frame adversarial        single-frame net, L1 + a small adversarial term (SRGAN, Ledig 2017)
recurrent + temporal D          :class:`~vgan_course.models.RecurrentRestorer` along the clip, L1 + the
                                triplet discriminator + the ping-pong loss (TecoGAN, Chu 2020)
==============================  ======================================================================

Bicubic up-sampling (:func:`vgan_course.models.bicubic`) is the baseline that needs no training.
Each step takes ``batch_fn()`` -> ``{"low": (n, T, c, h, w), "high": (n, T, c, f*h, f*w)}``: degraded
clips and their clean originals, in [-1, 1]. Single- and multi-frame methods restore every frame of
the clip; the recurrent one runs along its ping-pong sequence.
"""

from __future__ import annotations

import torch
from torch import nn

from . import data, losses, models, train

METHODS = {  # name -> (frames the generator sees; None = recurrent, adversarial)
    "single-frame L1": (1, False),
    "multi-frame L1": (3, False),
    "single-frame adversarial": (1, True),
    "recurrent + temporal D": (None, True),
}
MULTI_FRAMES = 3
ADVERSARIAL_WEIGHT = 1e-3  # SRGAN's weight of the adversarial term next to the content loss
PING_PONG_WEIGHT = 1.0


def build_networks(method: str, channels: int = 1, factor: int = 2, width: int = 32) -> dict[str, nn.Module]:
    """``G`` (and ``D`` for the adversarial methods: a patch discriminator on frames, or TecoGAN's
    triplet discriminator for the recurrent method)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS)}")
    frames, adversarial = METHODS[method]
    nets: dict[str, nn.Module] = {"G": models.RecurrentRestorer(channels, factor, width) if frames is None
                                  else models.RestorationNet(channels, frames, factor, width)}
    if adversarial:
        nets["D"] = models.TripletDiscriminator(channels, width) if frames is None else models.PatchDiscriminator(channels, width)
    return nets


def farneback_flow(frame: torch.Tensor, previous: torch.Tensor) -> torch.Tensor:
    """Flow from ``frame`` to ``previous`` (``(n, c, h, w)`` each), for :func:`vgan_course.models.restore_recurrent`."""
    return data.estimate_flow(frame, previous)


def restore(method: str, G: nn.Module, low: torch.Tensor, flow_fn=farneback_flow) -> torch.Tensor:
    """Restore every frame of ``low (n, T, c, h, w)`` with ``method``'s generator -> ``(n, T, c, f*h, f*w)``."""
    if METHODS[method][0] is None:
        return models.restore_recurrent(G, low, flow_fn)
    return models.restore_clip(G, low)


def restoration_step(method: str, nets: dict[str, nn.Module], opt_g: torch.optim.Optimizer,
                     opt_d: torch.optim.Optimizer | None, batch_fn, flow_fn=farneback_flow) -> callable:
    """One round of ``method`` as a step function for :func:`vgan_course.train.train`."""
    frames, adversarial = METHODS[method]
    G, D = nets["G"], nets.get("D")
    recurrent = frames is None

    def judge(clips: torch.Tensor) -> torch.Tensor:  # D's logits: one per triplet, or per patch of every frame
        if recurrent:
            return D(torch.stack([clips[:, t: t + 3] for t in range(clips.shape[1] - 2)], dim=1).flatten(0, 1))
        return D(clips.flatten(0, 1)).flatten()

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        batch = batch_fn()
        low, high = batch["low"], batch["high"]
        if recurrent:  # run forward and back: 1..T..1, and compare the two outputs of each frame
            low, high = losses.ping_pong_sequence(low), losses.ping_pong_sequence(high)
        with ctx.autocast():
            out = restore(method, G, low, flow_fn)
            fake_logits = judge(out) if adversarial else torch.zeros(1)
            loss_g = losses.adversarial_restoration_loss(out, high, fake_logits, ADVERSARIAL_WEIGHT if adversarial else 0.0)
            logged = {"loss/l1": (out - high).abs().mean()}
            if recurrent:
                ping_pong = losses.ping_pong_loss(out)
                loss_g = loss_g + PING_PONG_WEIGHT * ping_pong
                logged["loss/ping_pong"] = ping_pong
        ctx.update(opt_g, loss_g)
        if adversarial:
            with ctx.autocast():
                loss_d = losses.discriminator_loss(judge(high), judge(out.detach()))
            ctx.update(opt_d, loss_d)
            logged["loss/d"] = loss_d
        return {"loss/g": loss_g, **logged}

    return step
