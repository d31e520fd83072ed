"""Lesson 06: clips from a prompt, the methods compared, and what they are scored by.

Two ways of training a caption-conditioned MoCoGAN (:class:`~vgan_course.models.ConditionalMoCoGANGenerator`)
on captioned moving digits (:mod:`vgan_course.data.captions`), which differ only in how the two
discriminators (one on frames, one on clips) bring in the caption:

=================  ==========================================================================
method             discriminators
=================  ==========================================================================
projection D       ``psi(phi(x)) + <V c, phi(x)>`` (Miyato and Koyama 2018)
concatenation D    the caption tiled over the 4 x 4 feature map and mixed in (Reed et al. 2016)
=================  ==========================================================================

Both train as lesson 03's MoCoGAN does (the non-saturating loss, Adam(2e-4, betas (0.5, 0.999)),
batch norm in the discriminators, a moving average of the generator's weights), with Reed et al.'s
matching-aware term added (:func:`matching_aware_loss`: a real clip with a wrong caption counts as
fake). Only the heads differ, as in Miyato and Koyama's own comparison of the two.

A method is plain data and four functions, the shape every lesson's methods share:
:data:`SETTINGS` per profile (``ship``: how the shipped generators were trained) and :data:`HYPER`
per method, joined by :func:`config` into one namespace ``cfg``; :func:`build_networks`,
:func:`make_optimizers`, :func:`training_batches` and :func:`make_step`, which
:func:`vgan_course.train.train` runs. :func:`load_or_train` gives the shipped generator unless told
to train; :func:`prompt_results` and :func:`within_prompt_spread` score what it makes.
"""

from __future__ import annotations

import copy
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from . import data, metrics, profiles, shipped, train, video_gans
from .data import captions
from .metrics import detection
from .metrics.prompts import at_32, prompt_accuracy
from .models import ConditionalDiscriminator, ConditionalMoCoGANGenerator, SoundEncoder, init_dcgan_weights, sample_frames

METHOD_NAMES = ("projection D", "concatenation D")
SETTINGS = {  # per profile, plain data; ``ship``: the shipped generators (`vgan-course train-checkpoints`)
    "smoke": dict(steps=dict.fromkeys(METHOD_NAMES, 2), batch=4, size=32, width=32, cond_dim=64),
    "cpu": dict(steps=dict.fromkeys(METHOD_NAMES, 450), batch=16, size=32, width=32, cond_dim=64),
    "gpu": dict(steps=dict.fromkeys(METHOD_NAMES, 6000), batch=32, size=64, width=64, cond_dim=64),
    "ship": dict(steps=dict.fromkeys(METHOD_NAMES, 5000), batch=16, size=32, width=32, cond_dim=64),
}
ARCHITECTURE = ("size", "width", "cond_dim")  # the settings that change the networks' shapes
HYPER = {  # per method: how its discriminators read the caption, and the weights of its paper
    name: dict(conditioning=name.split()[0], mismatch_weight=0.5, frames_per_clip=2, lr=2e-4) for name in METHOD_NAMES}
AVERAGE_DECAY = 0.99  # the generator kept is a moving average of G's weights (train.update_average)
VOCABULARY_SIZE = len(captions.VOCABULARY)


def config(method: str, profile: str | None = None, **overrides) -> SimpleNamespace:
    """The settings of ``method`` in ``profile`` (default: the active one) with its :data:`HYPER` and
    the seed and device, as one namespace; ``overrides`` replace single values (``config(m, batch=8)``)."""
    if method not in HYPER:
        raise ValueError(f"unknown method {method!r}; choose one of {list(HYPER)}")
    profile = profile or profiles.current_profile()
    values = {**SETTINGS[profile], **HYPER[method], **overrides}
    return SimpleNamespace(profile=profile, seed=profiles.current_seed(), device=profiles.device(), **values)


def build_networks(cfg: SimpleNamespace) -> dict[str, nn.Module]:
    """``G`` and the two discriminators ``D_frame`` and ``D_clip``, with ``cfg.conditioning``'s head."""
    nets = {"G": ConditionalMoCoGANGenerator(VOCABULARY_SIZE, cfg.cond_dim, width=cfg.width, size=cfg.size)}
    for kind in ("frame", "clip"):
        nets[f"D_{kind}"] = ConditionalDiscriminator(kind, cfg.conditioning, VOCABULARY_SIZE, width=cfg.width,
                                                     size=cfg.size, cond_dim=cfg.cond_dim)
    nets["D_frame"].trunk.apply(init_dcgan_weights)  # as lesson 03's frame discriminator
    return nets


