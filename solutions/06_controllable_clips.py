# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     gpuType: T4
#     provenance: []
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: accelerator,colab
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 06 · Controllable clips
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/assignments/06_controllable_clips.ipynb)
#
# Work through lesson 06 first. Then fill in each `# YOUR CODE HERE` and run the check cell
# right below it: it tells you at once what is wrong. When every check prints `Success!`, run the
# whole notebook top to bottom (*Restart & Run All*) and hand it in.
#
# | part | what you write | points |
# |---|---|---|
# | 1 | the prompt tokenizer and its errors | 2 |
# | 2 | the projection discriminator's logit | 2 |
# | 3 | the matching-aware discriminator loss | 2 |
# | 4 | the motion reader | 2 |
# | 5 | the spectral feature of a detector | 3 |
# | 6 | a written answer on how far a detector generalises (graded by hand) | 2 |
#
# Your grade comes from hidden tests that call your functions on new inputs; passing the visible
# checks is a strong sign, not a guarantee. Do not rename the functions, and do not delete or
# edit the cells that are not yours. Do not call `vgan_course.data.captions`,
# `vgan_course.models`, `vgan_course.methods.controllable_clips` or `vgan_course.metrics.prompts` /
# `.detection` in your answers: the point is to write them (the check cells use them as
# references). `vgan_course.metrics.centroids` may be used in part 4.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # Colab only: install the course's tagged release, check the runtime
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "vgan-course @ git+https://github.com/vgan-course/vgan-course@v0.1.0"], check=True)
    from vgan_course import colab

    colab.check_runtime()

import math

import torch
import torch.nn.functional as F
from torch import nn

from vgan_course import profiles
from vgan_course.grading import probe
from vgan_course.metrics import centroids

profiles.seed_everything(0)

VOCABULARY = ("<pad>", "digit", "moves", "and", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
              "left", "right", "up", "down")
MOTIONS = ("left", "right", "up", "down")

# %% [markdown]
# ## Part 1 · The prompt tokenizer and its errors (2 points)
#
# Lesson 06's captions follow one grammar: a clause **digit D moves M** (D one of `0`-`9`, M one
# of `left`, `right`, `up`, `down`), or two clauses joined by **and**. Write
# `tokenize(prompt, length=9)`:
#
# - ignore case, and treat commas and full stops as spaces (`"Digit 3 moves LEFT."` is fine);
# - return a `torch.long` tensor of shape `(length,)`: the index in `VOCABULARY` of each word, in
#   order, then `0` (`"<pad>"`) up to `length`;
# - raise **one** `ValueError` whose message contains the word `vocabulary` and lists every word
#   of `VOCABULARY` but `"<pad>"` when the prompt holds an unknown word (`"jumps"`, `"<pad>"`
#   itself), a number that is not a digit 0-9 (`"12"`), or words in the wrong order (a clause
#   that is not exactly `digit D moves M`, a dangling `and`, more than two clauses, an empty prompt).

# %% nbgrader={"grade": false, "grade_id": "tokenizer", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tokenize(prompt: str, length: int = 9) -> torch.Tensor:
    """'digit 3 moves left' -> token ids (length,) long, padded with 0; ValueError listing the vocabulary otherwise."""
    ### BEGIN SOLUTION
    listing = ", ".join(VOCABULARY[1:])
    words = prompt.lower().replace(",", " ").replace(".", " ").split()

    def refuse(why: str):
        raise ValueError(f"{why} in {prompt!r}; the vocabulary is: {listing}")

    if any(w not in VOCABULARY or w == "<pad>" for w in words):
        refuse("unknown word or a number that is not a digit 0-9")
    clauses = [words[i:i + 4] for i in range(0, len(words), 5)]
    joins = [words[i] for i in range(4, len(words), 5)]
    if not 1 <= len(clauses) <= 2 or any(j != "and" for j in joins) or len(words) != 5 * len(clauses) - 1:
        refuse("expected 'digit D moves M', or two such clauses joined by 'and',")
    for clause in clauses:
        if clause[0] != "digit" or not clause[1].isdigit() or clause[2] != "moves" or clause[3] not in MOTIONS:
            refuse("expected 'digit D moves M'")
    ids = torch.zeros(length, dtype=torch.long)
    ids[: len(words)] = torch.tensor([VOCABULARY.index(w) for w in words])
    return ids
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "tokenizer_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 1
from vgan_course.data import captions as course_captions  # the course's own, as a reference

