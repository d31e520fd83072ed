"""Lesson 03's methods: five video GANs.

==========================  =========================================  ========  ========  ===========
method                      generator                                  image D   video D   world
==========================  =========================================  ========  ========  ===========
frame-independent           ``x_t = G(z_t)``, an image GAN on frames   yes       no        digits
VGAN                        3-D foreground + mask over a 2-D backdrop  no        yes       still scene
TGAN                        a latent path from 1-D deconvolutions      no        yes       digits
MoCoGAN                     content code + GRU motion codes            yes       yes       digits
MoCoGAN without video D     the same generator                         yes       no        digits
==========================  =========================================  ========  ========  ===========

Four learn one moving digit on black (:func:`vgan_course.data.digit_clips`). VGAN learns a still
camera: a coloured shape moving over a still street picture (:func:`scene_clips`), a world where its
two streams mean something (a still background, a moving foreground) and where the world knows
which pixels move, so its mask can be checked.

Every model uses Adam(lr, betas (0.5, 0.999)) and the non-saturating loss; the frame-independent
baseline is lesson 01's image GAN (:func:`vgan_course.train.gan_step`) on single frames of real
clips, every other model takes :func:`video_gan_step`. The generator kept is the moving average of
G's weights over about the last 100 steps: GAN training swings from step to step, and a short run
ends wherever the swing left it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import torch
from torch import nn

from .. import data, losses, metrics, models, train
from ..metrics.clip_scores import real_reference, score_clips
from . import Lesson, Method

N_FRAMES = 16
DISCRIMINATORS = {  # method -> (generator family, image D, video D)
    "frame-independent": ("frame", True, False),
    "VGAN": ("vgan", False, True),
    "TGAN": ("tgan", False, True),
    "MoCoGAN": ("mocogan", True, True),
    "MoCoGAN without video D": ("mocogan", True, False),
}


def build_generator(family: str, width: int = 32, size: int = 32, channels: int = 1) -> nn.Module:
    """A fresh generator of ``family`` (``frame``, ``vgan``, ``tgan`` or ``mocogan``), with the DCGAN
    initialisation. VGAN's 3-D stream gets ``width * 3 // 8`` channels (a 3-D kernel holds 4 times
    the weights of a 2-D one)."""
    kinds = {"frame": models.FrameIndependentGenerator, "tgan": models.TGANGenerator,
             "mocogan": models.MoCoGANGenerator, "vgan": models.VGANGenerator}
    if family not in kinds:
        raise ValueError(f"unknown generator family {family!r}; choose one of {sorted(kinds)}")
    G = kinds[family](width=max(1, width * 3 // 8) if family == "vgan" else width, channels=channels, n_frames=N_FRAMES,
                      size=size)
    G.apply(models.init_dcgan_weights)
    return G


def video_gan_step(nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer],
                   real_batch: Callable[[], torch.Tensor], cfg: SimpleNamespace):
    """One round of a video GAN, as a step function for :func:`vgan_course.train.train`.

    ``nets["G"]`` has ``sample_latents(batch)`` and makes clips ``(batch, time, c, h, w)``;
    ``real_batch()`` returns real clips of the same shape. An **image discriminator**
    ``nets["D_image"]`` judges ``cfg.frames_per_clip`` random frames of each clip (MoCoGAN's
    D_I); a **video discriminator** ``nets["D_video"]`` judges whole clips (D_V). Either or both.
    ``cfg.mask_weight > 0`` adds VGAN's sparsity penalty on the mask to G's loss.
    """
    G, D_image, D_video = nets["G"], nets.get("D_image"), nets.get("D_video")
    if D_image is None and D_video is None:
        raise ValueError("video_gan_step needs nets['D_image'], nets['D_video'], or both")

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        real = real_batch()
        logged: dict[str, torch.Tensor] = {}
        with ctx.autocast():
            fake = G(**G.sample_latents(len(real)))
        if D_image is not None:  # D_I: maximise log D_I(real frames) + log(1 - D_I(generated frames))
            with ctx.autocast():
                logged["loss/d_image"] = losses.discriminator_loss(
                    D_image(models.sample_frames(real, cfg.frames_per_clip)),
                    D_image(models.sample_frames(fake.detach(), cfg.frames_per_clip)))
            ctx.update(opts["D_image"], logged["loss/d_image"])
        if D_video is not None:  # D_V: the same game on whole clips
            with ctx.autocast():
                logged["loss/d_video"] = losses.discriminator_loss(D_video(real), D_video(fake.detach()))
            ctx.update(opts["D_video"], logged["loss/d_video"])
        with ctx.autocast():  # G: maximise log D(G(z)) for both, against their updated weights
            loss_g = torch.zeros((), device=ctx.device)
            if D_image is not None:
                loss_g = loss_g + losses.generator_loss_nonsaturating(
                    D_image(models.sample_frames(fake, cfg.frames_per_clip)))
            if D_video is not None:
                loss_g = loss_g + losses.generator_loss_nonsaturating(D_video(fake))
            if cfg.mask_weight:
                logged["loss/mask"] = G.last_mask.mean()
                loss_g = loss_g + cfg.mask_weight * logged["loss/mask"]
        ctx.update(opts["G"], loss_g)
        return {"loss/g": loss_g, **logged}

    return step


def frame_gan_step(nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer],
                   real_batch: Callable[[], torch.Tensor], cfg: SimpleNamespace):
    """The frame-independent baseline's step: lesson 01's image GAN step on ``cfg.frames_per_clip``
    random frames of each real clip (its image generator makes single frames)."""
    G = nets["G"]
    frames = lambda: models.sample_frames(real_batch(), cfg.frames_per_clip)  # noqa: E731
    one_frame = lambda z: G(z[:, None])[:, 0]  # noqa: E731  G.image(z) through G's own call, which DDP wraps
    return train.gan_step(one_frame, nets["D_image"], opts["G"], opts["D_image"], frames, G.z_dim)


SCENE_SPEED = (2.0, 3.0)  # pixels per frame at 32 x 32: fast enough that the still background shows through


def scene_clips(n: int, size: int = 32, generator: torch.Generator | None = None, split: str = "train") -> data.Clips:
    """VGAN's world: :func:`vgan_course.data.still_scene_clips` of 16 frames, the shape moving at
    ``SCENE_SPEED`` (scaled with the canvas); the clips carry the shape's ``foreground`` mask."""
    speed = tuple(v * size / 32 for v in SCENE_SPEED)
    return data.still_scene_clips(n, N_FRAMES, split, size, generator, speed=speed)


