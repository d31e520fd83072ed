"""Lesson 04's methods: restyle a clip without flicker, one step for all of them.

=============================================  ==========================================================
method                                         generator loss (LSGAN adversarial + cycle, and ...)
=============================================  ==========================================================
per-frame CycleGAN                             nothing else: every frame on its own (Zhu et al. 2017)
CycleGAN + temporal loss (exact flow)          Ruder et al.'s temporal loss with the world's exact flow
CycleGAN + temporal loss (estimated flow)      the same with Farneback flow, where it can be trusted
Recycle-GAN                                    recycle loss through temporal predictors (Bansal 2018)
footage: per-frame CycleGAN                    real footage (plain -> a two-tone poster look), + identity loss
footage: temporal loss (estimated flow)        the same with the temporal loss
=============================================  ==========================================================

Training is unpaired: each step sees independent 3-frame clips of each domain
(:func:`vgan_course.data.unpaired_style_clips`, or :func:`vgan_course.data.unpaired_footage_clips`).
Every method starts from a per-frame CycleGAN (its ``start``: ``"per-frame start"`` for the
two-style world, ``"footage start"`` for real footage) and trains on from it for the same number
of steps with its own losses: an image model first, the temporal terms as a fine-tuning stage.
From scratch, a heavy temporal loss can win early and leave the generator painting flat digits.

The loss weights are each method's ``hyper``: ``cycle_weight`` (CycleGAN's lambda, 10),
``identity_weight`` (CycleGAN's identity loss, 0.5 lambda for real footage, else 0),
``temporal`` (``None``, ``"exact"`` or ``"estimated"``) and ``temporal_weight`` (100: a squared
error of small differences), ``recycle_weight`` (10, Recycle-GAN only) and ``lr`` (Adam, betas
0.5 and 0.999, as CycleGAN).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .. import data, losses, metrics, models, train
from . import Lesson, Method

SYNTHETIC = {  # method -> (temporal loss flow, recycle loss)
    "per-frame CycleGAN": (None, False),
    "CycleGAN + temporal loss (exact flow)": ("exact", False),
    "CycleGAN + temporal loss (estimated flow)": ("estimated", False),
    "Recycle-GAN": (None, True),
}
FOOTAGE = {"footage: per-frame CycleGAN": None, "footage: temporal loss (estimated flow)": "estimated"}


def temporal_loss_along(out: torch.Tensor, flow: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
    """Ruder's temporal loss (:func:`vgan_course.losses.temporal_loss`) summed over the neighbouring
    frame pairs of clips ``out (n, T, c, h, w)``, with ``flow (n, T-1, 2, h, w)`` and ``visible (n, T-1, 1, h, w)``."""
    return sum(losses.temporal_loss(out[:, t], out[:, t + 1], flow[:, t], visible[:, t]) for t in range(out.shape[1] - 1))


def flows_for(batch: dict, domain: str, kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The flow and mask of ``batch[domain]``'s clips: the world's exact ones (``kind="exact"``),
    or Farneback's where it can be trusted (``"estimated"``, :func:`vgan_course.data.trusted_flow`)."""
    if kind == "exact":
        return batch[f"flow_{domain}"], batch[f"visible_{domain}"]
    return data.trusted_flow(batch[domain])


