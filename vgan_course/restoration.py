"""Video restoration and super-resolution (lesson 05): the world, the methods, training and scores.

==============================  ======================================================================
method                          generator and loss
==============================  ======================================================================
single-frame L1                 :class:`~vgan_course.models.RestorationNet` on one frame, L1 (SRResNet)
multi-frame L1                  the same on ``MULTI_FRAMES`` neighbouring frames, L1
recurrent L1                    :class:`~vgan_course.models.RecurrentRestorer` along the clip, L1 (FRVSR)
single-frame adversarial        single-frame net, L1 + feature loss + adversarial term (SRGAN, Ledig 2017)
recurrent adversarial           :class:`~vgan_course.models.RecurrentRestorer` along the clip, L1 + feature
                                loss + the frame discriminator (every frame judged alone)
recurrent + temporal D          the same with TecoGAN's triplet discriminator (Chu 2020) in place of the
                                frame one: three consecutive frames, lined up by the flow, judged together
==============================  ======================================================================

Bicubic up-sampling (:func:`vgan_course.models.bicubic`) is the baseline that needs no training.

**The world.** A camera on a tripod: a coloured shape moves across a *still* picture (a crop of
real street footage, dimmed), 32 x 32. It is blurred, halved to 16 x 16 and drowned in noise
(``DEGRADATION``); the task is to give back the clean 32 x 32 clip. The still background is where
neighbouring frames help: they show the same pixels under fresh noise.

**Training** runs in two stages, as in lesson 04: a single-frame L1 network is trained first (the
*start*, :func:`train_start`); then every method trains on from it for the same number of steps.
The multi-frame and recurrent networks start from it too, *inflated*
(:func:`vgan_course.models.inflate_single_frame`): at their first step they compute exactly what
the start does, so what they gain is what the extra frames give.

Each step takes ``batch_fn()`` -> ``{"low": (n, T, c, h, w), "high": (n, T, c, f*h, f*w)}``: degraded
clips and their clean originals, in [-1, 1]. Window methods restore the centre frame of each clip;
the recurrent ones run along the whole clip (and back, for a method with ``ping_pong``).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from . import data, losses, metrics, models, shipped, train
from .profiles import seed_everything

# --- the world --------------------------------------------------------------------------------

SIZE, FACTOR = 32, 2  # clean clips are 32 x 32; the degraded ones 16 x 16
NOISE = 0.2  # standard deviation of the noise, in the [-1, 1] range
DEGRADATION = (data.Degradation("blur", {"sigma": 1.0}), data.Degradation("downsample", {"factor": FACTOR}),
               data.Degradation("noise", {"sigma": NOISE}))
BACKGROUND_VIDEO, BACKGROUND_TRAIN_FRAMES = "bikes", 200  # backgrounds: frames 0..199 train, the rest test


@lru_cache(maxsize=2)
def backgrounds(split: str = "train") -> torch.Tensor:
    """Still pictures to film: frames of the bikes clip, 64 x 64, dimmed to [-0.8, 0.2] so the shapes
    stand out. ``(N, 3, 64, 64)``; ``split`` "train" (frames 0..199) or "test" (the rest)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    frames = data.read_video(data.sample_video(BACKGROUND_VIDEO), size=64, square=True)
    frames = frames[:BACKGROUND_TRAIN_FRAMES] if split == "train" else frames[BACKGROUND_TRAIN_FRAMES:]
    return 0.5 * frames - 0.3


def still_scene_clips(n: int, n_frames: int, split: str = "train",
                      generator: torch.Generator | None = None) -> data.Clips:
    """``n`` clean clips ``(n, n_frames, 3, 32, 32)``: one moving shape over a random 32 x 32 crop of a
    random background picture, with the exact flow (0 on the background)."""
    pictures = backgrounds(split)
    which = torch.randint(len(pictures), (n,), generator=generator)
    y, x = torch.randint(64 - SIZE + 1, (2, n), generator=generator)
    crops = torch.stack([pictures[i, :, a: a + SIZE, b: b + SIZE] for i, a, b in zip(which, y, x)])
    return data.moving_shapes(n, n_frames, SIZE, 1, background=crops, generator=generator)


