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
# # Assignment 04 · Video style transfer
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/assignments/04_video_style_transfer.ipynb)
#
# Work through lesson 04 first. Then fill in each `# YOUR CODE HERE` and run the check cell
# right below it: it tells you at once what is wrong. When every check prints `Success!`, run the
# whole notebook top to bottom (*Restart & Run All*) and hand it in.
#
# | part | what you write | points |
# |---|---|---|
# | 1 | backward warping of a frame by an optical flow, with `grid_sample` | 3 |
# | 2 | Ruder et al.'s occlusion-masked temporal loss | 3 |
# | 3 | CycleGAN's cycle-consistency loss | 2 |
# | 4 | Recycle-GAN's recycle loss, through a temporal predictor | 3 |
# | 5 | a written answer on lesson 04's results table (graded by hand) | 2 |
#
# Your grade comes from hidden tests that call your functions on new inputs; passing the visible
# checks is a strong sign, not a guarantee. Do not rename the functions, and do not delete or
# edit the cells that are not yours. Do not call `vgan_course.data.warp` or `vgan_course.losses`
# in your answers: the point is to write them (some check cells use them as references).

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
# ## Part 1 · Backward warping (3 points)
#
# Everything in lesson 04 that fights flicker rests on one operation. With the forward optical
# flow $w$ from frame $t$ to frame $t+1$ (where each pixel of frame $t$ goes), **backward
# warping** pulls frame $t+1$ back onto frame $t$'s pixels:
#
# $$\omega(x_{t+1}, w)(p) = x_{t+1}\big(p + w(p)\big).$$
#
# Where the flow is right and the pixel is visible in both frames, $\omega(x_{t+1}, w) = x_t$.
# Write `warp(frame, flow)`:
#
# - `frame (n, c, h, w)`; `flow (n, 2, h, w)` in pixels, channel 0 = $dx$ (to the right),
#   channel 1 = $dy$ (down); return `(n, c, h, w)` with `out[:, :, y, x]` = `frame` read at the
#   point $(x + dx, y + dy)$, interpolated bilinearly between pixel centres;
# - read with `F.grid_sample(frame, grid, mode="bilinear", padding_mode="border", align_corners=False)`.
#   `grid (n, h, w, 2)` holds, for every output pixel, the point to read in *normalised*
#   coordinates, **x first, then y**. With `align_corners=False`, $-1$ is the outer edge of the
#   first pixel and $+1$ that of the last, so the centre of column $i$ sits at $(2i + 1)/w - 1$
#   (rows likewise, with $h$); a shift of one pixel is $2/w$;
# - a point outside the frame reads the nearest edge pixel (that is `padding_mode="border"`).
#
# Keep it differentiable with respect to both the frame and the flow.
#
# *Hint:* `torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")` gives every pixel's row
# and column; build them with the frame's `dtype` and `device`.

