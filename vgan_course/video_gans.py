"""The video GANs of lesson 03, built, trained, shipped and scored the same way.

Five models learn the same moving digits (one digit, 16 frames, 32 x 32, or 64 x 64 in the ``gpu``
profile); each is a generator of :mod:`vgan_course.models.video` and the discriminators it plays
against:

==========================  =========================================  ========  ========
name                        generator                                  image D   video D
==========================  =========================================  ========  ========
frame-independent           ``x_t = G(z_t)``, an image GAN on frames   yes       no
VGAN                        3-D foreground + mask over a 2-D backdrop  no        yes
TGAN                        a latent path from 1-D deconvolutions      no        yes
MoCoGAN                     content code + GRU motion codes            yes       yes
MoCoGAN without video D     the same generator                         yes       no
==========================  =========================================  ========  ========

:func:`train_video_gan` trains one from scratch (resuming from its checkpoint file);
:func:`load_or_train` loads the shipped generator when there is one ("train only if missing");
:func:`score_clips` measures any set of clips against a :class:`RealReference`;
:func:`content_motion_test` checks MoCoGAN's promise: content and motion vary separately.

The metric network sees 32 x 32 clips: 64 x 64 clips (real and generated alike) are averaged down
to 32 x 32 first (:func:`at_metric_resolution`), so every number is on the same scale.
"""

from __future__ import annotations

import copy
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from . import data, models, shipped, train
from .metrics import frechet_bootstrap, identity_consistency, motion_statistics, video_features
from .metrics.temporal import centroids
from .metrics.video import video_feature_net
from .profiles import seed_everything

N_FRAMES = 16
# name -> (generator family, trained against an image D, trained against a video D)
MODELS = {
    "frame-independent": ("frame", True, False),
    "VGAN": ("vgan", False, True),
    "TGAN": ("tgan", False, True),
    "MoCoGAN": ("mocogan", True, True),
    "MoCoGAN without video D": ("mocogan", True, False),
}
MASK_WEIGHT = 0.1  # VGAN's sparsity penalty on the foreground mask (lambda in Vondrick et al. 2016)
AVERAGE_DECAY = 0.99  # the generator kept is a moving average of G's weights (train.update_average)
FRAMES_PER_CLIP = 2  # frames of each clip that MoCoGAN's image discriminator sees


def _check_name(name: str) -> None:
    if name not in MODELS:
        raise ValueError(f"unknown video GAN {name!r}; choose one of {list(MODELS)}")


