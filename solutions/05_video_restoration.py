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
# # Assignment 05 · Video restoration and enhancement
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/assignments/05_video_restoration.ipynb)
#
# Work through lesson 05 first. Then fill in each `# YOUR CODE HERE` and run the check cell
# right below it: it tells you at once what is wrong. When every check prints `Success!`, run the
# whole notebook top to bottom (*Restart & Run All*) and hand it in.
#
# | part | what you write | points |
# |---|---|---|
# | 1 | PSNR, frame by frame, in dB | 2 |
# | 2 | a pixel-shuffle (sub-pixel convolution) up-sampler | 3 |
# | 3 | TecoGAN's ping-pong sequence and ping-pong loss | 3 |
# | 4 | SRGAN's generator loss: L1 content plus a non-saturating adversarial term | 3 |
# | 5 | a written answer on the perception-distortion trade-off (graded by hand) | 2 |
#
# Your grade comes from hidden tests that call your functions on new inputs; passing the visible
# checks is a strong sign, not a guarantee. Do not rename the functions, and do not delete or
# edit the cells that are not yours. Do not call `torchmetrics`, `vgan_course.metrics`,
# `vgan_course.models` or `vgan_course.losses` in your answers: the point is to write them (some
# check cells use them as references, and part 1's checks and tests switch the library PSNRs off).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import sys

if "google.colab" in sys.modules:  # Colab only: install the course's tagged release, check the runtime
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "vgan-course @ git+https://github.com/vgan-course/vgan-course@v0.1.0"], check=True)
    from vgan_course import colab

    colab.check_runtime()

import torch
import torch.nn.functional as F
from torch import nn

from vgan_course import profiles
from vgan_course.grading import probe

profiles.seed_everything(0)

# %% [markdown]
# ## Part 1 · PSNR, frame by frame (2 points)
#
# Lesson 05 scores every restorer first by its **distortion**: how far, pixel by pixel, its output
# $\hat y$ lies from the clean frame $y$. The peak signal-to-noise ratio puts the mean squared error
# on a logarithmic scale,
#
# $$\text{PSNR}(\hat y, y) = 10 \log_{10} \frac{R^2}{\text{MSE}(\hat y, y)}\ \text{dB},
# \qquad \text{MSE}(\hat y, y) = \frac{1}{c\,h\,w} \sum_{k, i, j} \big(\hat y_{k i j} - y_{k i j}\big)^2,$$
#
# with $R$ the data range, the distance from the darkest to the brightest possible pixel. Higher
# is closer; +6 dB is half the error amplitude. Write `psnr(output, target)`:
#
# - `output`, `target (n, c, h, w)`: $n$ frames in the course's range $[-1, 1]$, so $R = 2$;
# - take the MSE **of each frame** (over its channels and pixels), turn each into a PSNR, and
#   return the **mean of the $n$ PSNRs** as a Python `float`. That is how lesson 05 (and
#   `vgan_course.metrics.psnr`) scores a clip: frame by frame. It is not the PSNR of the mean
#   MSE: one ruined frame among good ones weighs less in the mean of the logarithms.
#
# Write it yourself with `torch` (no `torchmetrics`, no `vgan_course.metrics`: the check below
# switches them off while it calls your function). The inputs are never identical frames, so
# the MSE is never 0.

# %% nbgrader={"grade": false, "grade_id": "psnr", "locked": false, "schema_version": 3, "solution": true, "task": false}
def psnr(output: torch.Tensor, target: torch.Tensor) -> float:
    """Mean over the n frames of 10 log10(2**2 / MSE of the frame), for frames (n, c, h, w) in [-1, 1]."""
    ### BEGIN SOLUTION
    squared = (output - target).pow(2)
    per_frame_mse = squared.reshape(squared.shape[0], -1).mean(dim=1)  # (n,)
    data_range = 2.0  # pixels in [-1, 1]
    return float(torch.mean(10 * torch.log10(data_range ** 2 / per_frame_mse)))
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "psnr_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 1
import torchmetrics.functional.image.psnr as _functional_psnr
import torchmetrics.image.psnr as _module_psnr

from vgan_course import metrics as course_metrics  # the course's own, as a reference