for prompt in ("digit 3 moves left", "Digit 7 moves UP.", "digit 0 moves right, and digit 9 moves down"):
    ids = tokenize(prompt)
    assert isinstance(ids, torch.Tensor) and ids.dtype == torch.long and tuple(ids.shape) == (9,), (
        f"{prompt!r}: expected a long tensor of shape (9,), got "
        f"{(ids.dtype, tuple(ids.shape)) if isinstance(ids, torch.Tensor) else type(ids).__name__}")
    expected = course_captions.tokenize(prompt)[0]
    assert torch.equal(ids, expected), f"{prompt!r}: expected {expected.tolist()}, got {ids.tolist()}"
assert tuple(tokenize("digit 3 moves left", length=12).shape) == (12,), "pad to the length asked for"
for bad in ("digit 12 moves left", "digit 3 jumps left", "moves digit 3 left", "digit 3 moves left and", ""):
    try:
        tokenize(bad)
    except ValueError as error:
        message = str(error)
        missing = [w for w in VOCABULARY[1:] if w not in message]
        assert "vocabulary" in message and not missing, (
            f"{bad!r}: the error must mention the vocabulary and list its words; missing {missing}")
    else:
        raise AssertionError(f"{bad!r} must raise a ValueError")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "tokenizer_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 1 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _refusal(prompt):
    """(raised a ValueError, its message lists the whole vocabulary)."""
    try:
        tokenize(prompt)
    except ValueError as error:
        return (True, all(w in str(error) for w in VOCABULARY[1:]) and "vocabulary" in str(error))
    except Exception:
        return (False, False)
    return (False, False)


probe("two clauses, odd spacing and case", lambda: tokenize("  DIGIT 4 moves down   and digit 2 moves Left "))
probe("one clause, longer padding", lambda: tokenize("digit 9 moves right", length=11))
probe("every digit and motion", lambda: torch.stack([tokenize(f"digit {d} moves {MOTIONS[d % 4]}") for d in range(10)]))
probe("refuses a digit out of range", lambda: _refusal("digit 10 moves up"))
probe("refuses the padding word", lambda: _refusal("digit 1 moves <pad>"))
probe("refuses three clauses", lambda: _refusal("digit 1 moves up and digit 2 moves up and digit 3 moves up"))
probe("refuses a missing motion", lambda: _refusal("digit 1 moves"))
probe("refuses a swapped clause", lambda: _refusal("digit left moves 3"))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 · The projection discriminator's logit (2 points)
#
# Miyato and Koyama (2018) bring the condition into the discriminator through an inner product.
# With the trunk's feature map of a clip, `features (n, C, *positions)` (positions: `4, 4` for a
# frame, `T', 4, 4` for a clip), let $\phi(x)$ be the features **averaged** over every position,
# shape `(n, C)` (the paper sums them, and keeps the logits small with spectral norm; our
# discriminators use batch norm, and the mean keeps the logits near 1). With the caption's vector $c$, shape `(n, cond_dim)`,
#
# $$D(x, c) = \psi\big(\phi(x)\big) + \big\langle V c,\ \phi(x) \big\rangle,$$
#
# where $\psi$ is `psi`, an `nn.Linear(C, 1)`, and $V$ is `project`, an `nn.Linear(cond_dim, C,
# bias=False)`. Write `projection_logit(features, condition, psi, project)` returning the logits,
# shape `(n,)`. Keep it differentiable.

# %% nbgrader={"grade": false, "grade_id": "projection", "locked": false, "schema_version": 3, "solution": true, "task": false}
def projection_logit(features: torch.Tensor, condition: torch.Tensor, psi: nn.Linear, project: nn.Linear) -> torch.Tensor:
    """features (n, C, *positions), condition (n, cond_dim) -> (n,): psi(phi) + <V c, phi>, phi averaged over positions."""
    ### BEGIN SOLUTION
    phi = features.flatten(2).mean(dim=2)  # (n, C)
    return psi(phi).squeeze(1) + (project(condition) * phi).sum(dim=1)
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "projection_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 2
from vgan_course import models as course_models  # the course's own, as a reference

