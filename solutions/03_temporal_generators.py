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
# # Assignment 03 · Temporal generators
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/assignments/03_temporal_generators.ipynb)
#
# Work through lesson 03 first. Then fill in each `# YOUR CODE HERE` and run the check cell
# right below it: it tells you at once what is wrong. When every check prints `Success!`, run the
# whole notebook top to bottom (*Restart & Run All*) and hand it in.
#
# | part | what you write | points |
# |---|---|---|
# | 1 | MoCoGAN's motion codes (a GRU) and its latent codes | 3 |
# | 2 | a factorised (2+1)-D convolution block and its parameter count | 3 |
# | 3 | sampling frames for the image discriminator | 2 |
# | 4 | the Fréchet distance between two sets of clip features | 3 |
# | 5 | a written answer on lesson 03's results table (graded by hand) | 2 |
#
# Your grade comes from hidden tests that call your functions on new inputs; passing the visible
# checks is a strong sign, not a guarantee. Do not rename the functions, and do not delete or
# edit the cells that are not yours. Do not call `vgan_course.models.video` or
# `vgan_course.metrics` in your answers: the point is to write them (some check cells use them
# as references).

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

profiles.seed_everything(0)

# %% [markdown]
# ## Part 1 · MoCoGAN's motion codes and latent codes (3 points)
#
# MoCoGAN (Tulyakov et al. 2018) splits the latent code of frame $t$ into a **content** code
# $z_C$, drawn once per clip, and a **motion** code $z_M(t)$ made by a recurrent network from fresh
# noise $\epsilon_t$ at every step:
#
# $$h_0 = 0, \qquad h_t = \mathrm{GRU}(\epsilon_t, h_{t-1}), \qquad z_M(t) = h_t \qquad (t = 1, \dots, T).$$
#
# - `motion_codes(gru, motion_noise)`: `gru` is an `nn.GRUCell(m, m)`, called as
#   `gru(input, state)` on `(batch, m)` tensors; `motion_noise` is $(\epsilon_1, \dots, \epsilon_T)$,
#   one noise vector per frame, shape `(batch, time, m)`. Return the codes $(h_1, \dots, h_T)$, shape
#   `(batch, time, m)`. The GRU starts from a zero state $h_0$ (which is not a code) and carries its
#   state from step to step; every code, the first included, is a GRU output, never the raw noise.
# - `mocogan_latents(content, motion)`: `content (batch, c)`, `motion (batch, time, m)` ->
#   `(batch, time, c + m)`: at every time step the content code, then that step's motion code.
#
# Keep everything differentiable: the GRU is trained through these codes.

# %% nbgrader={"grade": false, "grade_id": "motion", "locked": false, "schema_version": 3, "solution": true, "task": false}
def motion_codes(gru: nn.GRUCell, motion_noise: torch.Tensor) -> torch.Tensor:
    """Noise (eps_1..eps_T) (batch, time, m) -> codes (h_1..h_T) (batch, time, m): h_0 = 0, h_t = gru(eps_t, h_{t-1})."""
    ### BEGIN SOLUTION
    state = torch.zeros_like(motion_noise[:, 0])  # h_0 = 0: the GRU's initial state, not a code
    codes = []
    for t in range(motion_noise.shape[1]):
        state = gru(motion_noise[:, t], state)  # h_t = GRU(eps_t, h_{t-1})
        codes.append(state)
    return torch.stack(codes, dim=1)
    ### END SOLUTION


def mocogan_latents(content: torch.Tensor, motion: torch.Tensor) -> torch.Tensor:
    """Content (batch, c) and motion codes (batch, time, m) -> latents (batch, time, c + m), content first."""
    ### BEGIN SOLUTION
    time = motion.shape[1]
    return torch.cat([content[:, None].expand(-1, time, -1), motion], dim=2)
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "motion_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 1
torch.manual_seed(1)
gru = nn.GRUCell(4, 4)
noise = torch.randn(3, 5, 4)
codes = motion_codes(gru, noise)
assert isinstance(codes, torch.Tensor) and tuple(codes.shape) == (3, 5, 4), (
    f"motion codes have the noise's shape (3, 5, 4), got {tuple(codes.shape) if isinstance(codes, torch.Tensor) else type(codes).__name__}")