def without_library_psnr(compute):
    """``compute()`` with the PSNR of torchmetrics (which vgan_course.metrics.psnr calls) switched off."""
    def refuse(*args, **kwargs):
        raise RuntimeError("part 1 asks for your own PSNR: do not call torchmetrics or vgan_course.metrics")

    saved = [(module, name, getattr(module, name)) for module in (_functional_psnr, _module_psnr)
             for name in ("_psnr_update", "_psnr_compute") if hasattr(module, name)]
    for module, name, _ in saved:
        setattr(module, name, refuse)
    try:
        return compute()
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


torch.manual_seed(5)
clean = torch.rand(4, 3, 8, 8) * 2 - 1
noisy = (clean + 0.1 * torch.randn(4, 3, 8, 8)).clamp(-1, 1)
value = without_library_psnr(lambda: psnr(noisy, clean))
assert isinstance(value, (float, torch.Tensor)) and torch.as_tensor(value).numel() == 1, (
    f"return one number (a float), got {tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__}")
zeros = torch.zeros(2, 1, 4, 4)
got = float(without_library_psnr(lambda: psnr(zeros + 0.2, zeros)))
assert abs(got - 20.0) < 1e-4, (
    f"an error of 0.2 on every pixel: MSE 0.04 and 10 log10(2^2 / 0.04) = 20 dB; got {got:.4g}. (About 14 dB means "
    "a data range of 1: the course's pixels span [-1, 1], a range of 2; about 46 dB means the natural logarithm: "
    "PSNR uses log10)")
two_frames = torch.cat([torch.full((1, 3, 4, 4), 0.2), torch.full((1, 3, 4, 4), 0.02)])
got = float(without_library_psnr(lambda: psnr(two_frames, torch.zeros(2, 3, 4, 4))))
assert abs(got - 30.0) < 1e-4, (
    f"frame 0 off by 0.2 (20 dB), frame 1 off by 0.02 (40 dB): the mean of the two PSNRs is 30 dB, got {got:.4g}. "
    "(About 23 dB is the PSNR of the batch's mean MSE: take the MSE of each frame, over dims 1, 2 and 3)")
expected = course_metrics.psnr(noisy, clean)
assert abs(float(value) - expected) < 1e-4, (
    f"noisy colour frames: vgan_course.metrics.psnr gives {expected:.5f} dB, yours {float(value):.5f}")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "psnr_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 1 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _own_psnr(make_pair):
    """The student's PSNR, on inputs made inside the probe (so they are seeded alike), library PSNRs off."""
    def compute():
        output, target = make_pair()
        return float(without_library_psnr(lambda: psnr(output, target)))
    return compute


def _noisy_pair(shape, levels):
    clean = torch.rand(*shape) * 2 - 1
    noise = torch.as_tensor(levels).view(-1, 1, 1, 1) * torch.randn(*shape)
    return (clean + noise).clamp(-1, 1), clean


probe("colour frames, a different noise level in each", _own_psnr(lambda: _noisy_pair((5, 3, 9, 11), [0.02, 0.05, 0.1, 0.3, 0.6])))
probe("one grey frame", _own_psnr(lambda: _noisy_pair((1, 1, 7, 13), [0.15])))
probe("three ruined frames, three nearly perfect",
      _own_psnr(lambda: _noisy_pair((6, 2, 6, 6), [1.0, 0.001, 1.0, 0.002, 1.0, 0.001])))
probe("frames off by a constant", _own_psnr(lambda: (torch.full((3, 3, 5, 5), 0.5), torch.full((3, 3, 5, 5), -0.25))))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 · A pixel-shuffle up-sampler (3 points)
#
# Every super-resolution network of lesson 05 works at the low resolution and grows the frame only
# at the end, with a **sub-pixel convolution** (Shi et al. 2016): a convolution makes $r^2$ times
# the channels, and `nn.PixelShuffle(r)` rearranges each group of $r^2$ channels into an
# $r \times r$ block of pixels, `(n, r² c, h, w)` → `(n, c, r h, r w)`, with
#
# $$\text{out}[:, k, r y + i, r x + j] = \text{in}[:, k r^2 + i r + j, y, x].$$
#
# All the work happens at the low resolution, and there is none of the checkerboard pattern a
# strided transposed convolution tends to leave. Write `PixelShuffleUpsampler(channels, factor)`:
#
# - `factor` 1, 2 or 4 (anything else: a `ValueError`); one **stage per doubling** (none for 1,
#   one for 2, two for 4), each stage, in this order:
#   `nn.Conv2d(channels, 4 * channels, 3, padding=1)`, `nn.PixelShuffle(2)`, `nn.ReLU()`;
# - keep all the layers, in that order, in **one `nn.Sequential` named `self.net`**, and no other
#   layers with parameters: the tests load the course's weights into yours (names `net.0.weight`,
#   `net.0.bias`, `net.3.weight`, ...) and compare the outputs;
# - `forward(x)`: `(n, channels, h, w)` → `(n, channels, factor * h, factor * w)`; with factor 1 it
#   gives `x` back (an empty `nn.Sequential` does just that).

