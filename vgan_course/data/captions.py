"""Captioned moving digits (lesson 06): clips made from a sentence, and sounds that say the same thing.

The grammar of the captioned Moving MNIST benchmarks (Sync-DRAW, Mittal et al. 2017; Marwah et
al. 2017; MAGE, Hu et al. 2022), over a closed vocabulary::

    digit 3 moves left
    digit 3 moves left and digit 5 moves down

Each digit slides in a straight line, in the named direction, at 0.6 to 1.0 pixels per frame (at
32 x 32), without bouncing, so the direction is visible in every clip. Some digit-motion
combinations (``HELD_OUT``, one per digit) never appear in training: a model that draws
"digit 0 moves left" has composed it from other captions, as Sync-DRAW's validation split asks.

:func:`caption_sound` renders the same meaning as a short sound (section 4 of lesson 06): one beep
per digit value plus one, at a pitch that names the direction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import torch

from ..checks import check_positive_int
from .digits import digit_sprites
from .moving import _paste

DIGITS = tuple(range(10))
MOTIONS = ("left", "right", "up", "down")
DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}  # image y points down
VOCABULARY = ("<pad>", "digit", "moves", "and", *(str(d) for d in DIGITS), *MOTIONS)
TOKEN = {word: index for index, word in enumerate(VOCABULARY)}
MAX_CLAUSES = 2  # "digit 3 moves left and digit 5 moves down"
MAX_TOKENS = 4 * MAX_CLAUSES + MAX_CLAUSES - 1  # 9
HELD_OUT = frozenset((d, MOTIONS[d % len(MOTIONS)]) for d in DIGITS)  # never in training: 0 left, 1 right, ...
SPEED = (0.6, 1.0)  # pixels per frame at 32 x 32 (scaled with the canvas)
SPLITS = ("seen", "held-out", "all")


def combinations(split: str = "seen") -> list[tuple[int, str]]:
    """The (digit, motion) pairs of ``split``: "seen" (30 pairs, for training), "held-out" (10) or "all" (40)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    pairs = [(d, m) for d in DIGITS for m in MOTIONS]
    if split == "all":
        return pairs
    return [pair for pair in pairs if (pair in HELD_OUT) == (split == "held-out")]


def caption_text(clauses: list[tuple[int, str]] | tuple[int, str]) -> str:
    """``(3, "left")`` -> ``"digit 3 moves left"``; a list of two pairs joins the clauses with "and"."""
    clauses = [clauses] if isinstance(clauses, tuple) else list(clauses)
    return " and ".join(f"digit {d} moves {m}" for d, m in clauses)


def _vocabulary_hint() -> str:
    return ("the vocabulary is: digit, moves, and, the digits 0-9, and the motions " + ", ".join(MOTIONS)
            + "; e.g. 'digit 3 moves left' or 'digit 3 moves left and digit 5 moves down'")


def parse_prompt(text: str) -> list[tuple[int, str]]:
    """A prompt -> its clauses, e.g. ``"Digit 3 moves left"`` -> ``[(3, "left")]``.

    Case and surrounding spaces, commas and a final full stop are ignored. Anything else outside
    the grammar raises one ``ValueError`` that lists the vocabulary: an unknown word, a digit out
    of range ("digit 12"), or words in the wrong order.
    """
    if not isinstance(text, str):
        raise ValueError(f"a prompt must be a string, got {type(text).__name__}; {_vocabulary_hint()}")
    words = re.sub(r"[,.]", " ", text.lower()).split()
    out_of_range = [w for w in words if w.lstrip("-").isdigit() and w not in TOKEN]
    if out_of_range:
        raise ValueError(f"a digit must be one of 0-9, got {', '.join(out_of_range)} in {text!r}; {_vocabulary_hint()}")
    unknown = [w for w in words if w not in TOKEN or w == "<pad>"]
    if unknown:
        raise ValueError(f"unknown word(s) {', '.join(repr(w) for w in unknown)} in {text!r}; {_vocabulary_hint()}")
    clauses, rest = [], words
    while True:
        head, rest = rest[:4], rest[4:]
        valid = (len(head) == 4 and head[0] == "digit" and head[1].isdigit() and head[2] == "moves"
                 and head[3] in MOTIONS)
        if not valid:
            raise ValueError(f"{text!r} does not follow the grammar 'digit D moves M' (up to {MAX_CLAUSES} "
                             f"clauses joined by 'and'); {_vocabulary_hint()}")
        clauses.append((int(head[1]), head[3]))
        if not rest:
            break
        if rest[0] != "and" or len(clauses) == MAX_CLAUSES:
            raise ValueError(f"{text!r} does not follow the grammar 'digit D moves M' (up to {MAX_CLAUSES} "
                             f"clauses joined by 'and'); {_vocabulary_hint()}")
        rest = rest[1:]
    return clauses