def _method(name: str) -> Method:
    family, image_d, video_d = DISCRIMINATORS[name]
    channels = 3 if family == "vgan" else 1

    def networks(cfg: SimpleNamespace) -> dict[str, nn.Module]:
        nets = {"G": build_generator(family, cfg.width, cfg.size, channels)}
        if image_d:
            nets["D_image"] = models.DCGANDiscriminator(channels, cfg.width, cfg.size)
            nets["D_image"].apply(models.init_dcgan_weights)
        if video_d:
            nets["D_video"] = models.VideoDiscriminator(channels, cfg.width, cfg.size)
        return nets

    def optimizers(nets: dict[str, nn.Module], cfg: SimpleNamespace) -> dict[str, torch.optim.Optimizer]:
        return {key: torch.optim.Adam(net.parameters(), lr=cfg.lr, betas=(0.5, 0.999)) for key, net in nets.items()}

    def batches(cfg: SimpleNamespace, generator: torch.Generator) -> Callable[[], torch.Tensor]:
        if family == "vgan":
            return lambda: scene_clips(cfg.batch, cfg.size, generator).video
        return lambda: data.digit_clips(cfg.batch, cfg.size, N_FRAMES, generator=generator)

    hyper = {"lr": 2e-4, "frames_per_clip": 4 if family == "frame" else 2,
             "mask_weight": 0.1 if family == "vgan" else 0.0}
    slug = name.lower().replace("without", "no").replace("-", "_").replace(" ", "_")
    return Method("03_temporal_generators", name, f"video_gan_{slug}", networks, optimizers, batches,
                  frame_gan_step if family == "frame" else video_gan_step, hyper, average_decay=0.99,
                  better=("mask_overlap", "higher") if family == "vgan" else ("clip_fd", "lower"),
                  sample=lambda G: models.sample_clips(G, 4, seed=0))