torch.manual_seed(2)
head = course_models.ProjectionHead(6, 5)
frames, clips, condition = torch.randn(3, 6, 4, 4), torch.randn(3, 6, 2, 4, 4), torch.randn(3, 5)
for name, features in (("frame features (3, 6, 4, 4)", frames), ("clip features (3, 6, 2, 4, 4)", clips)):
    got = projection_logit(features, condition, head.psi, head.project)
    assert isinstance(got, torch.Tensor) and tuple(got.shape) == (3,), (
        f"{name}: one logit per sample, shape (3,), got {tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__}")
    expected = head(features, condition)
    assert torch.allclose(got, expected, atol=1e-5), (
        f"{name}: expected {expected.tolist()}, got {got.tolist()}. Average (not sum) the features over every "
        "position, then psi(phi) plus the inner product of project(condition) with phi")
with torch.no_grad():
    head.project.weight.zero_()
assert torch.allclose(projection_logit(frames, condition, head.psi, head.project), head.psi(frames.mean(dim=(2, 3))).squeeze(1),
                      atol=1e-5), "with V = 0 the logit is psi(phi) alone"
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "projection_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 2 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _projection(shape, cond_dim):
    psi, project = nn.Linear(shape[1], 1), nn.Linear(cond_dim, shape[1], bias=False)
    return projection_logit(torch.randn(*shape), torch.randn(shape[0], cond_dim), psi, project)


def _projection_gradient():
    psi, project = nn.Linear(4, 1), nn.Linear(3, 4, bias=False)
    features = torch.randn(2, 4, 3, 4, 4, requires_grad=True)
    logit = projection_logit(features, torch.randn(2, 3), psi, project)
    return torch.autograd.grad(logit.sum(), [features, project.weight])


probe("frame features", lambda: _projection((5, 8, 4, 4), 6))
probe("clip features", lambda: _projection((2, 7, 4, 4, 4), 3))
probe("one sample, 1 x 1 map", lambda: _projection((1, 3, 1, 1), 2))
probe("gradients", _projection_gradient)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 · The matching-aware loss (2 points)
#
# Reed et al. (2016) show the discriminator real clips with a **wrong** caption and ask it to call
# them fake, so that it must read captions. On logits (the probability is $D = \sigma(l)$):
#
# $$\mathcal{L}_D = -\mathbb{E}\log D(x, t) - w\,\mathbb{E}\log\big(1 - D(x, t')\big) - (1 - w)\,\mathbb{E}\log\big(1 - D(G(z, t), t)\big).$$
#
# Write `matching_aware_loss(real_right, real_wrong, fake_right, mismatch_weight=0.5)`: three
# tensors of logits `(n,)` (they may have different lengths) -> the loss, a scalar tensor. Use
# `-log(sigmoid(l)) = softplus(-l)` and `-log(1 - sigmoid(l)) = softplus(l)`, which stay finite
# for any logit. A `mismatch_weight` outside [0, 1] raises a `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "matching", "locked": false, "schema_version": 3, "solution": true, "task": false}
def matching_aware_loss(real_right: torch.Tensor, real_wrong: torch.Tensor, fake_right: torch.Tensor,
                        mismatch_weight: float = 0.5) -> torch.Tensor:
    """Reed et al.'s discriminator loss on logits; a scalar tensor."""
    ### BEGIN SOLUTION
    if not 0 <= mismatch_weight <= 1:
        raise ValueError(f"mismatch_weight must lie in [0, 1], got {mismatch_weight}")
    return (F.softplus(-real_right).mean() + mismatch_weight * F.softplus(real_wrong).mean()
            + (1 - mismatch_weight) * F.softplus(fake_right).mean())
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "matching_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 3
from vgan_course.methods import controllable_clips as course_clips  # the course's own, as a reference