assert not torch.allclose(codes[:, 0], noise[:, 0]), (
    "the first motion code is the raw noise eps_1: every code is a GRU output, h_1 = gru(eps_1, h_0) with h_0 = 0")
with torch.no_grad():
    step_1 = gru(noise[:, 0], torch.zeros(3, 4))
    step_2 = gru(noise[:, 1], step_1)
    step_3 = gru(noise[:, 2], step_2)
assert torch.allclose(codes[:, 0], step_1, atol=1e-6), (
    "the first code is h_1 = gru(eps_1, zeros): start the GRU from a zero state, the noise is its input, gru(input, state)")
assert torch.allclose(codes[:, 1], step_2, atol=1e-6), (
    "h_2 = gru(eps_2, h_1): carry the state from step to step, never start again from zeros")
assert torch.allclose(codes[:, 2], step_3, atol=1e-6), "h_3 = gru(eps_3, h_2): one GRU step per frame, one noise vector each"
assert codes.requires_grad, "the codes must stay differentiable w.r.t. the GRU's weights (no torch.no_grad, no .detach())"
content = torch.randn(3, 6)
latents = mocogan_latents(content, codes)
assert isinstance(latents, torch.Tensor) and tuple(latents.shape) == (3, 5, 10), (
    f"content (3, 6) and motion (3, 5, 4) give latents (3, 5, 10), got {tuple(latents.shape) if isinstance(latents, torch.Tensor) else type(latents).__name__}")
assert torch.equal(latents[..., :6], content[:, None].expand(-1, 5, -1)), (
    "the first 6 entries at every time step must be the content code: content first, the same at every step")
assert torch.equal(latents[..., 6:], codes), "the last 4 entries at time t must be the motion code of time t"
moved = mocogan_latents(content, motion_codes(gru, torch.randn(3, 5, 4)))
assert torch.equal(moved[..., :6], latents[..., :6]), "new motion noise must leave the content part unchanged"
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "motion_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 1 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _long_motion():
    gru = nn.GRUCell(8, 8)
    with torch.no_grad():
        gru.weight_hh.mul_(3.0)  # a GRU with a stronger memory
    return motion_codes(gru, 2 * torch.randn(2, 16, 8))


def _gru_gradients():
    gru = nn.GRUCell(3, 3)
    codes = motion_codes(gru, torch.randn(2, 6, 3))
    return torch.autograd.grad(codes.pow(2).sum(), [gru.weight_ih, gru.weight_hh])


def _latents_of_codes():
    gru = nn.GRUCell(4, 4)
    return mocogan_latents(torch.randn(2, 7), motion_codes(gru, torch.randn(2, 5, 4)))