# %% nbgrader={"grade": false, "grade_id": "upsampler", "locked": false, "schema_version": 3, "solution": true, "task": false}
class PixelShuffleUpsampler(nn.Module):
    """(n, channels, h, w) -> (n, channels, factor * h, factor * w): conv to 4x channels, PixelShuffle(2), ReLU per doubling."""

    def __init__(self, channels: int, factor: int = 2):
        super().__init__()
        ### BEGIN SOLUTION
        doublings = {1: 0, 2: 1, 4: 2}.get(factor)
        if doublings is None:
            raise ValueError(f"factor must be 1, 2 or 4, got {factor!r}")
        layers = []
        for _ in range(doublings):
            layers.append(nn.Conv2d(channels, 4 * channels, kernel_size=3, padding=1))  # 4 sub-pixels per channel
            layers.append(nn.PixelShuffle(2))  # (n, 4c, h, w) -> (n, c, 2h, 2w)
            layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ### BEGIN SOLUTION
        return self.net(x)
        ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "upsampler_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 2
from vgan_course import models as course_models  # the course's own, as a reference

torch.manual_seed(6)
x = torch.rand(2, 3, 5, 6) * 2 - 1
for factor in (2, 4):
    try:
        y = PixelShuffleUpsampler(3, factor)(x)
    except RuntimeError as error:
        if "pixel_shuffle" not in str(error):
            raise
        raise AssertionError(f"nn.PixelShuffle(2) needs 4 channels per output channel, one per pixel of its 2 x 2 block, "
                             f"and said: {error}. Each stage's convolution makes 4 * channels channels") from None
    assert isinstance(y, torch.Tensor) and tuple(y.shape) == (2, 3, 5 * factor, 6 * factor), (
        f"factor {factor}: frames (2, 3, 5, 6) must give (2, 3, {5 * factor}, {6 * factor}), got "
        f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
assert torch.equal(PixelShuffleUpsampler(3, 1)(x), x), "factor 1 has no stage: the frames come back as they are"
up = PixelShuffleUpsampler(3, 2)
assert isinstance(getattr(up, "net", None), nn.Sequential), "keep the layers in one nn.Sequential named self.net"
for factor in (1, 2, 4):
    mine = sum(p.numel() for p in PixelShuffleUpsampler(3, factor).parameters())
    course = sum(p.numel() for p in course_models.PixelShuffleUpsampler(3, factor).parameters())
    assert mine == course, (
        f"factor {factor}, 3 channels: {course} parameters expected (per stage a 3x3 convolution from 3 to 12 channels, "
        f"with bias: 3 * 12 * 9 + 12 = 336), got {mine}")
assert len(up.net) > 0 and isinstance(up.net[0], nn.Conv2d), (
    f"self.net must start with the first stage's nn.Conv2d, got {type(up.net[0]).__name__ if len(up.net) else 'nothing'}")
with torch.no_grad():  # channel k of the input copied, times 1, 2, 3, 4, into its four sub-pixel channels
    conv = up.net[0]
    conv.weight.zero_()
    conv.bias.zero_()
    for k in range(3):
        for sub in range(4):
            conv.weight[4 * k + sub, k, 1, 1] = sub + 1.0
    y = up(x.abs())
for i in range(2):
    for j in range(2):
        assert torch.allclose(y[:, :, i::2, j::2], (2 * i + j + 1) * x.abs(), atol=1e-6), (
            f"with these weights, channel 4 k + {2 * i + j} of the convolution must land at row offset {i}, column offset "
            f"{j} of output channel k (values {2 * i + j + 1} times the input): let nn.PixelShuffle(2) rearrange the channels")
assert (up(-x.abs()) == 0).all(), "with these weights negative inputs give negative values: each stage ends with a ReLU"
reference = course_models.PixelShuffleUpsampler(3, 4)
mine = PixelShuffleUpsampler(3, 4)
try:
    mine.load_state_dict(reference.state_dict())
except RuntimeError as error:
    raise AssertionError(f"the course's weights do not fit your layers (keep them in self.net, in the order given): {error}")
assert torch.allclose(mine(x), reference(x), atol=1e-6), (
    "with the course's weights, factor 4, your up-sampler gives other values: per stage Conv2d, PixelShuffle(2), ReLU")
try:
    PixelShuffleUpsampler(3, 3)
except ValueError:
    pass
else:
    raise AssertionError("factor 3 must raise a ValueError: only 1, 2 and 4 are whole numbers of doublings")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "upsampler_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 2 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _error_name(compute):
    try:
        compute()
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    return "no error"


def _with_course_weights(channels, factor, x):
    reference = course_models.PixelShuffleUpsampler(channels, factor)
    mine = PixelShuffleUpsampler(channels, factor)
    try:
        mine.load_state_dict(reference.state_dict())
    except RuntimeError as error:  # say it on one line: the feedback shows the last line of an error
        details = str(error).split("\n", 1)[-1]  # after "Error(s) in loading state_dict for ...:"
        raise ValueError("the course's weights do not fit your layers: " + " ".join(details.split())) from None
    with torch.no_grad():
        return mine(x)


def _hand_set_weights():
    up = PixelShuffleUpsampler(2, 2)
    with torch.no_grad():
        conv = up.net[0]
        conv.weight.zero_()
        conv.bias.fill_(0.1)
        for k in range(2):
            for sub in range(4):
                conv.weight[4 * k + sub, k, 1, 1] = (-1) ** sub * (sub + 1.0)
        return up(torch.randn(3, 2, 4, 5))


probe("output shapes, factors 1, 2 and 4, 5 channels",
      lambda: [tuple(PixelShuffleUpsampler(5, factor)(torch.randn(2, 5, 6, 7)).shape) for factor in (1, 2, 4)])
probe("parameters, factors 1, 2 and 4, 6 channels",
      lambda: [sum(p.numel() for p in PixelShuffleUpsampler(6, factor).parameters()) for factor in (1, 2, 4)])
probe("values with the course's weights, factor 2", lambda: _with_course_weights(4, 2, torch.randn(2, 4, 5, 5)))
probe("values with the course's weights, factor 4, one channel", lambda: _with_course_weights(1, 4, torch.randn(3, 1, 4, 6)))
probe("hand-set weights: the channels rearranged into sub-pixels", _hand_set_weights)
probe("factor 3 raises ValueError", lambda: _error_name(lambda: PixelShuffleUpsampler(3, 3)))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 · TecoGAN's ping-pong loss (3 points)
#
# A recurrent restorer (FRVSR, TecoGAN) restores frame $t$ from the degraded frame $t$ and its own
# previous output, warped along the flow, so detail found once is carried along. Trained on short
# clips, it tends to **drift** on long ones: an artefact that appears once is carried, and grown,
# from frame to frame, because nothing says that a frame's output should not depend on how long a
# history led to it. TecoGAN (Chu et al. 2020) runs the generator along the clip forward **and back**,
# the **ping-pong sequence**
#
# $$x_1, x_2, \dots, x_{T-1}, x_T, x_{T-1}, \dots, x_2, x_1 \qquad (2T - 1 \text{ frames: the last one once, as the turning point}),$$
#
# so every frame but the last is restored twice, with different histories, and asks that the two
# outputs agree. With $g_t$ the output for frame $t$ on the way forward and $g'_t$ on the way back,
#
# $$\mathcal{L}_{\text{pp}} = \frac{1}{T - 1} \sum_{t=1}^{T-1} \frac{1}{D}\,\lVert g_t - g'_t \rVert_1
# \quad (D \text{ values per frame: the mean absolute difference over every value}).$$
#
# Write both:
#
# - `ping_pong_sequence(clip)`: `clip (n, T, ...)`, time on dim 1 and any trailing shape (frames
#   `(c, h, w)`, or feature vectors) → `(n, 2T - 1, ...)`: frames $1, \dots, T$, then $T-1, \dots, 1$.
#   Raise a `ValueError` if `clip` has fewer than 3 dimensions or $T < 2$ (there is nothing to
#   come back to);
# - `ping_pong_loss(outputs)`: the generator's outputs along such a sequence, `(n, 2T - 1, ...)` →
#   $\mathcal{L}_{\text{pp}}$, a scalar tensor, differentiable. Position $p$ of the sequence
#   (counting from 0) holds frame $p$ for $p < T$ and frame $2T - 2 - p$ after the turn; the output
#   at the turning point (frame $T$) has no twin. Raise a `ValueError` if `outputs` has fewer than 3
#   dimensions or its length is not odd and at least 3.

# %% nbgrader={"grade": false, "grade_id": "ping_pong", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ping_pong_sequence(clip: torch.Tensor) -> torch.Tensor:
    """clip (n, T, ...) -> (n, 2T - 1, ...): frames 1..T, then T-1..1; a ValueError unless 3+ dims and T >= 2."""
    ### BEGIN SOLUTION
    if clip.dim() < 3 or clip.shape[1] < 2:
        raise ValueError(f"clip must be (n, T, ...) with T >= 2, got shape {tuple(clip.shape)}")
    way_back = clip[:, :-1].flip(1)  # frames T-1, ..., 1
    return torch.cat([clip, way_back], dim=1)
    ### END SOLUTION


def ping_pong_loss(outputs: torch.Tensor) -> torch.Tensor:
    """Mean |g_t - g'_t| over t < T for outputs (n, 2T - 1, ...) along a ping-pong sequence; a scalar."""
    ### BEGIN SOLUTION
    length = outputs.shape[1] if outputs.dim() >= 3 else 0
    if length < 3 or length % 2 == 0:
        raise ValueError(f"outputs must be (n, 2T - 1, ...) with T >= 2 (an odd length >= 3), got {tuple(outputs.shape)}")
    T = (length + 1) // 2
    forward = outputs[:, : T - 1]  # frames 1 .. T-1 on the way out
    backward = outputs[:, T:].flip(1)  # the same frames on the way back, put back in forward order
    return (forward - backward).abs().mean()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "ping_pong_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 3
from vgan_course import losses as course_losses  # the course's own, as a reference

torch.manual_seed(7)
numbered = torch.arange(4.0).view(1, 4, 1, 1, 1).expand(2, 4, 1, 2, 2)  # frame t is filled with the number t
sequence = ping_pong_sequence(numbered)
assert isinstance(sequence, torch.Tensor) and tuple(sequence.shape) == (2, 7, 1, 2, 2), (
    f"a clip (2, 4, 1, 2, 2) of T = 4 frames gives 2 T - 1 = 7 frames, (2, 7, 1, 2, 2); got "
    f"{tuple(sequence.shape) if isinstance(sequence, torch.Tensor) else type(sequence).__name__}")
order = sequence[0, :, 0, 0, 0].tolist()
assert order == [0, 1, 2, 3, 2, 1, 0], (
    f"the frames must come in the order 0, 1, 2, 3, 2, 1, 0 (the last frame once), got {[int(t) for t in order]}")
features = torch.randn(3, 2, 5)
assert torch.equal(ping_pong_sequence(features), course_losses.ping_pong_sequence(features)), (
    "a clip of feature vectors (n, T, d) with T = 2 gives frames 1, 2, 1: any trailing shape")
for bad in (torch.zeros(2, 1, 3, 4, 4), torch.zeros(5, 4)):
    try:
        ping_pong_sequence(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"a clip of shape {tuple(bad.shape)} must raise a ValueError (fewer than 3 dims, or T < 2)")
outputs = torch.tensor([0.0, 4.0, 9.0, 1.0, 2.0]).view(1, 5, 1)  # T = 3: frame 1 gave 0 then 2, frame 2 gave 4 then 1
loss = ping_pong_loss(outputs)
assert isinstance(loss, torch.Tensor) and loss.dim() == 0, (
    f"return a scalar tensor, got {tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}")
assert abs(loss.item() - 2.5) < 1e-6, (
    f"outputs 0, 4, 9, 1, 2 along the sequence 1, 2, 3, 2, 1: frame 1 gave 0 and 2, frame 2 gave 4 and 1, so the loss is "
    f"(|0 - 2| + |4 - 1|) / 2 = 2.5; got {loss.item():.4g}. (1.5 compares the wrong pairs: flip the way back; about 1.67 "
    "also counts the turning point, which has no twin)")
symmetric = course_losses.ping_pong_sequence(torch.randn(2, 4, 3, 5, 5))
assert ping_pong_loss(symmetric).item() < 1e-7, "outputs that agree going and coming back cost nothing"
outputs = torch.randn(2, 9, 3, 5, 5, requires_grad=True)
loss = ping_pong_loss(outputs)
expected = course_losses.ping_pong_loss(outputs)
assert torch.allclose(loss, expected, atol=1e-6), f"random outputs, T = 5: expected {expected.item():.5f}, got {loss.item():.5f}"
(gradient,) = torch.autograd.grad(loss, outputs)
assert gradient[:, :4].abs().sum() > 0 and gradient[:, 5:].abs().sum() > 0, (
    "the loss must be differentiable w.r.t. the outputs both ways (no .detach())")
for bad in (torch.zeros(2, 6, 3, 4, 4), torch.zeros(2, 1, 3)):
    try:
        ping_pong_loss(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"outputs of shape {tuple(bad.shape)} are no ping-pong sequence (even length, or one frame): "
                             "raise a ValueError")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "ping_pong_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 3 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _recurrent_toy():
    """A leaky running average run along the course's ping-pong sequence: forward and back disagree."""
    steps, previous = [], torch.zeros(2, 1, 4, 4)
    for frame in course_losses.ping_pong_sequence(torch.rand(2, 5, 1, 4, 4)).unbind(1):
        previous = 0.6 * frame + 0.4 * previous
        steps.append(previous)
    return ping_pong_loss(torch.stack(steps, dim=1))


def _ping_pong_gradient():
    outputs = torch.randn(3, 7, 2, 3, 3, requires_grad=True)
    return torch.autograd.grad(ping_pong_loss(outputs), outputs)


probe("sequence of colour clips, T = 5", lambda: ping_pong_sequence(torch.randn(2, 5, 3, 4, 4)))
probe("sequence of feature clips (n, T, d), T = 2 and 3",
      lambda: [ping_pong_sequence(torch.randn(4, T, 6)) for T in (2, 3)])
probe("sequence: one frame, or no time axis, raise ValueError",  # _error_name: see part 2's hidden tests
      lambda: [_error_name(lambda: ping_pong_sequence(torch.randn(2, 1, 3, 4, 4))),
               _error_name(lambda: ping_pong_sequence(torch.randn(6, 4)))])
probe("loss on random outputs, T = 4", lambda: ping_pong_loss(torch.randn(2, 7, 3, 5, 5)))
probe("loss of a recurrent toy along the sequence", _recurrent_toy)
probe("loss: even lengths and single frames raise ValueError",
      lambda: [_error_name(lambda: ping_pong_loss(torch.randn(2, 8, 3, 4, 4))),
               _error_name(lambda: ping_pong_loss(torch.randn(2, 1, 3)))])
probe("loss gradients w.r.t. the outputs", _ping_pong_gradient)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 · SRGAN's generator loss (3 points)
#
# A restorer trained with L1 (or L2) alone learns the *centre* of all the clean frames that agree
# with its degraded input (the median under L1, the mean under L2): where the input leaves the
# detail uncertain, it draws a smooth average, which is blurry. SRGAN (Ledig et al. 2017) adds a
# discriminator that tells restored frames from clean ones, and a small adversarial term to the
# generator's loss:
#
# $$\mathcal{L}_G = \underbrace{\frac{1}{D} \lVert \hat y - y \rVert_1}_{\text{content}}
# + \lambda \, \underbrace{\frac{1}{n} \sum_{i=1}^{n} \operatorname{softplus}(-\ell_i)}_{\text{adversarial}},$$
#
# with $\ell_i$ the discriminator's logit on output frame $i$ and $\lambda$ small (SRGAN: $10^{-3}$).
# The adversarial term is lesson 02's **non-saturating** loss, $-\log \sigma(\ell) = \operatorname{softplus}(-\ell)$:
# it is large where the discriminator sees through the output, and vanishes where it is fooled.
# (SRGAN's content term compares VGG features; lesson 05 uses L1 on pixels, plus a feature term on
# the course's own network that this part leaves out.) Write
# `adversarial_restoration_loss(output, target, fake_logits, adversarial_weight=1e-3)`:
#
# - `output`, `target`: restored and clean frames (or clips) of one shape; the content term is the
#   mean absolute error over every value. If the shapes differ, raise a `ValueError` that names
#   both (a grey `(n, 1, h, w)` target would otherwise broadcast against colour outputs);
# - `fake_logits (n,)`: the discriminator's logits on the outputs; the adversarial term is the mean
#   of $\operatorname{softplus}(-\ell)$ over them, with `F.softplus`, which stays finite for any
#   logit (`-torch.log(torch.sigmoid(l))` overflows to `inf` for a very negative one);
# - return the scalar tensor $\mathcal{L}_G$, differentiable w.r.t. the output and the logits (the
#   generator learns through the discriminator). `adversarial_weight = 0` gives the plain L1 twin.

# %% nbgrader={"grade": false, "grade_id": "srgan_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def adversarial_restoration_loss(output: torch.Tensor, target: torch.Tensor, fake_logits: torch.Tensor,
                                 adversarial_weight: float = 1e-3) -> torch.Tensor:
    """Mean |output - target| + adversarial_weight * mean softplus(-fake_logits); a ValueError if the shapes differ."""
    ### BEGIN SOLUTION
    if output.shape != target.shape:
        raise ValueError(f"output and target must have one shape, got {tuple(output.shape)} and {tuple(target.shape)}")
    content = (output - target).abs().mean()  # L1: the distortion term
    adversarial = F.softplus(-fake_logits).mean()  # -log D(output), the non-saturating form
    return content + adversarial_weight * adversarial
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "srgan_loss_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 4
import math