def make_optimizers(nets: dict[str, nn.Module], cfg: SimpleNamespace) -> dict[str, torch.optim.Optimizer]:
    """Adam(``cfg.lr``, betas (0.5, 0.999)) for every network, as lesson 03."""
    return {name: torch.optim.Adam(net.parameters(), lr=cfg.lr, betas=(0.5, 0.999)) for name, net in nets.items()}


def mismatched_tokens(digits: torch.Tensor, motions: torch.Tensor, generator: torch.Generator | None = None
                      ) -> torch.Tensor:
    """For one-clause captions ``(digits, motions)`` ``(n,)``: tokens of another *seen* caption for each,
    drawn uniformly among the 29 that differ from it (the "wrong text" of the matching-aware loss)."""
    pairs = captions.combinations("seen")
    index = {(d, captions.MOTIONS.index(m)): i for i, (d, m) in enumerate(pairs)}
    own = torch.tensor([index.get((int(d), int(m)), -1) for d, m in zip(digits.cpu(), motions.cpu())])
    other = torch.randint(len(pairs) - 1, (len(own),), generator=generator)
    other = other + (own >= 0) * (other >= own)  # skip the clip's own caption
    return captions.tokenize([captions.caption_text(pairs[i]) for i in other.tolist()]).to(digits.device)


def training_batches(cfg: SimpleNamespace, generator: torch.Generator) -> Callable[[], dict[str, torch.Tensor]]:
    """A function that returns a fresh batch of seen captions, on the CPU: ``video (batch, 16, 1, size, size)``,
    ``tokens`` and ``wrong_tokens (batch, MAX_TOKENS)`` (another seen caption for every clip)."""
    def batch_fn() -> dict[str, torch.Tensor]:
        clips = captions.captioned_digits(cfg.batch, "seen", size=cfg.size, generator=generator)
        wrong = mismatched_tokens(clips.digits[:, 0], clips.motions[:, 0], generator)
        return {"video": clips.video, "tokens": clips.tokens, "wrong_tokens": wrong}
    return batch_fn


def matching_aware_loss(real_right: torch.Tensor, real_wrong: torch.Tensor, fake_right: torch.Tensor,
                        mismatch_weight: float = 0.5) -> torch.Tensor:
    """The discriminator's loss of Reed et al. 2016 (GAN-CLS), on logits ``(n,)``, ``D = sigmoid(logit)``:

    ``-E[log D(x, t)] - w E[log(1 - D(x, t'))] - (1 - w) E[log(1 - D(G(z, t), t))]``

    for real clips ``x`` with their captions ``t``, the same clips with wrong captions ``t'``, and
    generated clips. A real clip with the wrong caption counts as fake, so the discriminator must
    read the caption. ``w = 1/2`` is Reed et al.'s; ``w = 0`` is the plain conditional GAN loss.
    """
    if not 0 <= mismatch_weight <= 1:
        raise ValueError(f"mismatch_weight must lie in [0, 1], got {mismatch_weight!r}")
    return (F.softplus(-real_right).mean() + mismatch_weight * F.softplus(real_wrong).mean()
            + (1 - mismatch_weight) * F.softplus(fake_right).mean())


