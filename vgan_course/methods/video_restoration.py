"""Lesson 05's methods: restore a damaged clip, one frame, a window of frames, or along the clip.

==============================  ======================================================================
method                          generator and loss
==============================  ======================================================================
single-frame L1                 :class:`~vgan_course.models.RestorationNet` on one frame, L1 (SRResNet)
multi-frame L1                  the same on 3 neighbouring frames, L1
recurrent L1                    :class:`~vgan_course.models.RecurrentRestorer` along the clip, L1 (FRVSR)
single-frame adversarial        single-frame net, L1 + feature loss + adversarial term (SRGAN, Ledig 2017)
recurrent adversarial           the recurrent net, L1 + feature loss + the frame discriminator
recurrent + temporal D          the same with TecoGAN's triplet discriminator (Chu 2020): three
                                consecutive frames, lined up by the flow, judged together
... (carphone)                  single-frame L1, multi-frame L1 and single-frame adversarial on the
                                real carphone pair (factor 1: undo codec damage)
==============================  ======================================================================

Every method starts from a single-frame L1 network (its ``start``), *inflated* for the multi-frame
and recurrent generators (:func:`vgan_course.models.inflate_single_frame`: at their first step
they compute what the start does), and trains on from it for the same number of steps.

Each method's ``hyper``: ``generator`` (``"window"`` or ``"recurrent"``) and ``frames`` (the
window), ``clip_frames`` (frames per training clip, 3 for windows, 4 for the recurrent net),
``discriminator`` (``None``, ``"frame"`` or ``"triplet"``), ``adversarial_weight`` (1e-2 with a
discriminator; SRGAN uses 1e-3 next to its VGG loss), ``feature_weight`` (1), ``ping_pong`` and
``ping_pong_weight`` (TecoGAN's ping-pong loss, off: lesson 05 measures why), ``factor`` (2 for the
damaged still-scene world, 1 for carphone), ``data`` and ``lr`` (Adam; betas 0.9, 0.99 for G).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from types import SimpleNamespace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .. import data, losses, metrics, models, train
from . import Lesson, Method


@lru_cache(maxsize=1)
def _feature_layers() -> nn.Module:
    """The first two convolutions of the course's video feature network (lesson 03), frozen."""
    trunk = copy.deepcopy(metrics.video_feature_net().frame_trunk[:4])
    return trunk.requires_grad_(False).eval()


def course_features(frames: torch.Tensor) -> torch.Tensor:
    """SRGAN's feature map phi for the feature loss: ``(n, 32, h/4, w/4)`` of frames ``(n, 1 or 3, h, w)``.

    SRGAN compares VGG features; VGG's weights cannot be downloaded here, so the course uses the
    first layers of its own feature network. Gradients flow to ``frames``, not to the network."""
    layers = _feature_layers().to(frames.device)
    return layers(frames.expand(-1, 3, -1, -1) if frames.shape[1] == 1 else frames)


def recurrent_flows(batch: dict[str, torch.Tensor], ping_pong: bool = False) -> torch.Tensor:
    """The flows :func:`vgan_course.models.restore_recurrent` warps with, ``(n, T-1, 2, h, w)`` at the
    damaged clips' size: entry ``t - 1`` from frame ``t`` back to ``t - 1``. The world's exact flow when
    ``batch`` has it (along a ping-pong sequence: back, then forward), else Farneback's on ``batch["low"]``."""
    if "low_flow_back" in batch:
        if not ping_pong:
            return batch["low_flow_back"]
        return torch.cat([batch["low_flow_back"], batch["low_flow"].flip(1)], dim=1)
    low = losses.ping_pong_sequence(batch["low"]) if ping_pong else batch["low"]
    return torch.stack([data.estimate_flow(low[:, t], low[:, t - 1]) for t in range(1, low.shape[1])], dim=1)