def tokenize(prompts: str | list[str]) -> torch.Tensor:
    """Prompts -> token ids ``(n, MAX_TOKENS)``, padded with 0 (``<pad>``); each prompt is checked
    by :func:`parse_prompt`. One string gives ``(1, MAX_TOKENS)``."""
    prompts = [prompts] if isinstance(prompts, str) else list(prompts)
    if not prompts:
        raise ValueError("tokenize needs at least one prompt")
    ids = torch.zeros(len(prompts), MAX_TOKENS, dtype=torch.long)
    for row, prompt in enumerate(prompts):
        words = caption_text(parse_prompt(prompt)).split()
        ids[row, : len(words)] = torch.tensor([TOKEN[w] for w in words])
    return ids


@dataclass
class CaptionedClips:
    """Clips and what their captions say.

    Attributes:
        video: ``(n, time, 1, size, size)`` in [-1, 1].
        digits: ``(n, clauses)`` the digit of each clause.
        motions: ``(n, clauses)`` the index in ``MOTIONS`` of each clause's motion.
        positions: ``(n, time, clauses, 2)`` each digit's centre in pixels, ``(x, y)``.
        captions: the ``n`` caption strings; ``tokens``: their ids ``(n, MAX_TOKENS)``.
    """

    video: torch.Tensor
    digits: torch.Tensor
    motions: torch.Tensor
    positions: torch.Tensor
    captions: list[str]
    tokens: torch.Tensor

    def __len__(self) -> int:
        return self.video.shape[0]


def straight_paths(motions: torch.Tensor, n_frames: int, size: int, generator: torch.Generator | None = None
                   ) -> torch.Tensor:
    """Centres ``(n, n_frames, clauses, 2)`` of digits that slide in the directions ``motions (n, clauses)``
    at ``SPEED`` pixels per frame (scaled by ``size / 32``), staying whole inside the canvas."""
    n, k = motions.shape
    half = size / 4  # sprites are half the canvas
    low, high = half, size - half
    direction = torch.tensor([DIRECTIONS[m] for m in MOTIONS], device=motions.device)[motions]  # (n, k, 2)
    lo, hi = SPEED
    speed = (lo + (hi - lo) * torch.rand(n, k, 1, generator=generator, device=motions.device)) * size / 32
    travel = direction * speed * (n_frames - 1)  # (n, k, 2)
    # start anywhere the whole path fits: [low, high - travel] moving forward, [low - travel, high] back
    room = (high - low) - travel.abs()
    start = low + travel.clamp(max=0).neg() + room * torch.rand(n, k, 2, generator=generator, device=motions.device)
    t = torch.arange(n_frames, device=motions.device, dtype=torch.float32).view(1, -1, 1, 1)
    return start[:, None] + direction[:, None] * speed[:, None] * t


def captioned_digits(n: int, split: str = "seen", *, clauses: int = 1, n_frames: int = 16, size: int = 32,
                     digit_split: str = "train", generator: torch.Generator | None = None,
                     device: torch.device | str | None = None) -> CaptionedClips:
    """``n`` captioned clips of ``clauses`` (1 or 2) digits, each clause's (digit, motion) drawn
    uniformly from the combinations of ``split`` ("seen", "held-out", "all").

    ``digit_split`` picks the digit images ("train" or "test", as :func:`vgan_course.data.digit_sprites`):
    models learn from "train" images; readers are validated on "test" ones. Overlapping digits
    combine by their maximum, as in Moving MNIST.
    """
    check_positive_int(n, "n")
    if clauses not in (1, 2):
        raise ValueError(f"clauses must be 1 or 2, got {clauses!r}")
    device = torch.device(device) if device is not None else (generator.device if generator is not None else torch.device("cpu"))
    pairs = combinations(split)
    which = torch.randint(len(pairs), (n, clauses), generator=generator, device=device)
    digits = torch.tensor([d for d, _ in pairs], device=device)[which]
    motions = torch.tensor([MOTIONS.index(m) for _, m in pairs], device=device)[which]
    return render_captions(digits, motions, n_frames=n_frames, size=size, digit_split=digit_split, generator=generator)