torch.manual_seed(3)
right, wrong, fake = torch.randn(6), torch.randn(4), torch.randn(5)
got = matching_aware_loss(right, wrong, fake)
assert isinstance(got, torch.Tensor) and got.dim() == 0, "return a scalar tensor (a mean, not one value per sample)"
expected = course_clips.matching_aware_loss(right, wrong, fake)
assert torch.isclose(got, expected, atol=1e-6), f"w = 0.5: expected {expected.item():.5f}, got {got.item():.5f}"
plain = matching_aware_loss(right, wrong, fake, 0.0)
assert torch.isclose(plain, F.softplus(-right).mean() + F.softplus(fake).mean(), atol=1e-6), (
    "w = 0 is the plain conditional GAN loss: -log D(real) - log(1 - D(fake))")
huge = matching_aware_loss(torch.tensor([200.0]), torch.tensor([-200.0]), torch.tensor([-200.0]))
assert torch.isfinite(huge) and huge < 1e-6, "a perfect discriminator with huge logits has a loss near 0: use softplus"
try:
    matching_aware_loss(right, wrong, fake, 1.5)
except ValueError:
    pass
else:
    raise AssertionError("mismatch_weight 1.5 must raise a ValueError")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "matching_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 3 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _raises(weight):
    try:
        matching_aware_loss(torch.zeros(2), torch.zeros(2), torch.zeros(2), weight)
    except ValueError:
        return True
    return False


probe("w = 0.5, different lengths", lambda: matching_aware_loss(3 * torch.randn(7), torch.randn(3), torch.randn(9)))
probe("w = 0.8", lambda: matching_aware_loss(torch.randn(4), torch.randn(4), torch.randn(4), 0.8))
probe("w = 1: the wrong captions only", lambda: matching_aware_loss(torch.randn(4), torch.randn(4), torch.randn(4), 1.0))
probe("large logits", lambda: matching_aware_loss(torch.tensor([60.0, -60.0]), torch.tensor([90.0]), torch.tensor([-80.0, 70.0])))
probe("refuses w = -0.1", lambda: _raises(-0.1))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 · The motion reader (2 points)
#
# The lesson reads a clip's motion from the ink's centre of mass. For clips `(n, T, 1, 32, 32)` in
# [-1, 1] (T at least 8), write `read_motion(clips)` -> a `torch.long` tensor `(n,)`:
#
# 1. the centre of mass of every frame, `(n, T, 2)` as (x, y) in pixels: `vgan_course.metrics.centroids(clips)`;
# 2. the travel $\Delta$ = mean centre of the **last 4** frames minus mean centre of the **first 4**;
# 3. the cosine between $\Delta$ and each direction of `MOTIONS`, in that order: left $(-1, 0)$,
#    right $(1, 0)$, up $(0, -1)$ and down $(0, 1)$ (image rows grow downwards);
# 4. the answer is the index of the largest cosine, or **-1** ("unclear") when $\lVert\Delta\rVert$
#    is below 3 pixels or the largest cosine is below $\cos 30°$.

# %% nbgrader={"grade": false, "grade_id": "motion", "locked": false, "schema_version": 3, "solution": true, "task": false}
def read_motion(clips: torch.Tensor) -> torch.Tensor:
    """Clips (n, T, 1, 32, 32) -> (n,) long: index in MOTIONS of the travel's direction, or -1 if unclear."""
    ### BEGIN SOLUTION
    path = centroids(clips)  # (n, T, 2)
    travel = path[:, -4:].mean(dim=1) - path[:, :4].mean(dim=1)  # (n, 2)
    directions = torch.tensor([[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0], [0.0, 1.0]])
    length = travel.norm(dim=1)
    cosine = travel @ directions.T / length.clamp_min(1e-6)[:, None]
    best, motion = cosine.max(dim=1)
    clear = (length >= 3) & (best >= math.cos(math.radians(30)))
    return torch.where(clear, motion, torch.full_like(motion, -1))
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "motion_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 4
from vgan_course.metrics import prompts as course_prompts  # the course's own, as a reference

clips = course_captions.captioned_digits(40, "all", generator=torch.Generator().manual_seed(4))
got = read_motion(clips.video)
assert isinstance(got, torch.Tensor) and got.dtype == torch.long and tuple(got.shape) == (40,), (
    f"expected a long tensor of shape (40,), got {(got.dtype, tuple(got.shape)) if isinstance(got, torch.Tensor) else type(got).__name__}")