def vgan_scores(G: nn.Module, n: int = 256, seed: int = 0) -> dict[str, float]:
    """How well VGAN's mask covers what moves in its clips (:func:`vgan_course.metrics.mask_overlap`
    with :func:`vgan_course.metrics.moving_pixels`), the share of pixels its mask claims, how far
    apart the paths of two samples' masks run (mean distance of their centres, pixels), and the
    same three numbers for real clips with the world's own mask."""
    G.eval()
    with torch.no_grad():
        clips = G(**G.sample_latents(n, generator=torch.Generator(device=next(G.parameters()).device).manual_seed(seed)))
        mask = G.last_mask.float().cpu()
    real = scene_clips(n, clips.shape[-1], torch.Generator().manual_seed(40_000 + seed), split="test")
    return {"mask_overlap": metrics.mask_overlap(mask, metrics.moving_pixels(clips.float().cpu().clamp(-1, 1))),
            "mask_share": float((mask > 0.5).float().mean()), "path_spread": _path_spread(mask),
            "real_mask_overlap": metrics.mask_overlap(real.foreground, metrics.moving_pixels(real.video)),
            "real_mask_share": float((real.foreground > 0.5).float().mean()), "real_path_spread": _path_spread(real.foreground)}


def _path_spread(masks: torch.Tensor) -> float:
    """Mean distance in pixels between the paths of the masks' centres ``(n, T, 1, h, w)``, over pairs of clips."""
    paths = metrics.centroids(masks * 2 - 1)  # (n, T, 2)
    distance = (paths[:, None] - paths[None]).norm(dim=-1).mean(dim=-1)  # (n, n)
    return float(distance.sum() / (len(paths) * (len(paths) - 1)))


def shipping_scores(method: Method, G: nn.Module) -> dict[str, float]:
    """What the manifest records for a shipped generator: its row of the results table on 512 clips
    (for VGAN, :func:`vgan_scores`)."""
    if method.name == "VGAN":
        return vgan_scores(G)
    return score_clips(models.sample_clips(G, 512), real_reference())


def figure_rows() -> dict[str, torch.Tensor]:
    """Two real clips and two clips of each shipped generator, every other frame of 16."""
    from .training import load_shipped

    rows = {f"real #{i}": clip[::2] for i, clip in enumerate(data.digit_clips(2, generator=torch.Generator().manual_seed(0)))}
    for name, method in METHODS.items():
        if name == "VGAN":
            continue
        clips = models.sample_clips(load_shipped(method), 2, seed=0)
        rows |= {f"{name} #{i}": clip[::2] for i, clip in enumerate(clips)}
    rows |= {f"real scene #{i}": clip[::2] for i, clip in enumerate(scene_clips(2, generator=torch.Generator().manual_seed(0)).video)}
    G = load_shipped(METHODS["VGAN"])
    clips = models.sample_clips(G, 2, seed=0)
    for i, clip in enumerate(clips):
        rows[f"VGAN #{i}"], rows[f"VGAN #{i} mask"] = clip[::2], G.last_mask[i, ::2] * 2 - 1
    return rows


METHODS = {name: _method(name) for name in DISCRIMINATORS}
LESSON = Lesson(
    name="03_temporal_generators",
    methods=METHODS,
    settings={
        "smoke": dict(steps=dict.fromkeys(METHODS, 3), batch=4, n_eval=256, size=32, width=32),
        "cpu": dict(steps={"frame-independent": 1000, "VGAN": 500, "TGAN": 500, "MoCoGAN": 1000,
                           "MoCoGAN without video D": 500}, batch=16, n_eval=512, size=32, width=32),
        "gpu": dict(steps={"frame-independent": 3000, "VGAN": 2000, "TGAN": 2000, "MoCoGAN": 2000,
                           "MoCoGAN without video D": 2000}, batch=32, n_eval=1024, size=64, width=64),
        "ship": dict(steps={**dict.fromkeys(METHODS, 2000), "frame-independent": 4000}, batch=16, n_eval=512,
                     size=32, width=32),
    },
    architecture=("size", "width"),
    score=shipping_scores,
    figure_rows=figure_rows,
)
