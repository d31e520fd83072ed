"""Video style transfer between the two domains of :func:`vgan_course.data.two_style_clips` (lesson 04).

Four methods, one training step (:func:`style_transfer_step`), differing only in the losses:

==========================================  =====================================================
method                                      generator loss (LSGAN adversarial + cycle, and ...)
==========================================  =====================================================
per-frame CycleGAN                          nothing else: every frame on its own (Zhu et al. 2017)
CycleGAN + temporal loss (exact flow)       Ruder et al.'s temporal loss with the world's exact flow
CycleGAN + temporal loss (estimated flow)   the same with Farneback flow and a forward-backward mask
Recycle-GAN                                 recycle loss through temporal predictors (Bansal 2018)
==========================================  =====================================================

Training is unpaired: domain A's clips and domain B's clips are independent draws. Each step
sees short clips of 3 consecutive frames from each domain (Recycle-GAN predicts the third from
the first two; the temporal loss compares neighbours).
"""

from __future__ import annotations

import torch
from torch import nn

from . import data, losses, models, train

METHODS = {  # name -> (temporal loss flow: None / "exact" / "estimated", recycle loss)
    "per-frame CycleGAN": (None, False),
    "CycleGAN + temporal loss (exact flow)": ("exact", False),
    "CycleGAN + temporal loss (estimated flow)": ("estimated", False),
    "Recycle-GAN": (None, True),
}
CYCLE_WEIGHT = 10.0  # lambda of CycleGAN's cycle loss (Zhu et al. 2017)
TEMPORAL_WEIGHT = 100.0  # weight of the temporal loss (a squared error, so it needs a larger weight)
RECYCLE_WEIGHT = 10.0  # Recycle-GAN's recycle and predictor losses


def build_networks(method: str, width: int = 16) -> dict[str, nn.Module]:
    """The networks ``method`` trains: both generators and discriminators, and for Recycle-GAN
    one frame predictor per domain."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS)}")
    nets: dict[str, nn.Module] = {
        "G_ab": models.ResnetGenerator(3, 3, width), "G_ba": models.ResnetGenerator(3, 3, width),
        "D_a": models.PatchDiscriminator(3, 2 * width), "D_b": models.PatchDiscriminator(3, 2 * width),
    }
    if METHODS[method][1]:
        nets["P_a"], nets["P_b"] = models.FramePredictor(3, 2, width), models.FramePredictor(3, 2, width)
    return nets


def unpaired_batch(batch: int, size: int = 32, generator: torch.Generator | None = None,
                   device: torch.device | str | None = None) -> dict[str, torch.Tensor]:
    """Independent 3-frame clips of each domain, with their exact flow and occlusion masks.

    Returns ``a, b (batch, 3, 3, size, size)``, ``flow_a, flow_b (batch, 2, 2, size, size)`` and
    ``visible_a, visible_b (batch, 2, 1, size, size)``. The B clips show other digits on other
    paths: nothing pairs them with the A clips.
    """
    first = data.two_style_clips(batch, 3, size, generator=generator, device=device)
    second = data.two_style_clips(batch, 3, size, generator=generator, device=device)
    # B's flow on B's own frames: the exact flow of its digit (the same world, drawn in style B)
    return {"a": first.plain, "flow_a": first.flow, "visible_a": first.visible,
            "b": second.styled, "flow_b": second.flow, "visible_b": second.visible}


def estimated_flow_and_mask(clips: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Farneback flow between neighbouring frames of ``clips (n, T, c, h, w)`` and its forward-backward
    occlusion mask: ``(n, T-1, 2, h, w)`` and ``(n, T-1, 1, h, w)``."""
    pairs = (clips.shape[0], clips.shape[1] - 1)
    a, b = clips[:, :-1].flatten(0, 1), clips[:, 1:].flatten(0, 1)
    forward, backward = data.estimate_flow(a, b), data.estimate_flow(b, a)
    return forward.unflatten(0, pairs), data.occlusion_mask(forward, backward).unflatten(0, pairs)