from vgan_course import losses as course_losses  # the course's own, as a reference

torch.manual_seed(8)
target = torch.rand(3, 3, 6, 6) * 2 - 1
loss = adversarial_restoration_loss(target.clone(), target, torch.zeros(3), 1.0)
assert isinstance(loss, torch.Tensor) and loss.dim() == 0, (
    f"return a scalar tensor, got {tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}")
assert abs(loss.item() - math.log(2)) < 1e-6, (
    f"a perfect output, a discriminator undecided (logits 0), weight 1: softplus(-0) = log 2 = 0.6931, got {loss.item():.4g} "
    "(-0.6931 is the minimax form log(1 - D): the non-saturating loss is -log D = softplus(-logit))")
got = adversarial_restoration_loss(target + 0.5, target, torch.zeros(3), 0.0).item()
assert abs(got - 0.5) < 1e-6, (
    f"weight 0 leaves the content term: outputs off by 0.5 everywhere cost |0.5| = 0.5, got {got:.4g} (0.25 is the "
    "squared error: use the mean absolute error)")
got = adversarial_restoration_loss(target, target, torch.full((3,), 30.0), 1.0).item()
assert abs(got) < 1e-6, (
    f"a fooled discriminator (logits +30, D = 1) costs the generator nothing: softplus(-30) is about 0; got {got:.4g}. "
    "(About -30 is the minimax form log(1 - D): use the non-saturating -log D = softplus(-logit))")