def degrade(clean: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """``DEGRADATION`` of clean clips ``(n, T, 3, 32, 32)`` -> ``(n, T, 3, 16, 16)``, fresh noise from ``generator``."""
    seed = int(torch.randint(2**31 - 1, (1,), generator=generator))
    return data.degrade(clean, DEGRADATION, seed=seed)


def low_resolution_flow(flow: torch.Tensor, factor: int = FACTOR) -> torch.Tensor:
    """A flow field ``(n, T, 2, H, W)`` at ``1 / factor`` of the size: averaged over ``factor`` squares, in low-res pixels."""
    small = torch.nn.functional.avg_pool2d(flow.flatten(0, 1), factor) / factor
    return small.unflatten(0, flow.shape[:2])


def _world_clips(n: int, n_frames: int, split: str, generator: torch.Generator | None) -> dict[str, torch.Tensor]:
    clips = still_scene_clips(n, n_frames, split, generator)
    return {"low": degrade(clips.video, generator), "high": clips.video, "flow": clips.flow,
            "low_flow": low_resolution_flow(clips.flow), "low_flow_back": low_resolution_flow(clips.backward_flow)}


def synthetic_batch(n: int, n_frames: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """A training batch of the world: ``low (n, T, 3, 16, 16)``, ``high (n, T, 3, 32, 32)``, the clean
    clips' exact ``flow (n, T-1, 2, 32, 32)`` and, at 16 x 16, ``low_flow`` forward (frame ``t`` to
    ``t + 1``) and ``low_flow_back`` (frame ``t + 1`` back to ``t``), for the recurrent net."""
    return _world_clips(n, n_frames, "train", generator)


def test_set(n: int = 64, n_frames: int = 8, seed: int = 999) -> dict[str, torch.Tensor]:
    """Held-out clips (test backgrounds, fixed seed), as :func:`synthetic_batch`."""
    return _world_clips(n, n_frames, "test", torch.Generator().manual_seed(seed))


# --- the methods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    """``frames``: how many frames a window network sees (``None``: the recurrent network);
    ``discriminator``: ``None``, ``"frame"`` (a patch D on single frames) or ``"triplet"`` (TecoGAN's);
    ``ping_pong``: train along ping-pong sequences with the ping-pong loss."""

    frames: int | None
    discriminator: str | None = None
    ping_pong: bool = False


MULTI_FRAMES = 3
METHODS = {
    "single-frame L1": Method(1),
    "multi-frame L1": Method(MULTI_FRAMES),
    "recurrent L1": Method(None),
    "single-frame adversarial": Method(1, "frame"),
    "recurrent adversarial": Method(None, "frame"),
    "recurrent + temporal D": Method(None, "triplet"),  # TecoGAN's D; without its ping-pong loss (see lesson 05)
}
ADVERSARIAL_WEIGHT = 1e-2  # weight of either D's term next to L1 (SRGAN: 1e-3 next to its content loss)
FEATURE_WEIGHT = 1.0  # weight of the feature loss of the adversarial methods
PING_PONG_WEIGHT = 1.0  # for a method with ``ping_pong=True`` (lesson 05, exercise 5)
CLIP_FRAMES = {"window": MULTI_FRAMES, "recurrent": 4}  # frames per training clip


def adversarial_weight(method: str) -> float:
    """The weight of ``method``'s adversarial term: 0 without a discriminator, else ``ADVERSARIAL_WEIGHT``."""
    return 0.0 if _method(method).discriminator is None else ADVERSARIAL_WEIGHT


def clip_frames(method: str) -> int:
    """Frames per training clip: the multi-frame window (or a wider net's own), or a longer clip for the
    recurrent net. The single- and multi-frame nets draw the same clips, so they see the same data."""
    frames = _method(method).frames
    return CLIP_FRAMES["recurrent"] if frames is None else max(frames, CLIP_FRAMES["window"])


def _method(name: str) -> Method:
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {list(METHODS)}")
    return METHODS[name]


def build_networks(method: str, channels: int = 3, factor: int = FACTOR, width: int = 32) -> dict[str, nn.Module]:
    """``G`` (and ``D`` for the adversarial methods: a patch discriminator on frames, or TecoGAN's
    triplet discriminator)."""
    spec = _method(method)
    nets: dict[str, nn.Module] = {"G": models.RecurrentRestorer(channels, factor, width) if spec.frames is None
                                  else models.RestorationNet(channels, spec.frames, factor, width)}
    if spec.discriminator == "frame":
        nets["D"] = models.PatchDiscriminator(channels, width)
    elif spec.discriminator == "triplet":
        nets["D"] = models.TripletDiscriminator(channels, width)
    return nets


@lru_cache(maxsize=1)
def _feature_layers() -> nn.Module:
    """The first two convolutions of the course's video feature network (lesson 03), frozen."""
    trunk = copy.deepcopy(metrics.video_feature_net().frame_trunk[:4])
    return trunk.requires_grad_(False).eval()


def course_features(frames: torch.Tensor) -> torch.Tensor:
    """Feature maps ``(n, 32, h/4, w/4)`` of frames ``(n, 1 or 3, h, w)``, for the feature loss.

    SRGAN compares VGG features of the output and the truth; VGG's weights cannot be downloaded
    here, so the course uses the first layers of its own feature network (trained on its clips in
    lesson 03). Gradients flow to ``frames``, not to the network."""
    layers = _feature_layers().to(frames.device)
    return layers(frames.expand(-1, 3, -1, -1) if frames.shape[1] == 1 else frames)


def recurrent_flows(batch: dict[str, torch.Tensor], ping_pong: bool = False):
    """What :func:`vgan_course.models.restore_recurrent` warps with: the world's exact low-resolution
    flow from frame ``t`` back to ``t - 1`` when ``batch`` has it (along the ping-pong sequence:
    back, then forward), else Farneback estimates (real footage)."""
    if "low_flow_back" not in batch:
        return data.estimate_flow
    if not ping_pong:
        return batch["low_flow_back"]
    return torch.cat([batch["low_flow_back"], batch["low_flow"].flip(1)], dim=1)


def aligned_triplets(clips: torch.Tensor, flows_back: torch.Tensor) -> torch.Tensor:
    """Every run of 3 consecutive frames of ``clips (n, T, c, h, w)``, the first two warped onto the
    third along ``flows_back (n, T-1, 2, h, w)`` (entry ``t - 1``: from frame ``t`` back to ``t - 1``)
    -> ``(n * (T - 2), 3, c, h, w)``.

    What TecoGAN's spatio-temporal discriminator sees (Chu et al. 2020 give it the triplets both as
    they are and lined up by the flow; this one sees them lined up): where the flow is right, the
    three frames of a real clip agree, so detail that appears and vanishes stands out."""
    steps = []
    for t in range(2, clips.shape[1]):
        to_t, to_t_minus_1 = flows_back[:, t - 1], flows_back[:, t - 2]
        first = data.warp(data.warp(clips[:, t - 2], to_t_minus_1), to_t)
        steps.append(torch.stack([first, data.warp(clips[:, t - 1], to_t), clips[:, t]], dim=1))
    return torch.stack(steps, dim=1).flatten(0, 1)


def run_generator(method: str, G: nn.Module, low: torch.Tensor, flows=data.estimate_flow) -> torch.Tensor:
    """Restore every frame of ``low (n, T, c, h, w)`` with ``method``'s generator -> ``(n, T, c, f*h, f*w)``;
    ``flows`` as :func:`vgan_course.models.restore_recurrent` (used by the recurrent method only)."""
    if _method(method).frames is None:
        return models.restore_recurrent(G, low, flows)
    return models.restore_clip(G, low)


def restoration_step(method: str, nets: dict[str, nn.Module], opt_g: torch.optim.Optimizer,
                     opt_d: torch.optim.Optimizer | None, batch_fn) -> callable:
    """One round of ``method`` as a step function for :func:`vgan_course.train.train`."""
    spec = _method(method)
    G, D = nets["G"], nets.get("D")

    def judge(clips: torch.Tensor, flows: torch.Tensor | None = None) -> torch.Tensor:  # D's logits on (n, T, c, h, w)
        if spec.discriminator == "triplet":  # every run of 3 consecutive frames, lined up by the flow
            return D(aligned_triplets(clips, flows)).flatten()
        return D(clips.flatten(0, 1)).flatten()  # every patch of every frame

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        batch = batch_fn()
        low, high = batch["low"], batch["high"]
        with ctx.autocast():
            if spec.frames is None:  # recurrent: along the clip (and back, with ping-pong)
                flows = recurrent_flows(batch, spec.ping_pong)
                if spec.ping_pong:
                    low, high = losses.ping_pong_sequence(low), losses.ping_pong_sequence(high)
                if callable(flows):  # estimate once, for the generator and the discriminator
                    flows = torch.stack([flows(low[:, t], low[:, t - 1]) for t in range(1, low.shape[1])], dim=1)
                out = models.restore_recurrent(G, low, flows)
                big_flows = models.upsample_flow(flows, out.shape[-1] // low.shape[-1])
            else:  # a window around the centre frame -> the centre frame, (n, 1, c, H, W)
                big_flows = None
                centre, half = low.shape[1] // 2, spec.frames // 2
                out = G(low[:, centre - half: centre + half + 1])[:, None]
                high = high[:, centre: centre + 1]
            adversarial = spec.discriminator is not None
            loss_g = losses.adversarial_restoration_loss(
                out.flatten(0, 1), high.flatten(0, 1), judge(out, big_flows) if adversarial else torch.zeros(1),
                adversarial_weight(method),
                feature_fn=course_features if adversarial else None, feature_weight=FEATURE_WEIGHT)
            logged = {"loss/l1": (out - high).abs().mean()}
            if spec.ping_pong:
                ping_pong = losses.ping_pong_loss(out)
                loss_g = loss_g + PING_PONG_WEIGHT * ping_pong
                logged["loss/ping_pong"] = ping_pong
        ctx.update(opt_g, loss_g)
        if adversarial:
            with ctx.autocast():
                loss_d = losses.discriminator_loss(judge(high, big_flows), judge(out.detach(), big_flows))
            ctx.update(opt_d, loss_d)
            logged["loss/d"] = loss_d
        return {"loss/g": loss_g, **logged}

    return step


# --- training ---------------------------------------------------------------------------------


@dataclass
class TrainedRestorer:
    method: str
    G: nn.Module  # in eval mode
    history: train.History | None  # None when loaded from a shipped checkpoint
    source: str  # "shipped" or "trained"


def train_restoration(method: str, *, steps: int, seed: int = 0, batch: int = 16, width: int = 32, lr: float = 2e-4,
                      channels: int = 3, factor: int = FACTOR, batch_fn=None,
                      start_from: str | os.PathLike | None = None, checkpoint: str | os.PathLike | None = None,
                      max_seconds: float | None = None, device: torch.device | str = "cpu",
                      progress: bool = False) -> TrainedRestorer:
    """Train ``method`` for ``steps`` steps; Adam(lr) for G (betas 0.9, 0.99) and D (0.5, 0.999).

    ``start_from``: a checkpoint of :func:`train_start`; its single-frame generator is the starting
    point (inflated for the multi-frame and recurrent nets); discriminators start fresh. ``batch_fn()``
    gives each step's clips (moved to ``device`` here); by default :func:`synthetic_batch` (``batch``
    clips of :func:`clip_frames` frames). ``checkpoint`` makes the run resumable (:func:`vgan_course.train.train`).
    """
    seed_everything(seed)
    nets = {k: net.to(device) for k, net in build_networks(method, channels, factor, width).items()}
    if start_from is not None and (checkpoint is None or not Path(checkpoint).exists()):
        single = models.RestorationNet(channels, 1, factor, width)
        train.load_models(start_from, {"G": single})
        models.inflate_single_frame(nets["G"], single.state_dict())
    opts = {"G": torch.optim.Adam(nets["G"].parameters(), lr, betas=(0.9, 0.99))}
    if "D" in nets:
        opts["D"] = torch.optim.Adam(nets["D"].parameters(), lr, betas=(0.5, 0.999))
    if batch_fn is None:
        rng = torch.Generator().manual_seed(seed + (0 if start_from is None else 1))
        n_frames = clip_frames(method)
        batch_fn = lambda: synthetic_batch(batch, n_frames, rng)  # noqa: E731
    on_device = lambda: {k: v.to(device) for k, v in batch_fn().items()}  # noqa: E731  (clips are made on the CPU)
    step = restoration_step(method, nets, opts["G"], opts.get("D"), on_device)
    history = train.train(step, nets, opts, steps=steps, max_seconds=max_seconds, checkpoint=checkpoint,
                          checkpoint_every=200, log_every=20, progress=progress)
    return TrainedRestorer(method, nets["G"].eval(), history, "trained")


def train_start(checkpoint: str | os.PathLike, *, steps: int, **kwargs) -> Path:
    """Stage 1: the single-frame L1 network every method starts from, to ``checkpoint`` (resumable:
    a finished start is not trained again). ``kwargs`` as :func:`train_restoration`; returns the path."""
    train_restoration("single-frame L1", steps=steps, checkpoint=checkpoint, **kwargs)
    return Path(checkpoint)


# --- scores -----------------------------------------------------------------------------------


@torch.no_grad()
def restore(method: str, G: nn.Module, low: torch.Tensor, low_flow_back: torch.Tensor | None = None,
            batch: int = 64) -> torch.Tensor:
    """``method``'s restoration of clips ``low (n, T, c, h, w)``, in eval mode, ``batch`` clips at a time.
    The recurrent method warps with ``low_flow_back`` (:func:`synthetic_batch`'s) if given, else Farneback's."""
    G.eval()
    device = next(G.parameters()).device
    flows = lambda i: data.estimate_flow if low_flow_back is None else low_flow_back[i: i + batch].to(device)  # noqa: E731
    return torch.cat([run_generator(method, G, low[i: i + batch].to(device), flows(i)).float().cpu()
                      for i in range(0, len(low), batch)])


def tiles(clips: torch.Tensor, size: int = SIZE) -> torch.Tensor:
    """Cut every frame of ``clips (n, T, c, h, w)`` into non-overlapping ``size`` squares ->
    ``(n * tiles, T, c, size, size)`` (what is left at the right and bottom edges is dropped)."""
    n, T, c, h, w = clips.shape
    rows, cols = h // size, w // size
    if rows == 0 or cols == 0:
        raise ValueError(f"frames of {h} x {w} are smaller than one {size} x {size} tile")
    cut = clips[..., : rows * size, : cols * size].unflatten(3, (rows, size)).unflatten(5, (cols, size))
    return cut.permute(0, 3, 5, 1, 2, 4, 6).reshape(n * rows * cols, T, c, size, size)


def feature_distance(outputs: torch.Tensor, reference: torch.Tensor) -> float:
    """How far the *distribution* of the outputs' frames is from the reference's: the Fréchet distance
    between the course's frame features (lesson 03's network, on 32 x 32 tiles) of the two sets.
    Blind to which output goes with which reference frame; 0 for identical distributions."""
    features = lambda clips: metrics.video_features(tiles(clips))["frame"]  # noqa: E731
    return metrics.frechet_distance(features(reference), features(outputs))


def evaluate(outputs: torch.Tensor, clean: torch.Tensor, flow: torch.Tensor | None = None) -> dict[str, float]:
    """Score restored clips ``outputs`` against the ``clean`` ones ``(n, T, c, H, W)``: PSNR, SSIM, the
    feature distance, tOF (how differently from the truth they move) and, given the clean clips'
    exact ``flow``, the warping error (flicker)."""
    if outputs.shape != clean.shape:
        raise ValueError(f"outputs must have the clean clips' shape {tuple(clean.shape)}, got {tuple(outputs.shape)}")
    scores = {"psnr": metrics.psnr(outputs, clean), "ssim": metrics.ssim(outputs, clean),
              "feature_distance": feature_distance(outputs, clean), "tof": metrics.tof(outputs, clean)}
    if flow is not None:
        scores["warping_error"] = metrics.warping_error(outputs, flow)
    return scores


def format_results(rows: dict[str, dict[str, float]]) -> str:
    """The results table as aligned text: one row per method, :func:`evaluate`'s columns (blank where
    a row has no value, e.g. the warping error of carphone, whose true flow is unknown)."""
    columns = {"psnr": ("PSNR dB", "{:8.2f}"), "ssim": ("SSIM", "{:6.3f}"), "feature_distance": ("feat. dist", "{:10.2f}"),
               "tof": ("tOF px", "{:7.3f}"), "warping_error": ("warp err", "{:9.4f}")}
    shown = {k: v for k, v in columns.items() if any(k in r for r in rows.values())}
    widths = {k: len(fmt.format(0.0)) for k, (_, fmt) in shown.items()}
    lines = [f"{'':26s}" + "".join(f" {title:>{widths[k]}s}" for k, (title, _) in shown.items())]
    for name, r in rows.items():
        cells = [fmt.format(r[k]) if k in r else " " * widths[k] for k, (_, fmt) in shown.items()]
        lines.append(f"{name:26s} " + " ".join(cells))
    return "\n".join(lines)


# --- the real carphone pair -----------------------------------------------------------------

CARPHONE_PATCH = 32
CARPHONE_METHODS = ("single-frame L1", "multi-frame L1", "single-frame adversarial")  # factor 1: undo codec damage


@lru_cache(maxsize=2)
def carphone(split: str = "train") -> data.VideoPair:
    """:func:`vgan_course.data.carphone_pair`, read once."""
    return data.carphone_pair(split)


def carphone_batch(pair: data.VideoPair, n: int, n_frames: int,
                   generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Aligned ``CARPHONE_PATCH`` crops of ``n_frames`` consecutive frames of the real pair (no flow:
    the recurrent net would estimate it): ``{"low": damaged, "high": pristine}``, ``(n, T, 3, 32, 32)``."""
    return data.random_patch_clips(pair, n, n_frames, CARPHONE_PATCH, generator)


def carphone_kwargs(method: str, seed: int = 0, batch: int = 16) -> dict:
    """:func:`train_restoration` arguments for the carphone pair: factor 1, training patches of frames 0..79."""
    pair, rng = carphone("train"), torch.Generator().manual_seed(seed)
    n_frames = clip_frames(method)
    return {"factor": 1, "batch_fn": lambda: carphone_batch(pair, batch, n_frames, rng)}


# --- shipped checkpoints, training on demand ------------------------------------------------

START_STEPS, SHIPPED_STEPS = 3000, 1500  # `vgan-course train-checkpoints restore_...`: the start, then each method


def shipped_name(method: str, carphone: bool = False) -> str:
    """The shipped generator of ``method``, e.g. ``"restore_multi_frame_l1"`` or ``"carphone_multi_frame_l1"``."""
    _method(method)
    short = method.replace(" + ", " ").replace("-", "_").replace(" ", "_").lower()
    return ("carphone_" if carphone else "restore_") + short


def _generator(method: str, factor: int, width: int = 32) -> nn.Module:
    return build_networks(method, 3, factor, width)["G"]


def load_or_train(method: str, *, retrain: bool = False, carphone: bool = False, run_dir: str | os.PathLike,
                  start_steps: int, steps: int, seed: int = 0, batch: int = 16,
                  device: torch.device | str = "cpu") -> TrainedRestorer:
    """The shipped generator of ``method`` unless ``retrain``; else both stages, resumable from
    ``run_dir``: the shared single-frame start (``start_steps``, trained once), then ``method``
    from it for ``steps``. ``carphone``: the real pair at factor 1 instead of the synthetic world."""
    name = shipped_name(method, carphone)
    if not retrain and name in shipped.read_manifest():
        G = _generator(method, 1 if carphone else FACTOR)
        G.load_state_dict(shipped.load_state(name))
        return TrainedRestorer(method, G.eval(), None, "shipped")
    kwargs = dict(seed=seed, batch=batch, device=device)
    prefix = "carphone" if carphone else "restore"
    start_kwargs = carphone_kwargs("single-frame L1", seed, batch) if carphone else {}
    start = train_start(Path(run_dir) / f"{prefix}_start.pt", steps=start_steps, **kwargs, **start_kwargs)
    method_kwargs = carphone_kwargs(method, seed + 1, batch) if carphone else {}
    return train_restoration(method, steps=steps, start_from=start, checkpoint=Path(run_dir) / f"{name}.pt",
                             **kwargs, **method_kwargs)


def train_for_shipping(method: str, carphone: bool = False, seed: int = 0) -> tuple[dict, dict]:
    """``vgan-course train-checkpoints restore_...`` (or ``carphone_...``): both stages, longer than the
    lesson (``START_STEPS`` then ``SHIPPED_STEPS``); the start is trained once, in the system's
    temporary folder, and reused. Returns the generator's fp16 state dict and its held-out scores."""
    import tempfile
    import time

    began = time.perf_counter()
    folder = Path(tempfile.gettempdir()) / "vgan-course-shipping" / f"restoration_seed{seed}_{START_STEPS}"
    folder.mkdir(parents=True, exist_ok=True)
    trained = load_or_train(method, retrain=True, carphone=carphone, run_dir=folder, start_steps=START_STEPS,
                            steps=SHIPPED_STEPS, seed=seed)
    (folder / f"{shipped_name(method, carphone)}.pt").unlink(missing_ok=True)  # keep only the shared start
    state = {k: v.half() if v.is_floating_point() else v for k, v in trained.G.state_dict().items()}
    trained.G.load_state_dict(state)  # score what ships
    scores = evaluate_carphone(method, trained.G) if carphone else evaluate_method(method, trained.G, test_set())
    return state, {"start_steps": START_STEPS, "steps": SHIPPED_STEPS, "seconds": round(time.perf_counter() - began, 1),
                   **{k: round(v, 4) for k, v in scores.items()}}


def evaluate_method(method: str, G: nn.Module, test: dict[str, torch.Tensor]) -> dict[str, float]:
    """:func:`evaluate` of ``method``'s restoration of :func:`test_set` clips."""
    return evaluate(restore(method, G, test["low"], test["low_flow_back"]), test["high"], test["flow"])


def evaluate_carphone(method: str, G: nn.Module) -> dict[str, float]:
    """:func:`evaluate` of ``method``'s restoration of the held-out carphone frames 80..119 (full size)."""
    pair = carphone("test")
    return evaluate(restore(method, G, pair.degraded[None]), pair.clean[None])