def make_step(nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer], batch_fn: Callable[[], dict],
              cfg: SimpleNamespace) -> Callable[[train.StepContext], dict[str, torch.Tensor]]:
    """One round of the game, as a step function for :func:`vgan_course.train.train`.

    Each discriminator ``D(x, t)`` (frames: ``cfg.frames_per_clip`` random frames of each clip, with
    the clip's caption; clips: the whole clip) takes one step on :func:`matching_aware_loss`; then
    ``G`` takes one on ``-E[log D_frame(G(z, t), t)] - E[log D_clip(G(z, t), t)]`` against the updated
    discriminators (the non-saturating loss).
    """
    G, D = nets["G"], {"frame": nets["D_frame"], "clip": nets["D_clip"]}
    k, w = cfg.frames_per_clip, cfg.mismatch_weight

    def judge(kind: str, clips: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """D_frame's logits on k random frames of each clip (each with its clip's caption), or D_clip's on the clips."""
        if kind == "frame":
            return D["frame"](sample_frames(clips, k), tokens.repeat_interleave(k, dim=0))
        return D["clip"](clips, tokens)

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        batch = batch_fn()
        real, right, wrong = batch["video"], batch["tokens"], batch["wrong_tokens"]
        with ctx.autocast():
            fake = G(G.text_encoder(right), **G.sample_latents(len(real)))
        logged = {}
        for kind in ("frame", "clip"):
            with ctx.autocast():  # D: real with the right caption up; real with a wrong one, and fake, down
                logged[f"loss/d_{kind}"] = matching_aware_loss(
                    judge(kind, real, right), judge(kind, real, wrong), judge(kind, fake.detach(), right), w)
            ctx.update(opts[f"D_{kind}"], logged[f"loss/d_{kind}"])
        with ctx.autocast():  # G: -log D(G(z, t), t) for both discriminators, just updated (non-saturating)
            loss_g = F.softplus(-judge("frame", fake, right)).mean() + F.softplus(-judge("clip", fake, right)).mean()
        ctx.update(opts["G"], loss_g)
        return {"loss/g": loss_g, **logged}

    return step


# --- training, and the shipped generators ------------------------------------------------------------


@dataclass
class TrainedGenerator:
    method: str
    G: ConditionalMoCoGANGenerator  # the moving average of the generator's weights, in eval mode
    history: train.History | None  # None when loaded from a shipped checkpoint
    source: str  # "shipped" or "trained"


def shipped_name(method: str) -> str:
    """The shipped generator of ``method``: ``"controllable_projection_d"`` or ``"controllable_concatenation_d"``."""
    return "controllable_" + config(method, "ship").conditioning + "_d"


def train_method(method: str, cfg: SimpleNamespace, *, run_dir: str | Path, step=None,
                 progress: bool = False) -> TrainedGenerator:
    """Train ``method`` for ``cfg.steps[method]`` steps on fresh seen captions, resumable from
    ``run_dir/<shipped name>.pt``; ``step`` replaces :func:`make_step` (a lesson passes its own).
    The generator kept is the moving average of G's weights (``AVERAGE_DECAY``)."""
    profiles.seed_everything(cfg.seed)
    nets = {name: net.to(cfg.device) for name, net in build_networks(cfg).items()}
    opts = make_optimizers(nets, cfg)
    batches = training_batches(cfg, torch.Generator().manual_seed(cfg.seed))
    on_device = lambda: {key: value.to(cfg.device) for key, value in batches().items()}  # noqa: E731
    step_fn = (step or make_step)(nets, opts, on_device, cfg)
    nets["G_average"] = average = copy.deepcopy(nets["G"])  # no optimizer: it follows G; checkpointed with the rest

    def step_and_average(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        logged = step_fn(ctx)
        train.update_average(average, nets["G"], AVERAGE_DECAY)
        return logged

    history = train.train(step_and_average, nets, opts, steps=cfg.steps[method],
                          checkpoint=Path(run_dir) / f"{shipped_name(method)}.pt", checkpoint_every=200, log_every=10,
                          progress=progress)
    return TrainedGenerator(method, average.eval(), history, "trained")


def load_shipped(method: str) -> ConditionalMoCoGANGenerator:
    """The shipped generator of ``method`` (SHA-256 checked), in eval mode on the CPU."""
    G = build_networks(config(method, "ship"))["G"]
    G.load_state_dict(shipped.load_state(shipped_name(method)))
    return G.eval()


def load_or_train(method: str, cfg: SimpleNamespace, *, run_dir: str | Path, retrain: bool = False, step=None,
                  progress: bool = False) -> TrainedGenerator:
    """Train only if missing: the shipped generator of ``method`` unless ``retrain`` (or none is shipped,
    or ``cfg`` asks for other shapes than the shipped one's); else :func:`train_method`."""
    fits = all(getattr(cfg, key) == SETTINGS["ship"][key] for key in ARCHITECTURE)
    if not retrain and fits and shipped_name(method) in shipped.read_manifest():
        return TrainedGenerator(method, load_shipped(method), None, "shipped")
    return train_method(method, cfg, run_dir=run_dir, step=step, progress=progress)


def check_same_step(method: str, cfg: SimpleNamespace, step, steps: int = 2) -> float:
    """Largest difference between the parameters after ``steps`` steps of ``step`` and of :func:`make_step`,
    both from the same fresh networks, seed and batches (CPU, full precision): 0 when they are one step."""
    results = []
    for factory in (step, make_step):
        profiles.seed_everything(cfg.seed)
        nets = build_networks(cfg)
        opts = make_optimizers(nets, cfg)
        step_fn = factory(nets, opts, training_batches(cfg, torch.Generator().manual_seed(cfg.seed)), cfg)
        ctx = train.StepContext(torch.device("cpu"), None, opts)
        for _ in range(steps):
            step_fn(ctx)
            ctx.step += 1
        results.append({f"{name}.{key}": p.detach().clone() for name, net in nets.items() for key, p in net.named_parameters()})
    mine, package = results
    return max(float((mine[key] - package[key]).abs().max()) for key in package)


def ship(method: str, seed: int = 0) -> tuple[dict, dict]:
    """``vgan-course train-checkpoints controllable_...``: train with the ``ship`` settings, round the kept
    generator to fp16 and score what ships (:func:`score`); returns ``(state dict, measured)``."""
    cfg = config(method, "ship")
    cfg.seed, cfg.device = seed, torch.device("cpu")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        trained = train_method(method, cfg, run_dir=folder)
    state = {k: v.half() if v.is_floating_point() else v for k, v in trained.G.state_dict().items()}
    trained.G.load_state_dict(state)  # score what ships
    return state, {"steps": cfg.steps[method], "seconds": round(time.perf_counter() - began, 1),
                   **{k: round(v, 4) for k, v in score(method, trained.G).items()}}


# --- scores -------------------------------------------------------------------------------------------


@torch.no_grad()
def prompt_clips(G: ConditionalMoCoGANGenerator, pairs: list[tuple[int, str]], per_prompt: int, seed: int = 0,
                 condition: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
                 batch: int = 64) -> captions.CaptionedClips:
    """``per_prompt`` clips for each one-clause prompt of ``pairs``, in that order (the clips of one
    prompt are consecutive), on the CPU, from seeded latents.

    ``condition(digits, motions)`` gives the condition vectors ``(n, cond_dim)``; by default G's own
    text encoder reads the captions (section 4 passes a sound encoder's instead).
    """
    G.eval()
    device = next(G.parameters()).device
    text = [captions.caption_text(pair) for pair in pairs for _ in range(per_prompt)]
    tokens = captions.tokenize(text)
    digits = torch.tensor([d for d, _ in pairs]).repeat_interleave(per_prompt)
    motions = torch.tensor([captions.MOTIONS.index(m) for _, m in pairs]).repeat_interleave(per_prompt)
    rng = torch.Generator(device=device).manual_seed(seed)
    clips = []
    for start in range(0, len(tokens), batch):
        part = slice(start, start + batch)
        c = G.text_encoder(tokens[part].to(device)) if condition is None else condition(digits[part], motions[part]).to(device)
        clips.append(G(c, **G.sample_latents(len(c), generator=rng)).float().cpu().clamp(-1, 1))
    return captions.CaptionedClips(torch.cat(clips), digits[:, None], motions[:, None], torch.empty(0), text, tokens)


def prompt_results(G: ConditionalMoCoGANGenerator, per_prompt: int, seed: int = 0) -> dict[str, dict[str, float]]:
    """:func:`~vgan_course.metrics.prompts.prompt_accuracy` of ``per_prompt`` clips of every seen and every
    held-out prompt: ``{"seen": {"digit", "motion", "both"}, "held-out": {...}}``."""
    results = {}
    for split in ("seen", "held-out"):
        clips = prompt_clips(G, captions.combinations(split), per_prompt, seed)
        results[split] = prompt_accuracy(clips.video, clips.digits, clips.motions)
    return results


def within_prompt_spread(clips: torch.Tensor, per_prompt: int) -> float:
    """How different the clips of one prompt are: the mean distance between the clip features
    (lesson 03's network) of two clips of the same prompt, averaged over prompts.

    ``clips (n, T, 1, s, s)`` hold ``per_prompt`` consecutive clips per prompt. Compare with real clips
    of the same prompts: a generator that ignores its noise scores near 0.
    """
    if per_prompt < 2 or len(clips) % per_prompt:
        raise ValueError(f"clips must come in groups of per_prompt >= 2 clips, got {len(clips)} clips and {per_prompt}")
    features = metrics.video_features(at_32(clips))["clip"].unflatten(0, (-1, per_prompt))
    distance = torch.cdist(features, features)  # (prompts, m, m)
    return float(distance.sum(dim=(1, 2)).mean() / (per_prompt * (per_prompt - 1)))


@torch.no_grad()
def clip_from_prompt(G: ConditionalMoCoGANGenerator, prompt: str, n: int = 4, seed: int = 0) -> torch.Tensor:
    """``n`` clips ``(n, 16, 1, size, size)`` for one typed ``prompt`` (checked by the tokenizer), on the CPU."""
    G.eval()
    device = next(G.parameters()).device
    tokens = captions.tokenize(prompt).expand(n, -1).to(device)
    latents = G.sample_latents(n, generator=torch.Generator(device=device).manual_seed(seed))
    return G(G.text_encoder(tokens), **latents).float().cpu().clamp(-1, 1)


def prompt_box(G: ConditionalMoCoGANGenerator, seed: int = 0):
    """A text box: type a prompt, press Enter, see four clips (an ipywidgets box, or ``None`` without widgets)."""
    try:
        import ipywidgets as widgets
    except ImportError:
        return None
    from IPython.display import display

    from .viz import show_video

    box, output = widgets.Text(value="digit 7 moves up", description="prompt"), widgets.Output()

    def draw(_=None) -> None:
        with output:
            output.clear_output(wait=True)
            try:
                display(show_video(clip_from_prompt(G, box.value, 4, seed), ncol=4, scale=3, caption=box.value))
            except ValueError as error:
                print(error)

    box.on_submit(draw)
    draw()
    return widgets.VBox([box, output])


def score(method: str, G: ConditionalMoCoGANGenerator) -> dict[str, float]:
    """What the manifest records for a shipped generator: :func:`prompt_results` on 16 clips of every
    prompt, and the within-prompt spread of 8 clips of every seen prompt over that of real clips."""
    pairs = captions.combinations("seen")
    real = captions.prompt_digits(pairs, 8, generator=torch.Generator().manual_seed(0)).video
    spread = within_prompt_spread(prompt_clips(G, pairs, 8).video, 8) / within_prompt_spread(real, 8)
    rows = prompt_results(G, 16)
    return {**{f"{split} {k}": v for split, row in rows.items() for k, v in row.items()}, "spread / real spread": spread}


FIGURE_PROMPTS = ((3, "left"), (7, "down"), (0, "left"), (5, "right"))  # two seen, then two held-out


def figure_rows() -> dict[str, torch.Tensor]:
    """For the results page: for each of ``FIGURE_PROMPTS``, a real clip and one clip of each shipped
    generator, every other frame of 16: ``{label: frames (8, 1, 32, 32)}``."""
    rows = {}
    real = captions.prompt_digits(list(FIGURE_PROMPTS), 1, generator=torch.Generator().manual_seed(0)).video
    made = {method: prompt_clips(load_shipped(method), list(FIGURE_PROMPTS), 1).video for method in METHOD_NAMES}
    for i, pair in enumerate(FIGURE_PROMPTS):
        tag = "held-out" if pair in captions.HELD_OUT else "seen"
        rows[f"real: {captions.caption_text(pair)} ({tag})"] = real[i, ::2]
        rows |= {f"{method}: {captions.caption_text(pair)}": clips[i, ::2] for method, clips in made.items()}
    return rows


# --- a second modality: the same conditioning path from a sound ----------------------------------------


def train_sound_encoder(G: ConditionalMoCoGANGenerator, steps: int, batch: int = 64, seed: int = 0) -> SoundEncoder:
    """A :class:`~vgan_course.models.SoundEncoder` trained to put each sound where ``G``'s text encoder puts
    the caption it says: mean squared error to ``G.text_encoder(tokens)`` on seen captions, ``G`` frozen.
    Adam(1e-3); a few seconds on a CPU."""
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        encoder = SoundEncoder(G.cond_dim)
    optimizer = torch.optim.Adam(encoder.parameters(), lr=1e-3)
    pairs = captions.combinations("seen")
    digits = torch.tensor([d for d, _ in pairs])
    motions = torch.tensor([captions.MOTIONS.index(m) for _, m in pairs])
    with torch.no_grad():
        targets = G.text_encoder(captions.tokenize([captions.caption_text(p) for p in pairs])).float().cpu()
    for _ in range(steps):
        which = torch.randint(len(pairs), (batch,), generator=generator)
        loss = F.mse_loss(encoder(captions.caption_sound(digits[which], motions[which], generator)), targets[which])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return encoder.eval()


def sound_condition(encoder: SoundEncoder, seed: int = 0) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``condition(digits, motions)`` for :func:`prompt_clips`: fresh sounds of those captions, encoded."""
    generator = torch.Generator().manual_seed(seed)

    @torch.no_grad()
    def condition(digits: torch.Tensor, motions: torch.Tensor) -> torch.Tensor:
        return encoder(captions.caption_sound(digits, motions, generator))
    return condition


# --- detecting generated clips ----------------------------------------------------------------------------

DETECTOR_SOURCE = "MoCoGAN"  # lesson 03's generator the detectors learn from
LESSON_03_TESTED = ("MoCoGAN", "TGAN", "VGAN")


def lesson03_real(n: int, seed: int, split: str = "test") -> torch.Tensor:
    """``n`` real clips of lesson 03's world ``(n, 16, 1, 32, 32)`` (one bouncing digit), from ``split``'s digit images."""
    return data.moving_digits(n, 16, 32, 1, speed=(1.0, 2.5), split=split, generator=torch.Generator().manual_seed(seed)).video


def lesson03_clips(name: str, n: int, seed: int) -> torch.Tensor:
    """``n`` clips ``(n, 16, 1, 32, 32)`` of lesson 03's shipped generator ``name``, from a seeded generator."""
    return video_gans.sample_clips(video_gans.load_shipped(name), n, seed=seed)


def detection_sets(G06: ConditionalMoCoGANGenerator, n: int, seed: int) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Test sets, ``name -> (real, fake)``, ``n`` clips each at 32 x 32: lesson 03's shipped MoCoGAN, TGAN and
    VGAN against real clips of their world (held-out digit images), and ``G06`` against real captioned
    clips (every prompt, held-out digit images)."""
    sets = {name: (lesson03_real(n, seed), lesson03_clips(name, n, seed)) for name in LESSON_03_TESTED}
    pairs = captions.combinations("all")
    fake = prompt_clips(G06, pairs, -(-n // len(pairs)), seed).video[:n]
    real = captions.captioned_digits(n, "all", digit_split="test", generator=torch.Generator().manual_seed(seed)).video
    sets["lesson 06"] = (at_32(real), at_32(fake))
    return sets


def fit_detectors(real: torch.Tensor, fake: torch.Tensor, cnn_steps: int, seed: int = 0) -> dict[str, object]:
    """The three detectors of lesson 06, and the CNN without augmentation as the control, trained on ``real``
    against ``fake`` clips ``(n, 16, 1, 32, 32)``."""
    return {"spectrum + LR": detection.FeatureDetector(detection.spectrum_features).fit(real, fake),
            "CNN, blur + H.264": detection.train_cnn_detector(real, fake, cnn_steps, seed=seed),
            "CNN, no augmentation": detection.train_cnn_detector(real, fake, cnn_steps, seed=seed, augmented=False),
            "flow residual + LR": detection.FeatureDetector(detection.flow_residual_features).fit(real, fake)}


def detection_table(detectors: dict[str, object], sets: dict[str, tuple[torch.Tensor, torch.Tensor]],
                    crf: int) -> list[dict]:
    """One row per (generator, compression, detector): average precision and accuracy, on the test
    clips as they are and after H.264 at constant rate factor ``crf`` (both real and fake clips)."""
    rows = []
    for name, (real, fake) in sets.items():
        versions = {"none": (real, fake), f"H.264 crf {crf}": (data.codec_damage(real, crf=crf), data.codec_damage(fake, crf=crf))}
        for compression, (r, f) in versions.items():
            for detector_name, detector in detectors.items():
                rows.append({"generator": name, "compression": compression, "detector": detector_name,
                             **{k: round(v, 4) for k, v in detection.detection_scores(detector, r, f).items()}})
    return rows