def prompt_digits(pairs: list[tuple[int, str]], per_prompt: int, *, n_frames: int = 16, size: int = 32,
                  digit_split: str = "test", generator: torch.Generator | None = None) -> CaptionedClips:
    """``per_prompt`` real one-digit clips of each (digit, motion) of ``pairs``, in that order (the clips of
    a prompt are consecutive): what a generator's clips for the same prompts are compared with."""
    check_positive_int(per_prompt, "per_prompt")
    digits = torch.tensor([d for d, _ in pairs]).repeat_interleave(per_prompt)[:, None]
    motions = torch.tensor([MOTIONS.index(m) for _, m in pairs]).repeat_interleave(per_prompt)[:, None]
    return render_captions(digits, motions, n_frames=n_frames, size=size, digit_split=digit_split, generator=generator)


def render_captions(digits: torch.Tensor, motions: torch.Tensor, *, n_frames: int = 16, size: int = 32,
                    digit_split: str = "train", generator: torch.Generator | None = None) -> CaptionedClips:
    """The clips of given captions: ``digits`` and ``motions`` ``(n, clauses)`` (a digit, an index in
    ``MOTIONS``); each clause gets a random image of its digit and a random straight path."""
    check_positive_int(n_frames, "n_frames", minimum=2)
    if size not in (32, 64):
        raise ValueError(f"size must be 32 or 64, got {size!r}")
    n, clauses = digits.shape
    device = digits.device
    sprites, labels = digit_sprites(size // 2, digit_split, device)
    order = torch.argsort(labels, stable=True)  # the images of digit d are order[first[d]: first[d] + count[d]]
    count = torch.bincount(labels, minlength=len(DIGITS))
    first = torch.cumsum(count, 0) - count
    pick = torch.rand(n, clauses, generator=generator, device=device)
    image = order[first[digits] + (pick * count[digits]).long()]  # (n, clauses): an image of each clause's digit
    positions = straight_paths(motions, n_frames, size, generator)
    video = _paste(sprites[image], positions, size).amax(dim=2)  # (n, T, 1, H, W) in [0, 1]
    text = [caption_text([(int(d), MOTIONS[int(m)]) for d, m in zip(ds, ms)]) for ds, ms in zip(digits, motions)]
    return CaptionedClips(video * 2 - 1, digits, motions, positions, text, tokenize(text).to(device))


# --- the same meaning as a sound (lesson 06, section 4) -----------------------------------------

SAMPLE_RATE = 8000  # Hz
SOUND_SECONDS = 1.0
PITCH = {"left": 330.0, "right": 494.0, "up": 740.0, "down": 1109.0}  # Hz, a fifth apart: E4, B4, F#5, C#6
BEEP_SECONDS, GAP_SECONDS = 0.04, 0.045


def caption_sound(digits: torch.Tensor, motions: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Sounds ``(n, SAMPLE_RATE * SOUND_SECONDS)`` in [-1, 1] for one-clause captions: ``digit + 1``
    beeps at the pitch of the motion (``PITCH``).

    Each sound has its own loudness (0.3 to 0.9), onset (0 to 0.08 s), a pitch off by up to 3 %,
    and faint noise, so the encoder must count beeps and read pitch rather than memorise waveforms.
    ``digits`` and ``motions`` are ``(n,)`` (a digit 0-9, an index in ``MOTIONS``).
    """
    if digits.dim() != 1 or motions.shape != digits.shape:
        raise ValueError(f"digits and motions must both be (n,), got {tuple(digits.shape)} and {tuple(motions.shape)}")
    if digits.numel() and (digits.min() < 0 or digits.max() > 9 or motions.min() < 0 or motions.max() >= len(MOTIONS)):
        raise ValueError(f"digits must lie in 0-9 and motions in 0-{len(MOTIONS) - 1}")
    n = len(digits)
    samples = round(SAMPLE_RATE * SOUND_SECONDS)
    t = torch.arange(samples, dtype=torch.float32) / SAMPLE_RATE  # (samples,)
    pitch = torch.tensor([PITCH[m] for m in MOTIONS])[motions.cpu()]
    pitch = pitch * (1 + 0.03 * (2 * torch.rand(n, generator=generator) - 1))
    loudness = 0.3 + 0.6 * torch.rand(n, generator=generator)
    onset = 0.08 * torch.rand(n, generator=generator)
    period = BEEP_SECONDS + GAP_SECONDS
    since = t[None] - onset[:, None]  # (n, samples)
    beep_index = torch.floor(since / period)
    inside = (since >= 0) & (since - beep_index * period < BEEP_SECONDS) & (beep_index <= digits.cpu()[:, None])
    envelope = inside.float() * torch.sin(math.pi * (since - beep_index * period).clamp(0, BEEP_SECONDS) / BEEP_SECONDS)
    tone = torch.sin(2 * math.pi * pitch[:, None] * t[None])
    noise = 0.02 * torch.randn(n, samples, generator=generator)
    return (loudness[:, None] * envelope * tone + noise).clamp(-1, 1).to(digits.device)
