"""Lesson 06's methods: a caption-conditioned MoCoGAN, with two ways for its discriminators to read.

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

Each method is a :class:`~vgan_course.methods.Method` (:func:`build_networks`, :func:`make_optimizers`,
:func:`training_batches`, :func:`make_step`, its weights in ``hyper``) of :data:`LESSON`, whose
settings per profile are plain data; :func:`prompt_results` and :func:`within_prompt_spread` score
what a generator makes, :func:`clip_from_prompt` turns a typed prompt into clips.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .. import metrics, train
from ..data import captions
from ..metrics.prompts import at_32, prompt_accuracy
from ..models import ConditionalDiscriminator, ConditionalMoCoGANGenerator, SoundEncoder, init_dcgan_weights, sample_frames
from . import Lesson, Method

METHOD_NAMES = ("projection D", "concatenation D")
VOCABULARY_SIZE = len(captions.VOCABULARY)


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

    from ..viz import show_video

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


def score(method: Method, G: ConditionalMoCoGANGenerator) -> dict[str, float]:
    """What the manifest records for a shipped generator: :func:`prompt_results` on 16 clips of every
    prompt, and the within-prompt spread of 8 clips of every seen prompt over that of real clips."""
    pairs = captions.combinations("seen")
    real = captions.prompt_digits(pairs, 8, generator=torch.Generator().manual_seed(0)).video
    spread = within_prompt_spread(prompt_clips(G, pairs, 8).video, 8) / within_prompt_spread(real, 8)
    rows = prompt_results(G, 16)
    return {**{f"{split} {k}": v for split, row in rows.items() for k, v in row.items()}, "spread / real spread": spread}


FIGURE_PROMPTS = ((3, "left"), (7, "down"), (0, "left"), (5, "right"))  # one seen, then three held-out


def figure_rows() -> dict[str, torch.Tensor]:
    """For the results page: for each of ``FIGURE_PROMPTS``, a real clip and one clip of each shipped
    generator, every other frame of 16: ``{label: frames (8, 1, 32, 32)}``."""
    from .training import load_shipped

    rows = {}
    real = captions.prompt_digits(list(FIGURE_PROMPTS), 1, generator=torch.Generator().manual_seed(0)).video
    made = {name: prompt_clips(load_shipped(method), list(FIGURE_PROMPTS), 1).video for name, method in METHODS.items()}
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


def _method(name: str) -> Method:
    conditioning = name.split()[0]
    hyper = {"conditioning": conditioning, "mismatch_weight": 0.5, "frames_per_clip": 2, "lr": 2e-4}
    return Method("06_controllable_clips", name, f"controllable_{conditioning}_d", build_networks, make_optimizers,
                  training_batches, make_step, hyper, average_decay=0.99, better=("seen both", "higher"),
                  sample=lambda G: prompt_clips(G, list(FIGURE_PROMPTS), 1).video)  # TensorBoard: the figure's prompts


METHODS = {name: _method(name) for name in METHOD_NAMES}
# What the lesson measures, per profile: clips per prompt, real clips for the reader, detection sets and the
# detectors' and the sound encoder's steps
EVALUATION = {
    "smoke": dict(per_prompt=2, n_real=120, n_detect=12, n_detect_train=16, cnn_steps=4, sound_steps=4),
    "cpu": dict(per_prompt=12, n_real=480, n_detect=192, n_detect_train=256, cnn_steps=300, sound_steps=400),
    "gpu": dict(per_prompt=32, n_real=1280, n_detect=512, n_detect_train=768, cnn_steps=600, sound_steps=800),
}
LESSON = Lesson(
    name="06_controllable_clips",
    methods=METHODS,
    settings={  # ``ship``: how the shipped generators were trained (`vgan-course train-checkpoints`)
        "smoke": dict(steps=dict.fromkeys(METHODS, 2), batch=4, size=32, width=32, cond_dim=64, **EVALUATION["smoke"]),
        "cpu": dict(steps=dict.fromkeys(METHODS, 450), batch=16, size=32, width=32, cond_dim=64, **EVALUATION["cpu"]),
        "gpu": dict(steps=dict.fromkeys(METHODS, 6000), batch=32, size=64, width=64, cond_dim=64, **EVALUATION["gpu"]),
        "ship": dict(steps=dict.fromkeys(METHODS, 5000), batch=16, size=32, width=32, cond_dim=64, **EVALUATION["cpu"]),
    },
    architecture=("size", "width", "cond_dim"),
    score=score,
    figure_rows=figure_rows,
)