assert torch.equal(got, clips.motions[:, 0]), (
    f"real clips: expected the captions' motions {clips.motions[:10, 0].tolist()}..., got {got[:10].tolist()}... "
    "(left, right, up, down in that order; y grows downwards)")
still = clips.video[:, :1].expand_as(clips.video)
assert (read_motion(still) == -1).all(), "a clip whose frames are all the same has travelled 0 pixels: -1"
diagonal = torch.full((1, 16, 1, 32, 32), -1.0)
for t in range(16):
    diagonal[0, t, 0, 6 + t, 6 + t] = 1.0
assert read_motion(diagonal).item() == -1, "a travel at 45 degrees is more than 30 degrees from every direction: -1"
assert torch.equal(read_motion(clips.video), course_prompts.read_motions(clips.video))
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "motion_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 4 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _dot_path(points):
    """One clip with a single bright pixel at each (x, y) of points, T = len(points)."""
    clip = torch.full((1, len(points), 1, 32, 32), -1.0)
    for t, (x, y) in enumerate(points):
        clip[0, t, 0, y, x] = 1.0
    return clip


probe("held-out real clips", lambda: read_motion(course_captions.captioned_digits(30, "held-out", generator=torch.Generator().manual_seed(9)).video))
probe("short travel", lambda: read_motion(torch.cat([_dot_path([(10 + t // 6, 16) for t in range(16)]),
                                                      _dot_path([(10 + t // 3, 16) for t in range(16)])])))
probe("slants on both sides of 30 degrees", lambda: read_motion(torch.cat([_dot_path([(4 + t, 20 - t // 2) for t in range(16)]),
                                                                           _dot_path([(4 + t, 20 - (2 * t) // 3) for t in range(16)])])))
probe("eight frames", lambda: read_motion(course_captions.captioned_digits(12, "all", n_frames=8, generator=torch.Generator().manual_seed(3)).video))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 · The spectral feature of a detector (3 points)
#
# Durall et al. (2020) tell generated images from real ones by their spectrum: up-sampling by
# transposed convolutions leaves a trace at high frequencies. Their feature, for one grey frame
# $f$ of size $N \times N$:
#
# 1. $F$ = the 2-D FFT of $f$ (`torch.fft.fft2`), shifted so the zero frequency sits in the
#    middle (`torch.fft.fftshift` over the last two dimensions), plus $10^{-8}$;
# 2. $M = 20 \log |F|$ (natural logarithm, as in their code);
# 3. the **azimuthal average**: give every entry $(i, j)$ the ring $r = \lfloor \sqrt{(i - c)^2 + (j - c)^2} \rfloor$
#    with $c = (N - 1)/2$, and average $M$ over each ring. Keep rings $1, \dots, R - 1$, where $R$ is
#    the largest ring: ring 0 (the constant) and the outermost, incomplete ring are dropped
#    (20 rings for $N = 32$);
# 4. rescale the profile to [0, 1] by its own minimum and maximum.
#
# Write `spectrum_profile(frames)`: `frames (n, c, N, N)` in [-1, 1] (grey = the mean over the
# channels) -> `(n, R - 1)`. Compute in float64 and return float32.

# %% nbgrader={"grade": false, "grade_id": "spectrum", "locked": false, "schema_version": 3, "solution": true, "task": false}
def spectrum_profile(frames: torch.Tensor) -> torch.Tensor:
    """Frames (n, c, N, N) -> Durall et al.'s azimuthally averaged log spectrum (n, R - 1), each rescaled to [0, 1]."""
    ### BEGIN SOLUTION
    grey = frames.double().mean(dim=1)  # (n, N, N)
    spectrum = torch.fft.fftshift(torch.fft.fft2(grey), dim=(-2, -1)) + 1e-8
    magnitude = 20 * torch.log(spectrum.abs())
    size = grey.shape[-1]
    offsets = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    ring = torch.sqrt(offsets[:, None] ** 2 + offsets[None, :] ** 2).floor().long()  # (N, N)
    largest = int(ring.max())
    profile = torch.stack([magnitude[:, ring == r].mean(dim=1) for r in range(1, largest)], dim=1)
    low, high = profile.min(dim=1, keepdim=True).values, profile.max(dim=1, keepdim=True).values
    return ((profile - low) / (high - low)).float()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "spectrum_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 5
from vgan_course.metrics import detection as course_detection  # the course's own, as a reference

torch.manual_seed(5)
frames = torch.rand(4, 1, 32, 32) * 2 - 1
got = spectrum_profile(frames)
assert isinstance(got, torch.Tensor) and tuple(got.shape) == (4, 20), (
    f"32 x 32 frames give 20 rings (1 .. 20; ring 0 and the incomplete ring 21 are dropped), got "
    f"{tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__}")
assert torch.allclose(got.min(dim=1).values, torch.zeros(4)) and torch.allclose(got.max(dim=1).values, torch.ones(4)), (
    "rescale each profile to [0, 1] by its own minimum and maximum")
expected = course_detection.spectrum_profile(frames)
assert torch.allclose(got, expected, atol=1e-5), (
    f"expected {expected[0, :4].tolist()}..., got {got[0, :4].tolist()}...: centre c = (N - 1) / 2, rings by floor, "
    "the mean (not the sum) over each ring, 20 log |F|")
colour = torch.rand(2, 3, 16, 16) * 2 - 1
assert torch.allclose(spectrum_profile(colour), course_detection.spectrum_profile(colour), atol=1e-5), (
    "colour frames: take the mean over the channels first; 16 x 16 frames have rings 1 .. 9")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "spectrum_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 5 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _checkerboard_frames():
    smooth = F.avg_pool2d(torch.rand(3, 1, 36, 36), 5, 1) * 2 - 1  # (3, 1, 32, 32), smooth
    checker = ((torch.arange(32)[:, None] + torch.arange(32)[None]) % 2 * 2 - 1).float()
    return spectrum_profile((smooth + 0.05 * checker).clamp(-1, 1))


probe("random grey frames, 32 x 32", lambda: spectrum_profile(torch.rand(5, 1, 32, 32) * 2 - 1))
probe("colour frames, 24 x 24", lambda: spectrum_profile(torch.rand(2, 3, 24, 24) * 2 - 1))
probe("odd size, 17 x 17", lambda: spectrum_profile(torch.rand(2, 1, 17, 17) * 2 - 1))
probe("a checkerboard trace", _checkerboard_frames)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 6 · How far does a detector generalise? (2 points, graded by hand)
#
# Look at lesson 06's detection table: detectors trained to tell real clips from lesson 03's
# MoCoGAN, tested on MoCoGAN, TGAN, VGAN and the lesson's own generator, before and after H.264
# compression. In four to six sentences: why can the average precision stay high on another
# generator while the accuracy falls? Which detector lost the most to compression, and why does
# that follow from what it looks at? What would these numbers mean for a platform that wants to
# flag generated clips uploaded by its users?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_detection", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Average precision asks only whether the detector ranks generated clips above real ones; accuracy
# asks whether each score falls on the right side of the threshold the detector learned on
# MoCoGAN. Another generator can leave different traces, so its scores shift as a whole: still
# ranked correctly (high AP) but many fakes fall below the old threshold (accuracy near 50%), and
# nobody on a platform knows where the new threshold should be without labelled examples of the
# new generator. On MoCoGAN's own clips the spectral detector lost the most to compression: it reads the highest
# frequencies, exactly what H.264 quantises away, so after compression real and generated spectra
# look alike; the CNN trained with blur and H.264 augmentation keeps more because it was taught not
# to rely on those traces. For a platform: every upload is re-encoded, new generators appear all
# the time and real clips vastly outnumber fakes, so even a small false-positive rate flags many
# honest users; a detector validated on one generator, uncompressed, says little about the
# clips it will actually see, and its numbers must be measured after the platform's own encoding
# and on generators it was not trained on.
# ### END SOLUTION

# %% [markdown]
# ## Done?
# *Restart & Run All*: every check must print `Success!`. Then hand in this notebook.