def style_transfer_step(nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer],
                        batches: Callable[[], dict], cfg: SimpleNamespace):
    """One round of CycleGAN with the method's extra terms, for :func:`vgan_course.train.train`.

    ``nets``: ``G_ab``, ``G_ba``, ``D_a``, ``D_b`` (and Recycle-GAN's predictors ``P_a``, ``P_b``);
    ``opts["G"]`` holds the generators and predictors, ``opts["D"]`` both discriminators;
    ``batches()`` returns unpaired clips ``a``, ``b`` ``(n, 3, 3, h, w)`` (and their exact flows).
    The package's copy of the step lesson 04 writes in its notebook.
    """
    G_ab, G_ba, D_a, D_b = nets["G_ab"], nets["G_ba"], nets["D_a"], nets["D_b"]
    frames = lambda clips: clips.flatten(0, 1)  # noqa: E731  (n, T, c, h, w) -> (n * T, c, h, w)

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        batch = batches()
        a, b = batch["a"], batch["b"]
        with ctx.autocast():
            fake_b = G_ab(frames(a)).unflatten(0, a.shape[:2])  # A restyled as B
            fake_a = G_ba(frames(b)).unflatten(0, b.shape[:2])
            terms = {"adversarial": losses.lsgan_generator_loss(D_b(frames(fake_b)).flatten())
                     + losses.lsgan_generator_loss(D_a(frames(fake_a)).flatten()),
                     "cycle": losses.cycle_consistency_loss(frames(a), G_ba(frames(fake_b)))
                     + losses.cycle_consistency_loss(frames(b), G_ab(frames(fake_a)))}
            loss_g = terms["adversarial"] + cfg.cycle_weight * terms["cycle"]
            if cfg.identity_weight:  # a frame already in the target domain must come out unchanged
                terms["identity"] = F.l1_loss(G_ab(frames(b)), frames(b)) + F.l1_loss(G_ba(frames(a)), frames(a))
                loss_g = loss_g + cfg.identity_weight * terms["identity"]
            if cfg.temporal:  # each output must move as its input does, where the flow is trusted
                terms["temporal"] = (temporal_loss_along(fake_b, *flows_for(batch, "a", cfg.temporal))
                                     + temporal_loss_along(fake_a, *flows_for(batch, "b", cfg.temporal)))
                loss_g = loss_g + cfg.temporal_weight * terms["temporal"]
            if cfg.recycle_weight:  # A -> B, predict B's next frame, back to A: the real next frame
                P_a, P_b = nets["P_a"], nets["P_b"]
                terms["recycle"] = (losses.recycle_loss(a[:, 2], G_ba(P_b(fake_b[:, :2])))
                                    + losses.recycle_loss(b[:, 2], G_ab(P_a(fake_a[:, :2]))))
                terms["predictor"] = losses.recycle_loss(a[:, 2], P_a(a[:, :2])) + losses.recycle_loss(b[:, 2], P_b(b[:, :2]))
                loss_g = loss_g + cfg.recycle_weight * (terms["recycle"] + terms["predictor"])
        ctx.update(opts["G"], loss_g)
        with ctx.autocast():  # the discriminators: real frames of their domain against the generated ones
            loss_d = (losses.lsgan_discriminator_loss(D_b(frames(b)).flatten(), D_b(frames(fake_b).detach()).flatten())
                      + losses.lsgan_discriminator_loss(D_a(frames(a)).flatten(), D_a(frames(fake_a).detach()).flatten()))
        ctx.update(opts["D"], loss_d)
        return {"loss/g": loss_g, "loss/d": loss_d, **{f"loss/{k}": v for k, v in terms.items()}}

    return step