def build_generator(name: str, width: int = 32, size: int = 32) -> nn.Module:
    """A fresh generator for model ``name``, with the DCGAN initialisation on its 2-D layers.

    ``width`` is the base width of the 2-D image generators; VGAN's 3-D stream gets
    ``width * 3 // 8`` (a 3-D kernel holds 4 times the weights of a 2-D one), which keeps the
    five shipped generators under a few MB in all. ``size`` is 32 or 64 (frames ``size x size``).
    """
    _check_name(name)
    family = MODELS[name][0]
    if family == "frame":
        G = models.FrameIndependentGenerator(width=width, n_frames=N_FRAMES, size=size)
    elif family == "vgan":
        G = models.VGANGenerator(width=max(1, width * 3 // 8), n_frames=N_FRAMES, size=size)
    elif family == "tgan":
        G = models.TGANGenerator(width=width, n_frames=N_FRAMES, size=size)
    else:
        G = models.MoCoGANGenerator(width=width, n_frames=N_FRAMES, size=size)
    G.apply(models.init_dcgan_weights)
    return G


def real_clips(n: int, generator: torch.Generator | None = None, device: torch.device | str | None = None,
               size: int = 32) -> torch.Tensor:
    """``n`` real clips ``(n, 16, 1, size, size)``: one moving digit each (the training digits).

    Speeds scale with the canvas (1 to 2.5 pixels per frame at 32 x 32), so a 64 x 64 clip
    averaged down to 32 x 32 looks like a 32 x 32 one.
    """
    scale = size / 32
    return data.moving_digits(n, N_FRAMES, size, 1, speed=(1.0 * scale, 2.5 * scale), split="train",
                              generator=generator, device=device).video


def at_metric_resolution(clips: torch.Tensor) -> torch.Tensor:
    """Clips ``(n, time, c, s, s)`` with ``s`` a multiple of 32 -> ``(n, time, c, 32, 32)``, by
    averaging ``s/32 x s/32`` blocks of pixels: the metric network's input size."""
    size = clips.shape[-1]
    if clips.dim() != 5 or clips.shape[-2] != size or size % 32:
        raise ValueError(f"clips must be (n, time, c, s, s) with s a multiple of 32, got {tuple(clips.shape)}")
    if size == 32:
        return clips
    return F.avg_pool2d(clips.flatten(0, 1), size // 32).unflatten(0, clips.shape[:2])


@dataclass
class TrainedVideoGAN:
    name: str
    G: nn.Module
    history: train.History | None  # None when loaded from the shipped checkpoint
    source: str  # "shipped" or "trained"


def train_video_gan(name: str, *, steps: int, seed: int = 0, batch: int = 16, width: int = 32, size: int = 32, lr: float = 2e-4,
                    checkpoint: str | os.PathLike | None = None, max_seconds: float | None = None,
                    device: torch.device | str = "cpu", progress: bool = False) -> TrainedVideoGAN:
    """Train model ``name`` for ``steps`` steps on fresh real clips each step (``batch`` clips).

    Every model uses Adam(lr, betas (0.5, 0.999)) and the non-saturating loss. The
    frame-independent baseline is an image GAN: its D sees ``batch * 4`` single frames a step.
    The generator returned is the moving average of G's weights over about the last 100 steps
    (``AVERAGE_DECAY``): GAN training swings from step to step, and a short run ends wherever
    the swing left it; the average is a steadier summary of the same run.
    ``size`` 32 or 64 sets the frame size of the clips, the generator and the discriminators.
    ``checkpoint`` makes the run resumable (:func:`vgan_course.train.train`).
    """
    _check_name(name)
    seed_everything(seed)
    family, use_image_d, use_video_d = MODELS[name]
    G = build_generator(name, width, size).to(device)
    nets = {"G": G}
    if use_image_d:
        nets["D_image"] = models.DCGANDiscriminator(1, width, size).to(device)
        nets["D_image"].apply(models.init_dcgan_weights)
    if use_video_d:
        nets["D_video"] = models.VideoDiscriminator(1, width, size).to(device)
    opts = {key: torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999)) for key, net in nets.items()}
    if family == "frame":  # an image GAN on the frames of real clips: 4 random frames of each
        frames = (lambda: models.sample_frames(real_clips(batch, device=device, size=size), 4))
        step = train.gan_step(G.image, nets["D_image"], opts["G"], opts["D_image"], frames, G.z_dim)
    else:
        step = train.video_gan_step(G, opts["G"], lambda: real_clips(batch, device=device, size=size),
                                    nets.get("D_image"), opts.get("D_image"), nets.get("D_video"), opts.get("D_video"),
                                    frames_per_clip=FRAMES_PER_CLIP, mask_weight=MASK_WEIGHT if family == "vgan" else 0.0)
    nets["G_average"] = G_average = copy.deepcopy(G)  # no optimizer: it follows G; checkpointed with the rest

    def step_and_average(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        logged = step(ctx)
        train.update_average(G_average, G, AVERAGE_DECAY)
        return logged

    history = train.train(step_and_average, nets, opts, steps=steps, max_seconds=max_seconds, checkpoint=checkpoint,
                          checkpoint_every=200, log_every=20, progress=progress)
    return TrainedVideoGAN(name, G_average.eval(), history, "trained")


def shipped_name(name: str) -> str:
    """The shipped checkpoint's name for model ``name``, e.g. ``"video_gan_mocogan_no_video_d"``."""
    _check_name(name)
    return "video_gan_" + name.lower().replace("without", "no").replace("-", "_").replace(" ", "_")


def load_shipped(name: str) -> nn.Module:
    """The shipped generator of model ``name`` (width 32, 32 x 32; SHA-256 checked), in eval mode on the CPU."""
    G = build_generator(name)
    G.load_state_dict(shipped.load_state(shipped_name(name)))
    return G.eval()


def load_or_train(name: str, *, retrain: bool = False, run_dir: str | os.PathLike, **train_kwargs) -> TrainedVideoGAN:
    """Train only if missing: the shipped generator unless ``retrain`` (or none is shipped, or
    ``size`` or ``width`` is not the shipped 32); else :func:`train_video_gan`, resumable from
    ``run_dir/<name>.pt``."""
    shipped_shape = train_kwargs.get("size", 32) == 32 and train_kwargs.get("width", 32) == 32
    if not retrain and shipped_shape and shipped_name(name) in shipped.read_manifest():
        return TrainedVideoGAN(name, load_shipped(name), None, "shipped")
    checkpoint = Path(run_dir) / f"{shipped_name(name)}.pt"
    return train_video_gan(name, checkpoint=checkpoint, **train_kwargs)


@torch.no_grad()
def sample_clips(G: nn.Module, n: int, seed: int = 0, batch: int = 64) -> torch.Tensor:
    """``n`` clips ``(n, 16, c, size, size)`` from ``G`` in eval mode, on the CPU, from a seeded generator."""
    G.eval()
    rng = torch.Generator(device=next(G.parameters()).device).manual_seed(seed)
    clips = [G(**G.sample_latents(min(batch, n - start), generator=rng)).float().cpu() for start in range(0, n, batch)]
    return torch.cat(clips).clamp(-1, 1)


@dataclass
class RealReference:
    """Real clips and their features, computed once, to score every model against."""

    clips: torch.Tensor  # (n, 16, 1, size, size)
    clip_features: torch.Tensor  # (n, 64 + 32)
    frame_features: torch.Tensor  # (n * 16, 64)


def real_reference(n: int = 512, seed: int = 10_000, size: int = 32) -> RealReference:
    """``n`` real clips of ``size x size`` drawn with ``seed``, and their features (at 32 x 32)."""
    clips = real_clips(n, generator=torch.Generator().manual_seed(seed), size=size)
    features = video_features(at_metric_resolution(clips))
    return RealReference(clips, features["clip"], features["frame"])


def score_clips(clips: torch.Tensor, reference: RealReference, rounds: int = 20) -> dict[str, float]:
    """One row of lesson 03's results table for ``clips (n, 16, 1, s, s)``, scored at 32 x 32.

    clip FD and frame FD (with 5-95 % bootstrap bounds), identity consistency (share of frames
    whose predicted class is the clip's majority), mean speed and roughness of the ink's motion.
    """
    clips = at_metric_resolution(clips)
    features = video_features(clips)
    clip = frechet_bootstrap(reference.clip_features, features["clip"], rounds)
    frame = frechet_bootstrap(reference.frame_features, features["frame"], rounds)
    motion = motion_statistics(clips)
    return {"clip_fd": clip.value, "clip_fd_low": clip.low, "clip_fd_high": clip.high,
            "frame_fd": frame.value, "frame_fd_low": frame.low, "frame_fd_high": frame.high,
            "identity": identity_consistency(clips), "speed": motion.speed, "roughness": motion.roughness}


def format_results(rows: dict[str, dict[str, float]]) -> str:
    """Rows of :func:`score_clips`, by name, as a fixed-width text table."""
    lines = [f"{'clips':<28}{'clip FD [90% interval]':>28}{'frame FD':>10}{'identity':>10}{'speed':>8}{'roughness':>11}"]
    for name, r in rows.items():
        lines.append(f"{name:<28}{r['clip_fd']:>10.1f} [{r['clip_fd_low']:7.1f}, {r['clip_fd_high']:7.1f}]"
                     f"{r['frame_fd']:>10.1f}{r['identity']:>10.2f}{r['speed']:>8.2f}{r['roughness']:>11.2f}")
    return "\n".join(lines)


@dataclass
class ContentMotionTest:
    """How MoCoGAN's clips change when only the content or only the motion is resampled.

    ``identity_*``: share of clips whose predicted digit equals the majority within their group;
    ``path_*``: mean distance in pixels (at 32 x 32) between the ink's centre-of-mass paths within a group;
    ``velocity_*``: the same for the per-frame displacements (the motion itself).
    """

    identity_same_content: float  # groups of clips sharing content, motion resampled
    identity_same_motion: float  # groups sharing motion, content resampled
    path_same_content: float
    path_same_motion: float
    velocity_same_content: float
    velocity_same_motion: float
    clips: torch.Tensor  # (n_content, n_motion, 16, c, size, size)


@torch.no_grad()
def content_motion_test(G: models.MoCoGANGenerator, n_content: int = 16, n_motion: int = 16, seed: int = 0) -> ContentMotionTest:
    """Generate every pairing of ``n_content`` content codes and ``n_motion`` motion-noise sequences."""
    if not isinstance(G, models.MoCoGANGenerator):
        raise ValueError(f"content_motion_test needs a MoCoGANGenerator, got {type(G).__name__}")
    G.eval()
    rng = torch.Generator().manual_seed(seed)
    content = torch.randn(n_content, G.content_dim, generator=rng)
    motion = torch.randn(n_motion, N_FRAMES, G.motion_dim, generator=rng)
    device = next(G.parameters()).device
    clips = G(content.repeat_interleave(n_motion, 0).to(device), motion.repeat(n_content, 1, 1).to(device))
    clips = clips.float().cpu().clamp(-1, 1)  # row i * n_motion + j: content i, motion j
    small = at_metric_resolution(clips)
    logits = video_feature_net()(small)["clip_logits"].view(n_content, n_motion, -1)
    label = logits.argmax(dim=2)  # (content, motion)
    paths = centroids(small).view(n_content, n_motion, N_FRAMES, 2)
    velocity = paths[:, :, 1:] - paths[:, :, :-1]

    def agreement(labels: torch.Tensor) -> float:  # rows are groups
        return float((labels == labels.mode(dim=1).values[:, None]).float().mean())

    def spread(x: torch.Tensor) -> float:  # rows are groups: mean distance between members, per frame
        distance = (x[:, :, None] - x[:, None, :]).norm(dim=-1).mean(dim=-1)  # (groups, m, m)
        m = x.shape[1]
        return float(distance.sum(dim=(1, 2)).mean() / (m * (m - 1)))

    return ContentMotionTest(agreement(label), agreement(label.T), spread(paths), spread(paths.transpose(0, 1)),
                             spread(velocity), spread(velocity.transpose(0, 1)),
                             clips.view(n_content, n_motion, *clips.shape[1:]))


SHIPPED_STEPS = {"frame-independent": 4000, "VGAN": 2000, "TGAN": 2000, "MoCoGAN": 2000, "MoCoGAN without video D": 2000}


def train_for_shipping(name: str, steps: int, seed: int = 0, eval_every: int = 500) -> tuple[dict, dict]:
    """``vgan-course train-checkpoints video_gan_...``: train longer, score along the way, round to fp16.

    Trains in chunks of ``eval_every`` steps (resuming from a checkpoint, so the run is the same
    as one long run) and prints the clip and frame FD on 256 clips after each chunk: the
    learning curve goes into the manifest. Returns the state dict in fp16 (half the bytes;
    loading casts it back to fp32) and what it measured on 512 clips with the fp16 weights.
    """
    start = time.perf_counter()
    reference = real_reference(256, seed=30_000)
    curve = []
    with tempfile.TemporaryDirectory() as work:
        for done in range(min(eval_every, steps), steps + 1, eval_every):
            trained = train_video_gan(name, steps=done, seed=seed, checkpoint=Path(work) / "run.pt")
            row = score_clips(sample_clips(trained.G, 256), reference, rounds=2)
            curve.append([done, round(row["clip_fd"], 1), round(row["frame_fd"], 1)])
            extra = ""
            if isinstance(trained.G, models.MoCoGANGenerator):
                test = content_motion_test(trained.G, 8, 8)
                extra = (f", identity same content {test.identity_same_content:.2f} / same motion "
                         f"{test.identity_same_motion:.2f}, velocity difference same motion / same content "
                         f"{test.velocity_same_motion / max(test.velocity_same_content, 1e-6):.2f}")
            print(f"{name}: step {done}, clip FD {row['clip_fd']:.1f}, frame FD {row['frame_fd']:.1f}, identity "
                  f"{row['identity']:.2f}, speed {row['speed']:.2f}, roughness {row['roughness']:.2f}{extra}, "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in trained.G.state_dict().items()}
    trained.G.load_state_dict(state)  # score what ships
    row = score_clips(sample_clips(trained.G, 512), real_reference())
    measured = {"steps": steps, "seconds": round(time.perf_counter() - start, 1),
                **{k: round(v, 4) for k, v in row.items()}, "curve_step_clip_fd_frame_fd_256": curve}
    return state, measured