got = adversarial_restoration_loss(target, target, torch.full((3,), -200.0), 1e-3).item()
assert math.isfinite(got) and abs(got - 0.2) < 1e-5, (
    f"logits of -200 (D sure the outputs are fake): 1e-3 * softplus(200) = 0.2, got {got:.4g}; an inf means a log of a "
    "sigmoid that underflowed, and 0.1 binary cross-entropy on sigmoid outputs, which caps log(0) at -100: use "
    "F.softplus (or F.binary_cross_entropy_with_logits)")
output = (torch.rand(3, 3, 6, 6) * 2 - 1).requires_grad_(True)
logits = torch.randn(3, requires_grad=True)
loss = adversarial_restoration_loss(output, target, logits, 0.05)
expected = course_losses.adversarial_restoration_loss(output, target, logits, 0.05)
assert torch.allclose(loss, expected, atol=1e-6), f"random frames and logits: expected {expected.item():.5f}, got {loss.item():.5f}"
grads = torch.autograd.grad(loss, [output, logits], allow_unused=True)
assert all(g is not None and g.abs().sum() > 0 for g in grads), (
    "the loss must be differentiable w.r.t. the output and the logits: no .detach() and no torch.no_grad()")
try:
    adversarial_restoration_loss(torch.zeros(2, 3, 4, 4), torch.zeros(2, 1, 4, 4), torch.zeros(2))