probe("motion codes, new sizes", lambda: motion_codes(nn.GRUCell(5, 5), torch.randn(3, 7, 5)))
probe("motion codes, one time step", lambda: motion_codes(nn.GRUCell(6, 6), torch.randn(4, 1, 6)))
probe("motion codes, another GRU, 16 steps", _long_motion)
probe("gradients reach the GRU", _gru_gradients)
probe("latents, new sizes", lambda: mocogan_latents(torch.randn(3, 10), torch.randn(3, 6, 4)))
probe("latents of GRU motion codes", _latents_of_codes)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 · A (2+1)-D convolution block (3 points)
#
# The video discriminator of lesson 03 judges whole clips with *factorised* space-time
# convolutions (Tran et al. 2018, "R(2+1)D"): a 2-D convolution on every frame, then a 1-D
# convolution along time at every pixel. Write the block `Conv2Plus1d(c_in, c_out, time_stride=1)`:
#
# - `self.spatial = nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1)`, applied to every
#   frame on its own (the same weights for every frame), followed by `LeakyReLU(0.2)`;
# - `self.temporal = nn.Conv1d(c_out, c_out, kernel_size=3, stride=time_stride, padding=1)`, applied
#   along time at every pixel of the result (the same weights at every pixel), with no activation after it;
# - input `(batch, c_in, time, h, w)`, output `(batch, c_out, time / time_stride, h / 2, w / 2)`
#   (PyTorch's channels-first layout for 3-D data; `time / time_stride` rounded up).
#
# Use exactly these two attribute names and no other parameters: the hidden tests load weights
# into your block. Then write `conv2plus1d_parameters(c_in, c_out)`: the block's number of
# parameters (weights and biases), by formula, without building the block.
#
# *Hint:* `transpose`, `flatten`, `permute` and `reshape` move the time axis into the batch for
# the 2-D convolution, and the pixels into the batch for the 1-D one.

# %% nbgrader={"grade": false, "grade_id": "block", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Conv2Plus1d(nn.Module):
    """(batch, c_in, time, h, w) -> (batch, c_out, time / time_stride, h / 2, w / 2)."""

    def __init__(self, c_in: int, c_out: int, time_stride: int = 1):
        super().__init__()
        ### BEGIN SOLUTION
        self.spatial = nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1)
        self.temporal = nn.Conv1d(c_out, c_out, kernel_size=3, stride=time_stride, padding=1)
        self.act = nn.LeakyReLU(0.2)
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ### BEGIN SOLUTION
        batch, _, time, h, w = x.shape
        frames = x.transpose(1, 2).flatten(0, 1)  # (B*T, c_in, h, w): every frame on its own
        y = self.act(self.spatial(frames))  # (B*T, c_out, h/2, w/2)
        c, h2, w2 = y.shape[1:]
        pixels = y.view(batch, time, c, h2, w2).permute(0, 3, 4, 2, 1).reshape(-1, c, time)  # (B*h2*w2, c, T)
        z = self.temporal(pixels)  # (B*h2*w2, c, T')
        return z.view(batch, h2, w2, c, -1).permute(0, 3, 4, 1, 2)  # (B, c, T', h2, w2)
        ### END SOLUTION