# %% nbgrader={"grade": false, "grade_id": "warp", "locked": false, "schema_version": 3, "solution": true, "task": false}
def warp(frame: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Backward warp: frame (n, c, h, w), flow (n, 2, h, w) in pixels -> out(x, y) = frame(x + dx, y + dy)."""
    ### BEGIN SOLUTION
    h, w = frame.shape[-2:]
    rows, cols = torch.meshgrid(torch.arange(h, dtype=frame.dtype, device=frame.device),
                                torch.arange(w, dtype=frame.dtype, device=frame.device), indexing="ij")
    x = (2 * (cols + flow[:, 0]) + 1) / w - 1  # pixel (column) -> normalised, align_corners=False
    y = (2 * (rows + flow[:, 1]) + 1) / h - 1
    grid = torch.stack([x, y], dim=-1)  # (n, h, w, 2): x first
    return F.grid_sample(frame, grid, mode="bilinear", padding_mode="border", align_corners=False)
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "warp_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 1
from vgan_course.data import warp as course_warp  # the course's own, as a reference

torch.manual_seed(1)
frames = torch.rand(2, 3, 6, 8) * 2 - 1
no_flow = torch.zeros(2, 2, 6, 8)
still = warp(frames, no_flow)
assert isinstance(still, torch.Tensor) and tuple(still.shape) == (2, 3, 6, 8), (
    f"frames (2, 3, 6, 8) must give (2, 3, 6, 8), got {tuple(still.shape) if isinstance(still, torch.Tensor) else type(still).__name__}")
assert torch.allclose(still, frames, atol=1e-5), (
    "a zero flow must give the frame back: read at the pixel centres, (2 i + 1) / w - 1, with align_corners=False")
right = no_flow.clone()
right[:, 0] = 2.0  # every pixel moves 2 to the right
pulled = warp(torch.roll(frames, shifts=2, dims=3), right)
assert torch.allclose(pulled[..., :6], frames[..., :6], atol=1e-5), (
    "the content moved 2 pixels to the right (flow dx = +2 in channel 0): warping the moved frame back must give the "
    "original in columns 0-5, out(x, y) = frame(x + dx, y + dy). Check the sign of the flow, and that channel 0 moves "
    "along the width, i.e. is the grid's first (x) coordinate")
down = no_flow.clone()
down[:, 1] = 1.0  # every pixel moves 1 down
assert torch.allclose(warp(torch.roll(frames, shifts=1, dims=2), down)[:, :, :5], frames[:, :, :5], atol=1e-5), (
    "the content moved 1 pixel down (flow dy = +1 in channel 1, a frame 6 high and 8 wide): warping back must give "
    "the original in rows 0-4; normalise y by the height and x by the width")
half = no_flow.clone()
half[:, 0] = 0.5
assert torch.allclose(warp(frames, half)[..., :7], (frames[..., :7] + frames[..., 1:]) / 2, atol=1e-5), (
    "half a pixel to the right must read the average of a pixel and its right neighbour: bilinear interpolation")
far = no_flow.clone()
far[:, 0] = 100.0
assert torch.allclose(warp(frames, far), frames[..., 7:].expand(-1, -1, -1, 8), atol=1e-5), (
    "a point beyond the right edge must read the last column: padding_mode='border'")
flow = (torch.randn(2, 2, 6, 8) * 2).requires_grad_(True)
out = warp(frames, flow)
assert torch.allclose(out, course_warp(frames, flow), atol=1e-5), (
    f"on random sub-pixel flows your warp differs from the course's by up to {(out - course_warp(frames, flow)).abs().max():.3g}")
(gradient,) = torch.autograd.grad(out.sum(), flow)
assert gradient.abs().sum() > 0, "the warp must stay differentiable w.r.t. the flow (no rounding, no .detach())"
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "warp_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 1 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _uniform_flow(n, h, w, dx, dy):
    flow = torch.zeros(n, 2, h, w)
    flow[:, 0], flow[:, 1] = dx, dy
    return flow


def _warp_gradients():
    frame = torch.randn(2, 3, 5, 9, requires_grad=True)
    flow = (1.5 * torch.randn(2, 2, 5, 9)).requires_grad_(True)
    return torch.autograd.grad((warp(frame, flow) * torch.randn(2, 3, 5, 9)).sum(), [frame, flow])


probe("shift right by 3, colour frames",
      lambda: warp(torch.roll(torch.randn(2, 3, 8, 10), 3, dims=3), _uniform_flow(2, 8, 10, 3.0, 0.0)))
probe("shift down by 2, frames 7 x 12",
      lambda: warp(torch.roll(torch.randn(3, 1, 7, 12), 2, dims=2), _uniform_flow(3, 7, 12, 0.0, 2.0)))
probe("random sub-pixel flows, frames 9 x 6", lambda: warp(torch.randn(2, 3, 9, 6), 2 * torch.randn(2, 2, 9, 6)))
probe("flow leaving the frame reads the border", lambda: warp(torch.randn(2, 2, 6, 9), _uniform_flow(2, 6, 9, -20.0, 0.5)))
probe("gradients w.r.t. the frame and the flow", _warp_gradients)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 · The temporal loss (3 points)
#
# Ruder, Dosovitskiy and Brox (2016) keep a stylised clip from flickering with one extra term:
# the stylised frame $t+1$, warped back along the flow **of the input**, must equal the stylised
# frame $t$ wherever the pixel is visible in both frames,
#
# $$\mathcal{L}_{\text{temp}} = \frac{1}{D} \sum_{p} c(p)\,\big(o_t(p) - \omega(o_{t+1}, w)(p)\big)^2,$$
#
# with $c$ the occlusion mask (1 where the pixel is seen in both frames, 0 where it is covered or
# uncovered; values in between are allowed) and $D$ the number of **all** values of $o_t$
# (batch times channels times pixels, occluded ones included). Write
# `temporal_loss(output_t, output_next, flow, visible)`:
#
# - `output_t`, `output_next (n, c, h, w)`: the generator's outputs for frames $t$ and $t+1$;
# - `flow (n, 2, h, w)`: the forward flow from $t$ to $t+1$, in part 1's convention;
# - `visible (n, 1, h, w)`: the mask $c$, the same for every channel;
# - return a scalar tensor, differentiable w.r.t. both outputs (the generator learns from both).
#
# Call your `warp` from part 1. (The hidden tests of this part put the course's warp in its place,
# so a mistake in part 1 does not cost you points twice.)

# %% nbgrader={"grade": false, "grade_id": "temporal", "locked": false, "schema_version": 3, "solution": true, "task": false}
def temporal_loss(output_t: torch.Tensor, output_next: torch.Tensor, flow: torch.Tensor,
                  visible: torch.Tensor) -> torch.Tensor:
    """Mean over all values of visible * (output_t - warp(output_next, flow))**2; a scalar."""
    ### BEGIN SOLUTION
    difference = output_t - warp(output_next, flow)  # (n, c, h, w)
    return (visible * difference.pow(2)).mean()  # the mask broadcasts over the channels
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "temporal_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 2
from vgan_course import losses as course_losses  # the course's own, as a reference

torch.manual_seed(2)
out_t = torch.rand(2, 3, 6, 8) * 2 - 1
out_next = torch.roll(out_t, shifts=2, dims=3)  # the output moves exactly with the flow below
flow = torch.zeros(2, 2, 6, 8)
flow[:, 0] = 2.0
visible = torch.ones(2, 1, 6, 8)
visible[..., 6:] = 0  # the last two columns point outside the frame: not seen in both frames
loss = temporal_loss(out_t, out_next, flow, visible)
assert isinstance(loss, torch.Tensor) and loss.dim() == 0, (
    f"return a scalar tensor, got {tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}")
assert loss.item() < 1e-8, (
    f"an output that moves exactly as the flow says has no temporal loss where visible, got {loss.item():.3g}. Warp "
    "output_next (frame t + 1) back with the flow and compare it with output_t; multiply by the mask (the last two "
    "columns are not visible here); and make part 1's check pass first: this uses your warp")
changed = out_t.clone()
changed[..., 6:] += 5.0  # change only pixels the mask hides
assert temporal_loss(changed, out_next, flow, visible).item() < 1e-8, (
    "pixels with visible = 0 must not count: multiply the squared difference by the mask")
ones, zeros, left_half = torch.ones(1, 3, 4, 4), torch.zeros(1, 3, 4, 4), torch.zeros(1, 1, 4, 4)
left_half[..., :2] = 1
got = temporal_loss(ones, zeros, torch.zeros(1, 2, 4, 4), left_half).item()
assert abs(got - 0.5) < 1e-6, (
    f"outputs 1 and 0, no motion, half the pixels visible: 24 of 48 values count, so the loss is 24 / 48 = 0.5; got "
    f"{got:.4g}. Divide by all n * c * h * w values, not by the number of visible ones")
got = temporal_loss(2 * ones, zeros, torch.zeros(1, 2, 4, 4), torch.ones(1, 1, 4, 4)).item()
assert abs(got - 4.0) < 1e-6, f"a difference of 2 everywhere gives (2)^2 = 4, got {got:.4g}: square the difference"
out_t = torch.randn(2, 3, 5, 7, requires_grad=True)
out_next = torch.randn(2, 3, 5, 7, requires_grad=True)
flow, visible = 2 * torch.randn(2, 2, 5, 7), torch.rand(2, 1, 5, 7)
loss = temporal_loss(out_t, out_next, flow, visible)
expected = course_losses.temporal_loss(out_t, out_next, flow, visible)
assert torch.allclose(loss, expected, atol=1e-6), (
    f"random outputs, flows and soft masks: expected {expected.item():.5f}, got {loss.item():.5f}")
grads = torch.autograd.grad(loss, [out_t, out_next], allow_unused=True)
assert all(g is not None and g.abs().sum() > 0 for g in grads), (
    "the loss must be differentiable w.r.t. both outputs: no .detach() and no torch.no_grad()")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "temporal_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 2 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _with_course(name, reference, compute):
    """Run ``compute`` with the course's ``reference`` in place of the student's function ``name``,
    so that a mistake in an earlier part is graded there only (part 4 uses this too)."""
    namespace = globals()
    own = namespace.get(name)
    namespace[name] = reference
    try:
        return compute()
    finally:
        namespace[name] = own


def _with_course_warp(compute):
    from vgan_course.data import warp as reference

    return _with_course("warp", reference, compute)


def _temporal_gradients():
    out_t, out_next = torch.randn(2, 3, 6, 6, requires_grad=True), torch.randn(2, 3, 6, 6, requires_grad=True)
    loss = temporal_loss(out_t, out_next, 1.5 * torch.randn(2, 2, 6, 6), (torch.rand(2, 1, 6, 6) > 0.3).float())
    return torch.autograd.grad(loss, [out_t, out_next])


probe("random outputs, flows and masks", lambda: _with_course_warp(lambda: temporal_loss(
    torch.randn(3, 3, 8, 10), torch.randn(3, 3, 8, 10), 2 * torch.randn(3, 2, 8, 10), (torch.rand(3, 1, 8, 10) > 0.2).float())))
probe("a soft mask, one channel", lambda: _with_course_warp(lambda: temporal_loss(
    torch.randn(2, 1, 7, 5), torch.randn(2, 1, 7, 5), torch.randn(2, 2, 7, 5), torch.rand(2, 1, 7, 5))))
probe("nothing visible, then everything visible", lambda: _with_course_warp(lambda: [temporal_loss(
    torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4), torch.randn(2, 2, 4, 4), torch.full((2, 1, 4, 4), float(seen)))
    for seen in (0, 1)]))
probe("gradients w.r.t. both outputs", lambda: _with_course_warp(_temporal_gradients))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 · The cycle-consistency loss (2 points)
#
# CycleGAN (Zhu et al. 2017) learns $G: A \to B$ and $F: B \to A$ from unpaired frames. The
# adversarial losses alone let $G$ map every A frame to *some* good-looking B frame; the cycle
# loss asks that the round trip give the frame back, $F(G(a)) \approx a$ and $G(F(b)) \approx b$:
#
# $$\mathcal{L}_{\text{cyc}} = \mathbb{E}\,\lVert F(G(a)) - a \rVert_1 + \mathbb{E}\,\lVert G(F(b)) - b \rVert_1 .$$
#
# Write one term, `cycle_consistency_loss(original, reconstructed)`: the **mean absolute error**
# over every value, a scalar tensor, for tensors of any shape (frames or clips), both the same
# shape. If the shapes differ, raise a `ValueError` that names both: broadcasting `(n, 3, h, w)`
# against `(n, 1, h, w)` would silently compute something else.

# %% nbgrader={"grade": false, "grade_id": "cycle", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cycle_consistency_loss(original: torch.Tensor, reconstructed: torch.Tensor) -> torch.Tensor:
    """Mean |reconstructed - original| over all values; a ValueError if the shapes differ."""
    ### BEGIN SOLUTION
    if original.shape != reconstructed.shape:
        raise ValueError(f"original and reconstructed must have one shape, got {tuple(original.shape)} "
                         f"and {tuple(reconstructed.shape)}")
    return (reconstructed - original).abs().mean()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "cycle_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 3
from vgan_course import losses as course_losses  # the course's own, as a reference

torch.manual_seed(3)
frames = torch.rand(4, 3, 5, 5) * 2 - 1
loss = cycle_consistency_loss(frames, frames.clone())
assert isinstance(loss, torch.Tensor) and loss.dim() == 0, (
    f"return a scalar tensor, got {tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}")
assert loss.item() == 0, f"a perfect round trip costs nothing, got {loss.item():.3g}"
got = cycle_consistency_loss(torch.zeros(2, 3, 4, 4), torch.full((2, 3, 4, 4), -2.0)).item()
assert abs(got - 2.0) < 1e-6, (
    f"a round trip off by -2 everywhere costs |-2| = 2, got {got:.4g}: the mean *absolute* error (L1), not squared, not summed")
clips = torch.randn(2, 3, 3, 4, 4)
reconstructed = clips + torch.randn(2, 3, 3, 4, 4)
assert torch.allclose(cycle_consistency_loss(clips, reconstructed), course_losses.cycle_consistency_loss(clips, reconstructed)), (
    "on clips (n, T, c, h, w) the loss is again the mean absolute error over every value")
try:
    cycle_consistency_loss(torch.zeros(2, 3, 4, 4), torch.zeros(2, 1, 4, 4))
except ValueError as error:
    assert "(2, 3, 4, 4)" in str(error) and "(2, 1, 4, 4)" in str(error), (
        f"the ValueError should name both shapes, (2, 3, 4, 4) and (2, 1, 4, 4); yours says: {error}")
else:
    raise AssertionError("shapes (2, 3, 4, 4) and (2, 1, 4, 4) must raise a ValueError, not broadcast")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "cycle_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 3 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _mismatch_error():
    try:
        cycle_consistency_loss(torch.zeros(3, 3, 8, 8), torch.zeros(3, 3, 8, 1))
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    return "no error"


probe("random frames", lambda: cycle_consistency_loss(torch.randn(5, 3, 6, 6), torch.randn(5, 3, 6, 6)))
probe("random clips", lambda: cycle_consistency_loss(torch.randn(2, 4, 3, 5, 5), 0.1 * torch.randn(2, 4, 3, 5, 5)))
probe("shapes that would broadcast raise ValueError", _mismatch_error)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 · Recycle-GAN's recycle loss (3 points)
#
# Recycle-GAN (Bansal et al. 2018) constrains time without any flow. A temporal predictor $P_B$
# predicts frame $t+1$ of a B clip from frames $t-1$ and $t$. The **recycle loss** translates two A
# frames to B, predicts the next B frame there, translates it back to A, and compares it with the
# real next A frame:
#
# $$\mathcal{L}_{\text{rec}} = \mathbb{E}\,\big\lVert a_{t+1} - G_{BA}\big(P_B(G_{AB}(a_{t-1}), G_{AB}(a_t))\big)\big\rVert_1 .$$
#
# Write `recycle_loss(clip, G_ab, G_ba, P_b)`:
#
# - `clip (n, 3, c, h, w)`: three consecutive A frames $a_{t-1}, a_t, a_{t+1}$ (time on dim 1);
# - `G_ab`, `G_ba`: callables (networks, or plain functions) from frames `(n, c, h, w)` to frames
#   `(n, c, h, w)`;
# - `P_b`: a callable from two frames stacked on dim 1, `(n, 2, c, h, w)`, **earlier frame first**,
#   to the predicted next frame `(n, c, h, w)`;
# - return the mean absolute error over every value, a scalar tensor, differentiable w.r.t. all
#   three networks (it trains them all).
#
# You may use your `cycle_consistency_loss` for the last step. (The hidden tests of this part use
# the course's L1 in its place, so a mistake in part 3 does not cost you points twice.)

# %% nbgrader={"grade": false, "grade_id": "recycle", "locked": false, "schema_version": 3, "solution": true, "task": false}
def recycle_loss(clip: torch.Tensor, G_ab, G_ba, P_b) -> torch.Tensor:
    """Mean |a_{t+1} - G_ba(P_b(stack(G_ab(a_{t-1}), G_ab(a_t))))| for clip (n, 3, c, h, w) = (a_{t-1}, a_t, a_{t+1})."""
    ### BEGIN SOLUTION
    in_b = torch.stack([G_ab(clip[:, 0]), G_ab(clip[:, 1])], dim=1)  # (n, 2, c, h, w): a_{t-1}, a_t restyled as B
    back_in_a = G_ba(P_b(in_b))  # the predicted B frame t+1, translated back to A
    return cycle_consistency_loss(clip[:, 2], back_in_a)
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "recycle_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 4
from vgan_course import losses as course_losses  # the course's own, as a reference

torch.manual_seed(4)
brightening = torch.rand(2, 1, 3, 4, 4) * 0.5 + 0.25 * torch.arange(3.0).view(1, 3, 1, 1, 1)  # +0.25 per frame
identity = lambda frames: frames  # noqa: E731
extrapolate = lambda pair: 2 * pair[:, 1] - pair[:, 0]  # noqa: E731  linear extrapolation: t+1 = t + (t - (t-1))
copy_last = lambda pair: pair[:, 1]  # noqa: E731  "nothing moves"
loss = recycle_loss(brightening, identity, identity, copy_last)
assert isinstance(loss, torch.Tensor) and loss.dim() == 0, (
    f"return a scalar tensor, got {tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}")
assert abs(loss.item() - 0.25) < 1e-6, (
    f"a predictor that copies frame t predicts a_t, which is 0.25 darker than a_(t+1) everywhere: the loss is 0.25, got "
    f"{loss.item():.4g}. (0 means you compared with a_t, not with the third frame clip[:, 2]; 0.5 means P_b got the "
    "frames in reversed order: stack them on dim 1, earlier first; use the mean absolute error, and if you call your "
    "part 3 loss, make part 3's check pass first)")
got = recycle_loss(brightening, identity, identity, extrapolate).item()
assert got < 1e-6, (
    f"identity generators and a predictor that extrapolates linearly give back the third frame of a linearly brightening "
    f"clip exactly: the loss must be 0, got {got:.4g}")
got = recycle_loss(brightening, lambda frames: frames + 1.0, identity, extrapolate).item()
assert abs(got - 1.0) < 1e-6, (
    f"with G_ab(x) = x + 1 and G_ba = identity the round trip is off by 1 everywhere: loss 1, got {got:.4g}. "
    "Translate the two first frames with G_ab, and the prediction back with G_ba")
G_ab, G_ba, P = nn.Conv2d(3, 3, 1), nn.Conv2d(3, 3, 1), nn.Conv2d(6, 3, 3, padding=1)
P_b = lambda pair: P(pair.flatten(1, 2))  # noqa: E731
clip = torch.randn(2, 3, 3, 5, 5)
loss = recycle_loss(clip, G_ab, G_ba, P_b)
expected = course_losses.recycle_loss(clip[:, 2], G_ba(P_b(torch.stack([G_ab(clip[:, 0]), G_ab(clip[:, 1])], dim=1))))
assert torch.allclose(loss, expected, atol=1e-6), f"with small networks: expected {expected.item():.5f}, got {loss.item():.5f}"
grads = torch.autograd.grad(loss, [G_ab.weight, G_ba.weight, P.weight], allow_unused=True)
assert all(g is not None and g.abs().sum() > 0 for g in grads), (
    "the loss must train G_ab, G_ba and P_b: keep every step differentiable (no .detach(), no torch.no_grad())")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "recycle_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 4 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _with_course_l1(compute):
    from vgan_course.losses import cycle_consistency_loss as reference

    return _with_course("cycle_consistency_loss", reference, compute)  # defined with part 2's hidden tests


def _networks(channels):
    G_ab, G_ba = nn.Conv2d(channels, channels, 3, padding=1), nn.Conv2d(channels, channels, 1)
    P = nn.Conv2d(2 * channels, channels, 3, padding=1)
    return G_ab, G_ba, P, lambda pair: P(pair.flatten(1, 2))


def _recycle_small_networks():
    G_ab, G_ba, _, P_b = _networks(3)
    return recycle_loss(torch.randn(3, 3, 3, 6, 6), G_ab, G_ba, P_b)


def _recycle_gradients():
    G_ab, G_ba, P, P_b = _networks(2)
    loss = recycle_loss(torch.randn(2, 3, 2, 5, 5), G_ab, G_ba, P_b)
    return torch.autograd.grad(loss, [G_ab.weight, G_ba.weight, P.weight, P.bias])


def _recycle_uneven_predictor():
    darken, lighten = (lambda x: 0.5 * x - 0.2), (lambda x: 2 * x + 0.4)
    return recycle_loss(torch.randn(4, 3, 3, 4, 4), darken, lighten, lambda pair: 0.3 * pair[:, 0] + 1.2 * pair[:, 1])


def _recycle_brightening():
    clip = torch.randn(3, 1, 3, 5, 5) + 0.4 * torch.arange(3.0).view(1, 3, 1, 1, 1)
    identity = lambda x: x  # noqa: E731
    return [recycle_loss(clip, identity, identity, predictor)
            for predictor in (lambda pair: 2 * pair[:, 1] - pair[:, 0], lambda pair: pair[:, 1])]


probe("a brightening clip: extrapolate, then copy the last frame", lambda: _with_course_l1(_recycle_brightening))
probe("small networks, new sizes", lambda: _with_course_l1(_recycle_small_networks))
probe("a predictor that weighs the frames unevenly", lambda: _with_course_l1(_recycle_uneven_predictor))
probe("gradients reach G_ab, G_ba and P_b", lambda: _with_course_l1(_recycle_gradients))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 · Reading the results table (2 points, graded by hand)
#
# Look at the results table of lesson 04: style accuracy and style FD, PSNR and SSIM against the
# hidden truth, warping error and tOF for per-frame CycleGAN, CycleGAN with the temporal loss
# (exact flow and estimated flow) and Recycle-GAN, with the hidden truth on top. In four to six
# sentences: why does the temporal loss lower the warping error? Why can PSNR and SSIM go *up* at
# the same time, and where would you expect its price to show? Why does the temporal loss with
# Farneback's estimated flow help less than with the exact flow?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_results", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The warping error is, but for the absolute value and the normalisation, the very quantity the
# temporal loss penalises: the masked difference between output t and output t + 1 warped back
# along the input's flow. Trained with it, the generator learns to paint the stripes so that they
# travel with the digit and to keep the background still, so the warping error on new clips falls
# while the style classifier still calls the frames B. The hidden truth is itself perfectly
# consistent, so much of the per-frame flicker was error (stripes drawn a little off in each
# frame); removing it brings the output closer to the truth, and PSNR and SSIM rise. The price is
# texture: the cheapest way to agree with the neighbouring frame is to paint less of it (a constant
# output has no temporal loss at all), which shows in a higher style FD and, with a larger weight,
# in flat stripe-less digits. Farneback's flow is only an estimate: on the flat black background
# of the plain input it is invented (the aperture problem) and bleeds the digit's motion into the
# still background, so those pixels must be masked out along with the occluded ones; only the
# digit and its rim stay constrained, the kept flow is not exact, and the model keeps only part of
# the gain.
# ### END SOLUTION

# %% [markdown]
# ## Done?
# *Restart & Run All*: every check must print `Success!`. Then hand in this notebook.