except ValueError as error:
    assert "(2, 3, 4, 4)" in str(error) and "(2, 1, 4, 4)" in str(error), (
        f"the ValueError should name both shapes, (2, 3, 4, 4) and (2, 1, 4, 4); yours says: {error}")
else:
    raise AssertionError("outputs (2, 3, 4, 4) and a target (2, 1, 4, 4) must raise a ValueError, not broadcast")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "srgan_loss_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 4 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _srgan_gradients():
    output, logits = torch.randn(2, 3, 5, 5, requires_grad=True), torch.randn(2, requires_grad=True)
    loss = adversarial_restoration_loss(output, torch.randn(2, 3, 5, 5), logits, 0.1)
    return torch.autograd.grad(loss, [output, logits])


probe("colour frames, SRGAN's weight 1e-3",
      lambda: adversarial_restoration_loss(torch.randn(4, 3, 8, 8), torch.randn(4, 3, 8, 8), 3 * torch.randn(4), 1e-3))
probe("grey clips, a large weight", lambda: adversarial_restoration_loss(
    torch.rand(2, 5, 1, 6, 6), torch.rand(2, 5, 1, 6, 6), torch.randn(2), adversarial_weight=0.5))
probe("weight 0: the L1 twin", lambda: adversarial_restoration_loss(torch.randn(3, 2, 4, 4), torch.randn(3, 2, 4, 4),
                                                                    torch.randn(3), 0.0))