@torch.no_grad()
def restyle(G: nn.Module, clips: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """Apply a frame generator to every frame of ``clips (n, T, c, h, w)``, in eval mode, on its device;
    the result on the CPU."""
    G.eval()
    device = next(G.parameters()).device
    frames = clips.flatten(0, 1)
    out = torch.cat([G(frames[i: i + batch].to(device)).float().cpu() for i in range(0, len(frames), batch)])
    return out.unflatten(0, clips.shape[:2])


def test_clips(n: int = 64, n_frames: int = 8, seed: int = 999) -> data.StyledClips:
    """Held-out clips of the two-style world (the "test" digits): inputs, paired truth, exact flow."""
    return data.two_style_clips(n, n_frames, 32, split="test", generator=torch.Generator().manual_seed(seed))


def _method(name: str, world: str, temporal: str | None, recycle: bool, start: Method | None,
            shipped: str) -> Method:
    footage = world == "footage"

    def networks(cfg: SimpleNamespace) -> dict[str, nn.Module]:
        width = cfg.footage_width if footage else cfg.width
        nets: dict[str, nn.Module] = {"G_ab": models.ResnetGenerator(3, 3, width), "G_ba": models.ResnetGenerator(3, 3, width),
                                      "D_a": models.PatchDiscriminator(3, 2 * width), "D_b": models.PatchDiscriminator(3, 2 * width)}
        if cfg.recycle_weight:
            nets["P_a"], nets["P_b"] = models.FramePredictor(3, 2, width), models.FramePredictor(3, 2, width)
        return nets

    def optimizers(nets: dict[str, nn.Module], cfg: SimpleNamespace) -> dict[str, torch.optim.Optimizer]:
        adam = lambda keys: torch.optim.Adam([p for k in keys for p in nets[k].parameters()], cfg.lr, betas=(0.5, 0.999))  # noqa: E731
        return {"G": adam([k for k in nets if not k.startswith("D")]), "D": adam([k for k in nets if k.startswith("D")])}

    def batches(cfg: SimpleNamespace, generator: torch.Generator) -> Callable[[], dict]:
        if footage:
            return lambda: data.unpaired_footage_clips(cfg.footage_batch, cfg.footage_crop, generator)
        return lambda: data.unpaired_style_clips(cfg.batch, 32, generator)

    def start_from(nets: dict[str, nn.Module], start_models: dict) -> None:  # the start's generators and discriminators
        for key in ("G_ab", "G_ba", "D_a", "D_b"):
            nets[key].load_state_dict(start_models[key])

    hyper = {"lr": 2e-4, "cycle_weight": 10.0, "identity_weight": 5.0 if footage else 0.0, "temporal": temporal,
             "temporal_weight": 100.0, "recycle_weight": 10.0 if recycle else 0.0}
    return Method("04_video_style_transfer", name, shipped, networks, optimizers, batches, style_transfer_step, hyper,
                  keep="G_ab", start=start, start_from=start_from,
                  better=("psnr", "higher") if footage else ("warping_error", "lower"),
                  sample=_restyled_footage if footage else lambda G: restyle(G, test_clips(4).plain))


def _restyled_footage(G: nn.Module) -> torch.Tensor:
    """Two fixed crops of the footage to restyle, restyled by ``G`` (for TensorBoard)."""
    return restyle(G, data.unpaired_footage_clips(2, generator=torch.Generator().manual_seed(0))["a"])


def _shipped_name(temporal: str | None, recycle: bool) -> str:
    return "recycle" if recycle else "per_frame" if temporal is None else f"temporal_{temporal}"


STARTS = {"two styles": _method("per-frame start", "two styles", None, False, None, "style_start"),
          "footage": _method("footage start", "footage", None, False, None, "footage_start")}
METHODS = {name: _method(name, "two styles", temporal, recycle, STARTS["two styles"], "style_" + _shipped_name(temporal, recycle))
           for name, (temporal, recycle) in SYNTHETIC.items()}
METHODS |= {name: _method(name, "footage", temporal, False, STARTS["footage"], "footage_" + _shipped_name(temporal, False))
            for name, temporal in FOOTAGE.items()}


def _steps(start: int, each: int, footage_start: int, footage_each: int) -> dict[str, int]:
    return {"per-frame start": start, **dict.fromkeys(SYNTHETIC, each), "footage start": footage_start,
            **dict.fromkeys(FOOTAGE, footage_each)}


def shipping_scores(method: Method, G_ab: nn.Module) -> dict[str, float]:
    """What the manifest records for a shipped generator: its scores on the held-out clips
    (:func:`test_clips`), or on the held-out carphone clip for the footage generators."""
    if method.name in FOOTAGE:
        footage = data.style_footage()
        return metrics.footage_scores(restyle(G_ab, footage["test"]), footage["test"], footage["truth"])
    test = test_clips()
    return metrics.restyled_scores(restyle(G_ab, test.plain), test)


COMMON = dict(width=8, footage_width=16, footage_crop=32)


def figure_rows() -> dict[str, torch.Tensor]:
    """The lesson's figure strip from the shipped generators: row label -> 8 frames ``(8, 3, 64, 64)``
    in [-1, 1]. A held-out clip of the two-style world (shown at twice its size: input, each method,
    the hidden truth), then the held-out carphone clip (every fifth frame), both footage generators and
    the clip's true restyling."""
    from .training import load_shipped

    test = test_clips(1, 8)
    rows = {"two styles: input": test.plain[0]}
    rows |= {name: restyle(load_shipped(METHODS[name]), test.plain)[0] for name in SYNTHETIC}
    rows["two styles: hidden truth"] = test.styled[0]
    rows = {label: F.interpolate(frames, scale_factor=2, mode="nearest") for label, frames in rows.items()}
    footage = data.style_footage()
    clip = footage["test"][:, ::5]
    rows["carphone (held out)"] = clip[0]
    rows |= {name: restyle(load_shipped(METHODS[name]), clip)[0] for name in FOOTAGE}
    return rows | {"carphone: true restyling": footage["truth"][0, ::5]}


LESSON = Lesson(
    name="04_video_style_transfer",
    methods={**{start.name: start for start in STARTS.values()}, **METHODS},
    settings={
        "smoke": dict(steps=_steps(3, 2, 3, 2), batch=2, footage_batch=2, n_test=16, **COMMON),
        "cpu": dict(steps=_steps(600, 300, 400, 200), batch=8, footage_batch=4, n_test=64, **COMMON),
        "gpu": dict(steps=_steps(3000, 1500, 4000, 2000), batch=16, footage_batch=8, n_test=256, **COMMON),
        "ship": dict(steps=_steps(2000, 1000, 600, 300), batch=8, footage_batch=4, n_test=64, **COMMON),
    },
    architecture=("width", "footage_width"),
    score=shipping_scores,
    figure_rows=figure_rows,
)

__all__ = ["FOOTAGE", "LESSON", "METHODS", "STARTS", "SYNTHETIC", "figure_rows", "flows_for", "restyle",
           "style_transfer_step", "temporal_loss_along", "test_clips"]