def _temporal(out: torch.Tensor, flow: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
    """Ruder's temporal loss summed over the neighbouring pairs of clips ``out (n, T, c, h, w)``."""
    return sum(losses.temporal_loss(out[:, t], out[:, t + 1], flow[:, t], visible[:, t]) for t in range(out.shape[1] - 1))


def style_transfer_step(method: str, nets: dict[str, nn.Module], opt_g: torch.optim.Optimizer,
                        opt_d: torch.optim.Optimizer, batch_fn) -> callable:
    """One round of ``method`` as a step function for :func:`vgan_course.train.train`.

    ``opt_g`` holds the generators (and predictors), ``opt_d`` both discriminators. ``batch_fn()``
    returns :func:`unpaired_batch`'s dict. LSGAN losses on every patch logit, as in CycleGAN.
    """
    flow_kind, recycle = METHODS[method]
    G_ab, G_ba, D_a, D_b = nets["G_ab"], nets["G_ba"], nets["D_a"], nets["D_b"]

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        batch = batch_fn()
        a, b = batch["a"], batch["b"]  # (n, 3, 3, h, w)
        with ctx.autocast():
            fake_b = G_ab(a.flatten(0, 1)).unflatten(0, a.shape[:2])  # A restyled as B
            fake_a = G_ba(b.flatten(0, 1)).unflatten(0, b.shape[:2])
            adversarial = (losses.lsgan_generator_loss(D_b(fake_b.flatten(0, 1)).flatten())
                           + losses.lsgan_generator_loss(D_a(fake_a.flatten(0, 1)).flatten()))
            cycle = (losses.cycle_consistency_loss(a.flatten(0, 1), G_ba(fake_b.flatten(0, 1)))
                     + losses.cycle_consistency_loss(b.flatten(0, 1), G_ab(fake_a.flatten(0, 1))))
            loss_g = adversarial + CYCLE_WEIGHT * cycle
            logged = {"loss/adversarial": adversarial, "loss/cycle": cycle}
            if flow_kind is not None:
                if flow_kind == "exact":
                    flow_a, visible_a, flow_b, visible_b = batch["flow_a"], batch["visible_a"], batch["flow_b"], batch["visible_b"]
                else:
                    (flow_a, visible_a), (flow_b, visible_b) = estimated_flow_and_mask(a), estimated_flow_and_mask(b)
                temporal = _temporal(fake_b, flow_a, visible_a) + _temporal(fake_a, flow_b, visible_b)
                loss_g = loss_g + TEMPORAL_WEIGHT * temporal
                logged["loss/temporal"] = temporal
            if recycle:
                P_a, P_b = nets["P_a"], nets["P_b"]
                # recycle: A -> B, predict the next frame in B, back to A; it must be the real next frame
                recycled = (losses.recycle_loss(a[:, 2], G_ba(P_b(fake_b[:, :2])))
                            + losses.recycle_loss(b[:, 2], G_ab(P_a(fake_a[:, :2]))))
                predicted = (losses.recycle_loss(a[:, 2], P_a(a[:, :2])) + losses.recycle_loss(b[:, 2], P_b(b[:, :2])))
                loss_g = loss_g + RECYCLE_WEIGHT * (recycled + predicted)
                logged |= {"loss/recycle": recycled, "loss/predictor": predicted}
        ctx.update(opt_g, loss_g)
        with ctx.autocast():
            loss_d = (losses.lsgan_discriminator_loss(D_b(b.flatten(0, 1)).flatten(), D_b(fake_b.detach().flatten(0, 1)).flatten())
                      + losses.lsgan_discriminator_loss(D_a(a.flatten(0, 1)).flatten(), D_a(fake_a.detach().flatten(0, 1)).flatten()))
        ctx.update(opt_d, loss_d)
        return {"loss/g": loss_g, "loss/d": loss_d, **logged}

    return step


@torch.no_grad()
def restyle(G: nn.Module, clips: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """Apply a frame generator to every frame of ``clips (n, T, c, h, w)``, in eval mode, on its device."""
    G.eval()
    device = next(G.parameters()).device
    frames = clips.flatten(0, 1)
    out = torch.cat([G(frames[i: i + batch].to(device)).float().cpu() for i in range(0, len(frames), batch)])
    return out.unflatten(0, clips.shape[:2])