probe("confident discriminators, both ways", lambda: [
    adversarial_restoration_loss(torch.zeros(2, 1, 3, 3), torch.full((2, 1, 3, 3), 0.1), torch.full((2,), sign * 150.0), 0.01)
    for sign in (-1, 1)])
probe("gradients w.r.t. the output and the logits", _srgan_gradients)
probe("shapes that would broadcast raise ValueError", lambda: _error_name(  # defined with part 2's hidden tests
    lambda: adversarial_restoration_loss(torch.zeros(3, 3, 4, 4), torch.zeros(3, 3, 1, 4), torch.zeros(3))))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 · The perception-distortion trade-off (2 points, graded by hand)
#
# Lesson 05 restores the same clips with an L1 restorer, its adversarial twin (L1 + SRGAN's term,
# frame by frame) and a recurrent restorer trained against TecoGAN's three-frame discriminator
# (without the ping-pong loss: the lesson measured it and left it out), and scores them by
# distortion (PSNR, SSIM), by how real their frames look (a distribution distance) and by flicker.
# In four to six sentences, whatever the exact numbers of your run: Blau and Michaeli (2018) show
# that distortion and perceptual quality cannot both be made as good as possible at once. Why can a
# restorer with a **lower** PSNR produce frames that look **more** real than its L1 twin? Why can the
# adversarial restorer flicker more than the L1 one, though each of its frames looks sharper? What
# does the temporal discriminator change about that flicker, and what does it not change? And why
# could the ping-pong loss, which asks for the same output going forward and coming back, *raise*
# the flicker of a recurrent restorer trained on 4-frame clips, as lesson 05 measured?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_tradeoff", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# A degraded frame is consistent with many clean ones. Trained with L1, the restorer outputs
# their centre: where the detail is uncertain it averages all the plausible textures into a smooth
# one, which minimises the expected pixel error (the best PSNR it can get) but is itself unlike
# any real frame, so a distribution distance or a viewer sees blur. The adversarial term asks for
# frames the discriminator cannot tell from clean ones, so the restorer commits to one plausible
# texture; where that guess is wrong in its detail it costs more pixel error than the average
# would have (a sample of the posterior has up to twice the mean's squared error), so PSNR falls
# while realism rises: Blau and Michaeli prove that, beyond a point, lower distortion can only be
# bought with less realism and the reverse. Run frame by frame, the guess is made anew in every
# frame and nothing ties the texture invented at frame t to the one at t + 1, so the invented
# detail jumps: flicker, where the L1 average changes only as much as the input does. TecoGAN's
# discriminator sees three consecutive frames at once, so the incoherent motion that no single
# frame shows becomes something it can reject, and the generator must invent detail that moves
# with the content. It does not move the model back to the blurry average: the trade-off between
# PSNR and realism stays, it only makes the realistic guesses consistent over time. The ping-pong
# loss asks that a frame's output not depend on the history the recurrent generator arrived with;
# on 4-frame training clips, frame 1 has no history going forward and all of it coming back, so
# the cheapest way to make the two outputs agree is to stop using the memory at all. The restorer
# then works frame by frame again and flickers like the single-frame one (in lesson 05's two runs
# tOF rose from 0.48 and 0.47 to 0.88 and 0.82 with it). TecoGAN trains on long clips, where the
# memory is worth keeping and the loss stops drift instead.
# ### END SOLUTION

# %% [markdown]
# ## Done?
# *Restart & Run All*: every check must print `Success!`. Then hand in this notebook.