def conv2plus1d_parameters(c_in: int, c_out: int) -> int:
    """The number of parameters of Conv2Plus1d(c_in, c_out), by formula."""
    ### BEGIN SOLUTION
    return (16 * c_in * c_out + c_out) + (3 * c_out * c_out + c_out)
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "block_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 2
torch.manual_seed(2)
x = torch.randn(2, 3, 8, 16, 16)
for stride, frames in [(1, 8), (2, 4), (4, 2)]:
    y = Conv2Plus1d(3, 5, time_stride=stride)(x)
    assert isinstance(y, torch.Tensor) and tuple(y.shape) == (2, 5, frames, 8, 8), (
        f"time_stride={stride}: input (2, 3, 8, 16, 16) must give (2, 5, {frames}, 8, 8), got "
        f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
block = Conv2Plus1d(3, 5)
assert isinstance(getattr(block, "spatial", None), nn.Conv2d) and isinstance(getattr(block, "temporal", None), nn.Conv1d), (
    "name the two convolutions self.spatial (an nn.Conv2d) and self.temporal (an nn.Conv1d)")
count = sum(p.numel() for p in block.parameters())
assert count == 325, f"Conv2Plus1d(3, 5) has 16*3*5 + 5 + 3*5*5 + 5 = 325 parameters, yours has {count}"
assert conv2plus1d_parameters(3, 5) == 325 and conv2plus1d_parameters(64, 128) == 180480, (
    f"your formula gives {conv2plus1d_parameters(3, 5)} for (3, 5) and {conv2plus1d_parameters(64, 128)} for (64, 128); "
    "expected 325 and 180480: count the weights and the biases of both convolutions")
with torch.no_grad():
    changed = x.clone()
    changed[:, :, 4] += 1  # change frame 4 only
    effect = (block(changed) - block(x)).abs().amax(dim=(0, 1, 3, 4))  # per output time step
assert effect[3] > 0 and effect[5] > 0, "changing frame 4 must change the output at times 3 and 5: mix neighbouring frames"
assert effect[:3].max() == 0 and effect[6:].max() == 0, (
    f"changing frame 4 must leave times 0-2 and 6-7 alone (a kernel of 3 frames), but it changed times "
    f"{torch.nonzero(effect).flatten().tolist()}: are the time and pixel axes mixed up in a reshape?")
with torch.no_grad():
    still = block(x[:, :, :1].expand(-1, -1, 8, -1, -1))  # one frame, repeated 8 times
assert torch.allclose(still[:, :, 1:-1], still[:, :, 1:2].expand(-1, -1, 6, -1, -1), atol=1e-6), (
    "a clip of one repeated frame must give the same output at every inner time step: "
    "use the same spatial convolution on every frame")
with torch.no_grad():
    block.temporal.weight.zero_()
    block.temporal.bias.zero_()
    block.temporal.weight[:, :, 1] = -torch.eye(5)  # the temporal convolution now only flips the sign
    y = block(x)
    expected = torch.stack([-F.leaky_relu(block.spatial(x[:, :, t]), 0.2) for t in range(8)], dim=2)
assert torch.allclose(y, expected, atol=1e-5), (
    "with the temporal convolution set to minus the identity, the block must give -LeakyReLU(spatial(frame)) at "
    "every frame: LeakyReLU(0.2) right after the spatial convolution, nothing after the temporal one")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "block_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 2 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _block_with_reference_weights(c_in, c_out, stride, shape):
    from vgan_course.models.video import Conv2Plus1d as Reference

    reference = Reference(c_in, c_out, time_stride=stride)  # made first: its weights do not depend on yours
    x = torch.randn(*shape)
    block = Conv2Plus1d(c_in, c_out, time_stride=stride)
    block.load_state_dict(reference.state_dict())
    with torch.no_grad():
        return block(x)


probe("output shapes, strides 1, 2, 4", lambda: [tuple(Conv2Plus1d(2, 4, time_stride=s)(torch.randn(1, 2, 9, 12, 12)).shape)
                                                 for s in (1, 2, 4)])
probe("parameters of the module (6, 10)", lambda: sum(p.numel() for p in Conv2Plus1d(6, 10).parameters()))
probe("formula, several sizes", lambda: [conv2plus1d_parameters(a, b) for a, b in ((1, 8), (6, 10), (64, 128))])
probe("values with the reference's weights, stride 1", lambda: _block_with_reference_weights(2, 3, 1, (2, 2, 6, 8, 8)))
probe("values with the reference's weights, stride 2", lambda: _block_with_reference_weights(4, 6, 2, (1, 4, 8, 8, 8)))
### END HIDDEN TESTS

# %% [markdown]
# ### Why factorise? Count the parameters
#
# A full 3-D convolution with the same reach, `nn.Conv3d(c_in, c_out, kernel_size=(3, 4, 4))`, has
# $48\,c_\text{in}c_\text{out} + c_\text{out}$ parameters; the (2+1)-D block has
# $16\,c_\text{in}c_\text{out} + 3\,c_\text{out}^2 + 2\,c_\text{out}$. For the video discriminator's last
# block, 64 -> 128 channels: 393,344 against 180,480, less than half, with one more nonlinearity
# in between. It is also faster: on 2 CPU cores a full 3-D convolution was about 7 times slower
# per training step on 16 x 32 x 32 clips (see `vgan_course.models.video`). Check the counts
# yourself with `sum(p.numel() for p in nn.Conv3d(64, 128, (3, 4, 4)).parameters())`.

# %% [markdown]
# ## Part 3 · Frames for the image discriminator (2 points)
#
# MoCoGAN has two discriminators: $D_V$ judges whole clips, $D_I$ judges single frames. To feed
# $D_I$, pick `k` frames of every clip at random. Write `sample_frames(video, k, generator=None)`:
#
# - `video (batch, time, channels, h, w)` -> images `(batch * k, channels, h, w)`: clip 0's `k`
#   frames first, then clip 1's, and so on;
# - draw the frame indices with exactly one call, `torch.randint(time, (batch, k), generator=generator)`:
#   row `b` holds clip `b`'s indices (so your frames are the ones the grader expects for a given generator);
# - anything that is not a 5-D tensor raises a `ValueError` that names the expected and the received shape.

# %% nbgrader={"grade": false, "grade_id": "frames", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_frames(video: torch.Tensor, k: int = 1, generator: torch.Generator | None = None) -> torch.Tensor:
    """k random frames of every clip (batch, time, c, h, w) -> images (batch * k, c, h, w)."""
    ### BEGIN SOLUTION
    if not isinstance(video, torch.Tensor) or video.dim() != 5:
        got = tuple(video.shape) if isinstance(video, torch.Tensor) else type(video).__name__
        raise ValueError(f"video must have shape (batch, time, channels, height, width), got {got}")
    batch, time = video.shape[:2]
    which = torch.randint(time, (batch, k), generator=generator)  # (batch, k) frame indices
    return video[torch.arange(batch)[:, None], which].flatten(0, 1)
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "frames_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 3
numbered = torch.arange(24.0).view(4, 6, 1, 1, 1).expand(4, 6, 1, 3, 3)  # frame t of clip b is filled with 6 b + t
frames = sample_frames(numbered, 3, generator=torch.Generator().manual_seed(0))
assert isinstance(frames, torch.Tensor) and tuple(frames.shape) == (12, 1, 3, 3), (
    f"4 clips, 3 frames each: expected images (12, 1, 3, 3), got "
    f"{tuple(frames.shape) if isinstance(frames, torch.Tensor) else type(frames).__name__}")
labels = frames[:, 0, 0, 0]
assert torch.equal(frames, labels.view(12, 1, 1, 1).expand(12, 1, 3, 3)), "return whole frames of the clips"
clips = (labels // 6).long().tolist()
assert clips == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], (
    f"each clip's frames must come from that clip, clip 0's first: your frames came from clips {clips}")
drawn = torch.randint(6, (4, 3), generator=torch.Generator().manual_seed(0))
assert torch.equal((labels % 6).long().view(4, 3), drawn), (
    f"with this generator the frames should be {drawn.tolist()} (one call to torch.randint(time, (batch, k), "
    f"generator=generator)), got {(labels % 6).long().view(4, 3).tolist()}")
try:
    sample_frames(torch.randn(6, 1, 3, 3), 2)
except ValueError as error:
    assert "(6, 1, 3, 3)" in str(error), f"the ValueError should name the shape received, (6, 1, 3, 3); yours says: {error}"
else:
    raise AssertionError("a 4-D tensor (6, 1, 3, 3), a clip without its batch dimension, must raise a ValueError")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "frames_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 3 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _clip_of_each_frame():
    numbered = torch.arange(35.0).view(5, 7, 1, 1, 1).expand(5, 7, 1, 2, 2)
    return (sample_frames(numbered, 4)[:, 0, 0, 0] // 7).long()


def _error_name(compute):
    try:
        compute()
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    return "no error"


probe("seeded generator, k = 3", lambda: sample_frames(torch.randn(5, 7, 2, 4, 4), 3, generator=torch.Generator().manual_seed(11)))
probe("seeded generator, k = 1, colour", lambda: sample_frames(torch.randn(3, 16, 3, 8, 8), 1,
                                                               generator=torch.Generator().manual_seed(12)))
probe("no generator given", lambda: sample_frames(torch.randn(4, 5, 1, 4, 4), 2))
probe("frames come from their own clip", _clip_of_each_frame)
probe("a 4-D input raises ValueError", lambda: _error_name(lambda: sample_frames(torch.randn(8, 1, 4, 4), 2)))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 · The Fréchet distance between feature sets (3 points)
#
# Lesson 03 scores generators by the Fréchet distance (FD) between the features of real and of
# generated clips (FVD, Unterthiner et al. 2019, on the course's own feature network). Fit a
# Gaussian to each set, mean $\mu$ and **sample** covariance $\Sigma$ (divide by $N - 1$), then
#
# $$\mathrm{FD} = \lVert\mu_r - \mu_f\rVert^2 + \mathrm{Tr}\big(\Sigma_r + \Sigma_f - 2\,(\Sigma_r\Sigma_f)^{1/2}\big).$$
#
# `real_features (N, D)` and `fake_features (M, D)` are tensors; return a Python `float`. Compute
# in float64. $(\Sigma_r\Sigma_f)^{1/2}$ is a *matrix* square root (not element-wise): use
# `scipy.linalg.sqrtm` (keep the real part) or note that $\mathrm{Tr}\,(\Sigma_r\Sigma_f)^{1/2}$ is the
# sum of the square roots of the eigenvalues of $\Sigma_r\Sigma_f$ (real and $\ge 0$, up to rounding).

# %% nbgrader={"grade": false, "grade_id": "fd", "locked": false, "schema_version": 3, "solution": true, "task": false}
def frechet_distance(real_features: torch.Tensor, fake_features: torch.Tensor) -> float:
    """FD between the Gaussians fitted to real_features (N, D) and fake_features (M, D)."""
    ### BEGIN SOLUTION
    real, fake = real_features.double(), fake_features.double()
    mu_r, mu_f = real.mean(dim=0), fake.mean(dim=0)
    cov_r, cov_f = torch.cov(real.T), torch.cov(fake.T)  # sample covariances (divide by N - 1)
    eigenvalues = torch.linalg.eigvals(cov_r @ cov_f).real.clamp_min(0)
    trace_sqrt = eigenvalues.sqrt().sum()  # Tr((S_r S_f)^(1/2))
    distance = (mu_r - mu_f).pow(2).sum() + cov_r.trace() + cov_f.trace() - 2 * trace_sqrt
    return max(float(distance), 0.0)  # rounding can leave -1e-14 where the distance is 0
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "fd_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 4, on feature sets whose Gaussians we know exactly
from vgan_course.metrics import frechet_distance as package_fd  # the course's own, as a reference

hadamard = torch.ones(1, 1)
for _ in range(3):
    hadamard = torch.cat([torch.cat([hadamard, hadamard], 1), torch.cat([hadamard, -hadamard], 1)], 0)
signs = hadamard[:, 1:4]  # 8 samples of 3 features: mean 0, sample covariance exactly 8/7 I
a, b = torch.tensor([1.0, 4.0, 9.0]), torch.tensor([4.0, 1.0, 1.0])
real = signs * (a * 7 / 8).sqrt()  # mean 0, sample covariance diag(1, 4, 9)
fake = signs * (b * 7 / 8).sqrt() + torch.tensor([1.0, 0.0, 2.0])  # mean (1, 0, 2), covariance diag(4, 1, 1)
got = frechet_distance(real, fake)
assert isinstance(got, float), f"return a Python float (float(...)), got {type(got).__name__}"
assert abs(frechet_distance(real, real.clone())) < 1e-6, (
    f"a set against itself has FD 0, got {frechet_distance(real, real.clone()):.3g} (compute in float64)")
shift = torch.tensor([0.5, -1.0, 2.0])
assert math.isclose(frechet_distance(real, real + shift), 5.25, rel_tol=1e-3), (
    f"shifting a set by v changes only the means: FD = |v|^2 = 5.25, got {frechet_distance(real, real + shift):.4f} "
    "(torch.cov wants one variable per row: the covariance of features (N, D) is torch.cov(features.T), D x D)")
assert math.isclose(got, 11.0, rel_tol=1e-3), (
    f"|mu_r - mu_f|^2 = 5 and, for diagonal covariances, sum (sqrt(a) - sqrt(b))^2 = 1 + 1 + 4 = 6, so FD = 11; got {got:.4f} "
    "(sample covariance: divide by N - 1)")
torch.manual_seed(4)
real = torch.randn(300, 5) @ torch.randn(5, 5)
fake = torch.randn(200, 5) @ torch.randn(5, 5) + 0.3
assert math.isclose(frechet_distance(real, fake), package_fd(real, fake), rel_tol=1e-3), (
    f"on correlated features: expected {package_fd(real, fake):.4f}, got {frechet_distance(real, fake):.4f}; "
    "S_r S_f is not diagonal here: use a matrix square root, not an element-wise one")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "fd_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 4 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _two_gaussians():
    real = torch.randn(300, 6) * torch.linspace(0.5, 2.0, 6) + 1.0
    fake = torch.randn(200, 6) @ (0.8 * torch.randn(6, 6)) - 0.5
    return frechet_distance(real, fake)


def _identical():
    features = torch.randn(100, 5) @ torch.randn(5, 5)
    return frechet_distance(features, features.clone())


def _shifted():
    features = torch.randn(120, 4) @ torch.randn(4, 4)
    return frechet_distance(features, features + torch.tensor([1.0, -2.0, 0.5, 3.0]))


def _correlated():
    real = torch.randn(400, 16) @ (0.3 * torch.randn(16, 16))
    fake = torch.randn(250, 16) @ (0.3 * torch.randn(16, 16)) + 0.2
    return frechet_distance(real, fake)


probe("two Gaussian sets, D = 6", _two_gaussians)
probe("identical sets", _identical)
probe("a shifted copy", _shifted)
probe("correlated features, D = 16", _correlated)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 · Reading the results table (2 points, graded by hand)
#
# Look at the results table of lesson 03: frame-level FD, clip-level FD and identity consistency
# for each generator, with the real-vs-real row on top. In four to six sentences: why can the
# frame-independent baseline score a good frame-level FD but a poor clip-level FD and a low
# identity consistency? What does the MoCoGAN run *without* the video discriminator test? What
# does the real-vs-real row mean, and how should you read the other rows against it?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_results", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The frame-independent baseline is a good image generator: each of its frames, alone, looks like
# a real frame, so the frame-level FD, which compares single frames, is good. But nothing ties
# frame t to frame t + 1, so the digit changes identity and jumps from place to place: the clip
# features, which include how the object moves, are far from the real ones (poor clip-level FD),
# and the per-frame classifier disagrees across a clip (low identity consistency; at the shipped
# budget it is low for every generator, because blurry generated digits confuse the classifier,
# so this number alone does not rank them). MoCoGAN without the video discriminator keeps the
# fixed content code and the GRU, but only single frames are judged: it tests what the video
# discriminator adds, i.e. whether realistic motion is learnt without anything that ever sees
# two frames together (in the lesson it barely moves, its frames collapse and its clip FD is
# over three times MoCoGAN's). The real-vs-real row is the FD between two independent samples
# of real clips: not 0 because of the finite sample, it is the floor no generator can beat at that
# sample size; read each row as its distance above that floor, and treat differences smaller than
# the bootstrap intervals as no difference.
# ### END SOLUTION

# %% [markdown]
# ## Done?
# *Restart & Run All*: every check must print `Success!`. Then hand in this notebook.