def aligned_triplets(clips: torch.Tensor, flows_back: torch.Tensor) -> torch.Tensor:
    """Every run of 3 consecutive frames of ``clips (n, T, c, h, w)``, the first two warped onto the
    third along ``flows_back (n, T-1, 2, h, w)`` (entry ``t - 1``: from frame ``t`` back to ``t - 1``)
    -> ``(n * (T - 2), 3, c, h, w)``: what TecoGAN's spatio-temporal discriminator sees (lined up)."""
    steps = []
    for t in range(2, clips.shape[1]):
        to_t, to_t_minus_1 = flows_back[:, t - 1], flows_back[:, t - 2]
        first = data.warp(data.warp(clips[:, t - 2], to_t_minus_1), to_t)
        steps.append(torch.stack([first, data.warp(clips[:, t - 1], to_t), clips[:, t]], dim=1))
    return torch.stack(steps, dim=1).flatten(0, 1)


def restoration_step(nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer],
                     batches: Callable[[], dict], cfg: SimpleNamespace):
    """One round of a restoration method, for :func:`vgan_course.train.train`: G on L1 (+ features
    + the adversarial term), then D if the method has one. ``batches()`` returns ``low (n, T, c, h, w)``
    and ``high (n, T, c, f*h, f*w)`` (and the world's flows). The package's copy of lesson 05's step."""
    G, D = nets["G"], nets.get("D")

    def judge(clips: torch.Tensor, flows: torch.Tensor | None) -> torch.Tensor:  # D's logits on clips (n, T, c, h, w)
        if cfg.discriminator == "triplet":  # every run of 3 frames, lined up by the flow
            return D(aligned_triplets(clips, flows)).flatten()
        return D(clips.flatten(0, 1)).flatten()  # every patch of every frame

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        batch = batches()
        low, high = batch["low"], batch["high"]
        with ctx.autocast():
            if cfg.generator == "recurrent":  # along the clip (and back, with ping-pong)
                flows = recurrent_flows(batch, cfg.ping_pong)
                if cfg.ping_pong:
                    low, high = losses.ping_pong_sequence(low), losses.ping_pong_sequence(high)
                out = models.restore_recurrent(G, low, flows)
                big_flows = models.upsample_flow(flows, out.shape[-1] // low.shape[-1])
            else:  # a window around the centre frame -> the centre frame, (n, 1, c, H, W)
                centre, half = low.shape[1] // 2, cfg.frames // 2
                out, big_flows = G(low[:, centre - half: centre + half + 1])[:, None], None
                high = high[:, centre: centre + 1]
            loss_g = losses.adversarial_restoration_loss(
                out.flatten(0, 1), high.flatten(0, 1), judge(out, big_flows) if D is not None else torch.zeros(1),
                cfg.adversarial_weight, feature_fn=course_features if D is not None else None,
                feature_weight=cfg.feature_weight)
            logged = {"loss/l1": (out - high).abs().mean()}
            if cfg.ping_pong:
                logged["loss/ping_pong"] = losses.ping_pong_loss(out)
                loss_g = loss_g + cfg.ping_pong_weight * logged["loss/ping_pong"]
        ctx.update(opts["G"], loss_g)
        if D is not None:
            with ctx.autocast():
                logged["loss/d"] = losses.discriminator_loss(judge(high, big_flows), judge(out.detach(), big_flows))
            ctx.update(opts["D"], logged["loss/d"])
        return {"loss/g": loss_g, **logged}

    return step


@torch.no_grad()
def restore(G: nn.Module, low: torch.Tensor, low_flow_back: torch.Tensor | None = None, batch: int = 64) -> torch.Tensor:
    """Restore clips ``low (n, T, c, h, w)`` with a trained generator, in eval mode, ``batch`` clips at a
    time, on the generator's device; the result on the CPU. A recurrent generator warps with
    ``low_flow_back`` (:func:`vgan_course.data.damaged_scene_clips`') if given, else Farneback's."""
    G.eval()
    device = next(G.parameters()).device
    restored = []
    for i in range(0, len(low), batch):
        clips = low[i: i + batch].to(device)
        if isinstance(G, models.RecurrentRestorer):
            flows = recurrent_flows({"low": clips} if low_flow_back is None else {"low_flow_back": low_flow_back[i: i + batch].to(device)})
            restored.append(models.restore_recurrent(G, clips, flows).float().cpu())
        else:
            restored.append(models.restore_clip(G, clips).float().cpu())
    return torch.cat(restored)


def test_set(n: int = 64, n_frames: int = 8, seed: int = 999) -> dict[str, torch.Tensor]:
    """Held-out clips of the damaged still-scene world (test backgrounds, fixed seed): as
    :func:`vgan_course.data.damaged_scene_clips`."""
    return data.damaged_scene_clips(n, n_frames, "test", torch.Generator().manual_seed(seed))


@lru_cache(maxsize=2)
def carphone(split: str = "train") -> data.VideoPair:
    """:func:`vgan_course.data.carphone_pair`, read once."""
    return data.carphone_pair(split)


SYNTHETIC = {  # method -> (generator, frames, discriminator)
    "single-frame L1": ("window", 1, None),
    "multi-frame L1": ("window", 3, None),
    "recurrent L1": ("recurrent", 1, None),
    "single-frame adversarial": ("window", 1, "frame"),
    "recurrent adversarial": ("recurrent", 1, "frame"),
    "recurrent + temporal D": ("recurrent", 1, "triplet"),  # TecoGAN's D, without its ping-pong loss
}
CARPHONE = {f"{name} (carphone)": SYNTHETIC[name] for name in ("single-frame L1", "multi-frame L1", "single-frame adversarial")}
CARPHONE_PATCH = 32  # carphone trains on random 32 x 32 crops of frames 0..79


def _method(name: str, spec: tuple, world: str, start: Method | None, shipped: str | None = None) -> Method:
    generator, frames, discriminator = spec

    def networks(cfg: SimpleNamespace) -> dict[str, nn.Module]:
        nets: dict[str, nn.Module] = {"G": models.RecurrentRestorer(3, cfg.factor, cfg.width) if cfg.generator == "recurrent"
                                      else models.RestorationNet(3, cfg.frames, cfg.factor, cfg.width)}
        if cfg.discriminator == "frame":
            nets["D"] = models.PatchDiscriminator(3, cfg.width)
        elif cfg.discriminator == "triplet":
            nets["D"] = models.TripletDiscriminator(3, cfg.width)
        return nets

    def optimizers(nets: dict[str, nn.Module], cfg: SimpleNamespace) -> dict[str, torch.optim.Optimizer]:
        betas = {"G": (0.9, 0.99), "D": (0.5, 0.999)}
        return {key: torch.optim.Adam(net.parameters(), cfg.lr, betas=betas[key]) for key, net in nets.items()}

    def batches(cfg: SimpleNamespace, rng: torch.Generator) -> Callable[[], dict]:
        n_frames = max(cfg.frames, cfg.clip_frames)  # a wider window needs longer clips
        if cfg.data == "carphone":
            return lambda: data.random_patch_clips(carphone("train"), cfg.batch, n_frames, CARPHONE_PATCH, rng)
        return lambda: data.damaged_scene_clips(cfg.batch, n_frames, "train", rng)

    def start_from(nets: dict[str, nn.Module], start_models: dict) -> None:  # the start, inflated
        models.inflate_single_frame(nets["G"], start_models["G"])

    hyper = {"lr": 2e-4, "generator": generator, "frames": frames, "clip_frames": 4 if generator == "recurrent" else 3,
             "discriminator": discriminator, "adversarial_weight": 1e-2 if discriminator else 0.0, "feature_weight": 1.0,
             "ping_pong": False, "ping_pong_weight": 1.0, "factor": 1 if world == "carphone" else 2, "data": world}
    short = name.replace(" (carphone)", "").replace(" + ", " ").replace("-", "_").replace(" ", "_").lower()
    prefix = "carphone_" if world == "carphone" else "restore_"
    return Method("05_video_restoration", name, shipped or prefix + short, networks, optimizers, batches, restoration_step, hyper,
                  start=start, start_from=start_from, better=("psnr", "higher"),
                  sample=_restored_carphone if world == "carphone" else _restored_scenes)


def _restored_scenes(G: nn.Module) -> torch.Tensor:
    """Four held-out damaged clips, restored by ``G`` (for TensorBoard)."""
    clips = test_set(4)
    return restore(G, clips["low"], clips["low_flow_back"])


def _restored_carphone(G: nn.Module) -> torch.Tensor:
    """The first 8 frames of the compressed carphone clip, restored by ``G`` (for TensorBoard)."""
    return restore(G, carphone("test").degraded[None, :8])


STARTS = {"still scenes": _method("single-frame start", SYNTHETIC["single-frame L1"], "still scenes", None, "restore_start"),
          "carphone": _method("carphone start", SYNTHETIC["single-frame L1"], "carphone", None, "carphone_start")}
METHODS = {name: _method(name, spec, "still scenes", STARTS["still scenes"]) for name, spec in SYNTHETIC.items()}
METHODS |= {name: _method(name, spec, "carphone", STARTS["carphone"]) for name, spec in CARPHONE.items()}


def _steps(start: int, each: int, carphone_start: int, carphone_each: int) -> dict[str, int]:
    return {"single-frame start": start, **dict.fromkeys(SYNTHETIC, each), "carphone start": carphone_start,
            **dict.fromkeys(CARPHONE, carphone_each)}


def shipping_scores(method: Method, G: nn.Module) -> dict[str, float]:
    """What the manifest records for a shipped generator: its scores on the held-out clips
    (:func:`test_set`), or on the held-out carphone frames 80..119 (full size)."""
    if method.name in CARPHONE:
        pair = carphone("test")
        return metrics.restored_scores(restore(G, pair.degraded[None]), pair.clean[None])
    test = test_set()
    return metrics.restored_scores(restore(G, test["low"], test["low_flow_back"]), test["high"], test["flow"],
                                   test["backward_flow"], tof_convention="course")


def figure_rows() -> dict[str, torch.Tensor]:
    """The lesson's figure strip from the shipped networks: row label -> 8 frames ``(8, 3, 64, 64)`` in
    [-1, 1]. A held-out clip of the damaged world at twice its size (the damaged input up-sampled by
    bicubic, each method, the clean truth), then a 64 x 64 crop of carphone frames 80..115 (every fifth:
    compressed, each carphone network, pristine)."""
    from .training import load_shipped

    test = test_set(1, 8)
    rows = {"damaged (bicubic)": data.upsample_bicubic(test["low"], 2).clamp(-1, 1)[0]}
    rows |= {name: restore(load_shipped(METHODS[name]), test["low"], test["low_flow_back"])[0] for name in SYNTHETIC}
    rows["clean truth"] = test["high"][0]
    rows = {label: F.interpolate(frames, scale_factor=2, mode="nearest") for label, frames in rows.items()}
    pair = carphone("test")
    crop = lambda video: video[None, ::5, :, 24:88, 40:104]  # noqa: E731  (1, 8, 3, 64, 64): the face
    rows["carphone: compressed"] = crop(pair.degraded)[0]
    rows |= {name: restore(load_shipped(METHODS[name]), crop(pair.degraded))[0] for name in CARPHONE}
    return rows | {"carphone: pristine": crop(pair.clean)[0]}


LESSON = Lesson(
    name="05_video_restoration",
    methods={**{start.name: start for start in STARTS.values()}, **METHODS},
    settings={
        "smoke": dict(steps=_steps(3, 2, 3, 2), batch=2, n_test=64, width=32, carphone_frames=12),
        "cpu": dict(steps=_steps(1000, 500, 400, 200), batch=16, n_test=64, width=32, carphone_frames=40),
        "gpu": dict(steps=_steps(5000, 2500, 2000, 1000), batch=32, n_test=256, width=32, carphone_frames=40),
        "ship": dict(steps=_steps(3000, 1500, 3000, 1500), batch=16, n_test=64, width=32),
    },
    architecture=("width",),
    score=shipping_scores,
    figure_rows=figure_rows,
)

__all__ = ["CARPHONE", "LESSON", "METHODS", "STARTS", "SYNTHETIC", "aligned_triplets", "carphone", "course_features",
           "figure_rows", "recurrent_flows", "restoration_step", "restore", "test_set"]
