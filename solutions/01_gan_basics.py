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
# # Assignment 01 · GAN basics
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/assignments/01_gan_basics.ipynb)
#
# Work through lesson 01 first. Then fill in each `# YOUR CODE HERE` and run the check cell
# right below it: it tells you at once what is wrong. When every check prints `Success!`, run the
# whole notebook top to bottom (*Restart & Run All*) and hand it in.
#
# | part | what you write | points |
# |---|---|---|
# | 1 | the discriminator loss | 2 |
# | 2 | the non-saturating generator loss | 2 |
# | 3 | one alternating training step | 3 |
# | 4 | a DCGAN up-sampling block | 2 |
# | 5 | counting the modes a generator covers | 2 |
# | 6 | a written answer (graded by hand) | 2 |
#
# Your grade comes from hidden tests that call your functions on new inputs; passing the visible
# checks is a strong sign, not a guarantee. Do not rename the functions, and do not delete or
# edit the cells that are not yours.

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

from vgan_course import data, profiles
from vgan_course.grading import probe

profiles.seed_everything(0)

# %% [markdown]
# ## Part 1 · The discriminator loss (2 points)
#
# The discriminator maximises $\mathbb{E}_x[\log D(x)] + \mathbb{E}_z[\log(1 - D(G(z)))]$. Our
# discriminators return logits $\ell$ with $D = \sigma(\ell)$. Write the loss it *minimises*, the
# negative of that objective, averaged over each batch, in a numerically stable way: use
# $-\log\sigma(\ell) = \mathrm{softplus}(-\ell)$ and $-\log(1 - \sigma(\ell)) = \mathrm{softplus}(\ell)$.
# Do not call `vgan_course.losses`: the point is to write it.

# %% nbgrader={"grade": false, "grade_id": "d_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Scalar loss of D: real_logits (batch,) should be judged real, fake_logits (batch,) fake."""
    ### BEGIN SOLUTION
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "d_loss_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 1
undecided = discriminator_loss(torch.zeros(4), torch.zeros(4))
assert isinstance(undecided, torch.Tensor) and undecided.dim() == 0, (
    f"expected a scalar tensor (use .mean()), got {type(undecided).__name__} of shape {getattr(undecided, 'shape', None)}")
assert torch.isclose(undecided, torch.tensor(2 * math.log(2))), (
    f"with D = 1/2 on everything the loss is 2 log 2 = {2 * math.log(2):.4f}, got {undecided.item():.4f}")
right = discriminator_loss(torch.full((4,), 10.0), torch.full((4,), -10.0)).item()
wrong = discriminator_loss(torch.full((4,), -10.0), torch.full((4,), 10.0)).item()
assert right < 0.01 and wrong > 10, (
    f"a D that is right should have a loss near 0 and a D that is wrong a large one; got {right:.3g} and {wrong:.3g}: "
    "real logits go with softplus(-l), fake logits with softplus(+l) (swapped?)")
extreme = discriminator_loss(torch.full((4,), -200.0), torch.full((4,), 200.0))
assert torch.isfinite(extreme), "logits of +-200 gave inf/nan: use softplus, not log(sigmoid(...))"
assert abs(extreme.item() - 400.0) < 0.01, (
    f"a D sure of the wrong answer (logit -200 on real, +200 on fake) has loss softplus(200) + softplus(200) = 400, got "
    f"{extreme.item():.4g}. (200 is binary cross-entropy on sigmoid outputs: sigmoid(-200) rounds to 0, and "
    "F.binary_cross_entropy caps log(0) at -100, so the loss stops growing and its gradient is 0: work on the logits, "
    "with softplus or F.binary_cross_entropy_with_logits)")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "d_loss_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 1 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _d_loss_gradients():
    real, fake = (torch.randn(8) * 2).requires_grad_(), (torch.randn(8) * 2).requires_grad_()
    return torch.autograd.grad(discriminator_loss(real, fake), [real, fake])


def _confidently_wrong():
    real, fake = torch.tensor([-150.0, -120.0], requires_grad=True), torch.tensor([130.0, 150.0], requires_grad=True)
    loss = discriminator_loss(real, fake)
    return loss, torch.autograd.grad(loss, [real, fake])


probe("random logits", lambda: discriminator_loss(torch.randn(64) * 3, torch.randn(64) * 3))
probe("different batch sizes", lambda: discriminator_loss(torch.randn(5), torch.randn(17)))
probe("extreme logits", lambda: discriminator_loss(torch.tensor([-300.0, 0.0, 300.0]), torch.tensor([300.0, -300.0, 1.0])))
probe("gradients", _d_loss_gradients)
probe("a confidently wrong D keeps its loss and gradient (no binary cross-entropy on sigmoid outputs)", _confidently_wrong)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 · The non-saturating generator loss (2 points)
#
# The generator of lesson 01 *maximises* $\log D(G(z))$ instead of minimising
# $\log(1 - D(G(z)))$. Write the loss it minimises, from the discriminator's logits on fakes.

# %% nbgrader={"grade": false, "grade_id": "g_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def generator_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """Scalar loss of G: -E[log D(G(z))], from D's logits on fakes (batch,)."""
    ### BEGIN SOLUTION
    return F.softplus(-fake_logits).mean()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "g_loss_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 2
half = generator_loss_nonsaturating(torch.zeros(3))
assert isinstance(half, torch.Tensor) and half.dim() == 0, "expected a scalar tensor (use .mean())"
assert torch.isclose(half, torch.tensor(math.log(2))), f"with D(G(z)) = 1/2 the loss is log 2 = 0.6931, got {half.item():.4f}"
rejected = torch.full((3,), -12.0, requires_grad=True)  # D is sure these are fake
loss = generator_loss_nonsaturating(rejected)
(grad,) = torch.autograd.grad(loss, rejected)
assert loss.item() > 10, (
    f"when D rejects the fakes (logit -12) the loss must be large (about 12), got {loss.item():.3g}: "
    "is this log(1 - D), the minimax loss, or the sign flipped?")
assert grad.abs().sum() > 0.9, f"the gradient should stay strong when D rejects the fakes, got {grad.abs().sum():.3g}"
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "g_loss_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 2 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _g_loss_gradient():
    fake = (torch.randn(16) * 4).requires_grad_()
    return torch.autograd.grad(generator_loss_nonsaturating(fake), fake)[0]


probe("random logits", lambda: generator_loss_nonsaturating(torch.randn(64) * 3))
probe("extreme logits", lambda: generator_loss_nonsaturating(torch.tensor([-300.0, 0.0, 300.0])))
probe("gradient", _g_loss_gradient)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 · One alternating training step (3 points)
#
# Write one round of the game, as in lesson 01:
# 1. fakes `G(z)`;
# 2. the **discriminator step**: its loss on `real` and on the *detached* fakes, `zero_grad`,
#    `backward`, `opt_d.step()`;
# 3. the **generator step**: the non-saturating loss of the *updated* `D` on the fakes, `zero_grad`,
#    `backward`, `opt_g.step()`.
#
# Return both losses as Python floats. Use your functions from parts 1 and 2.

# %% nbgrader={"grade": false, "grade_id": "train_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_step(G: nn.Module, D: nn.Module, opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer,
               real: torch.Tensor, z: torch.Tensor) -> tuple[float, float]:
    """One D step then one G step; returns (loss_d, loss_g) as floats."""
    ### BEGIN SOLUTION
    fake = G(z)
    loss_d = discriminator_loss(D(real), D(fake.detach()))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = generator_loss_nonsaturating(D(fake))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "train_step_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 3, with stub networks and stub losses whose every number we know
def with_stub_losses(fn):
    """Run fn() with simple linear stand-ins for your part 1 and 2 losses, so this checks the step alone."""
    names = ("discriminator_loss", "generator_loss_nonsaturating")
    saved = {name: globals()[name] for name in names if name in globals()}
    globals().update(discriminator_loss=lambda real, fake: (fake - real).mean(),
                     generator_loss_nonsaturating=lambda fake: -fake.mean())
    try:
        return fn()
    finally:
        for name in names:
            globals().pop(name)
        globals().update(saved)


def stub_networks(stale_gradients: bool = False):
    G = nn.Linear(1, 1, bias=False)  # G(z) = w_g z
    D = nn.Linear(1, 1, bias=False)  # logit = w_d x
    with torch.no_grad():
        G.weight.fill_(0.5)
        D.weight.fill_(1.0)
    if stale_gradients:  # what the previous step's backward passes leave behind in a real loop
        G.weight.grad, D.weight.grad = torch.full((1, 1), 100.0), torch.full((1, 1), 100.0)
    return G, D, torch.optim.SGD(G.parameters(), lr=0.1), torch.optim.SGD(D.parameters(), lr=0.1)


def explained(fn):
    """fn(), with PyTorch's errors in a training step translated into the mistake they mean."""
    try:
        return fn()
    except RuntimeError as error:
        if "modified by an inplace operation" in str(error):
            raise AssertionError(
                "PyTorch says a tensor was modified by an inplace operation: G's loss used D(fake) computed before D's "
                "update (a stale D), and opt_d.step() changed D's weights in place. Compute D(fake) again after "
                "opt_d.step()") from None
        if "backward through the graph a second time" in str(error):
            raise AssertionError(
                "PyTorch says you backward through the graph a second time: D's loss used the fakes without .detach(), "
                "so its backward went on into G and freed G's graph. Use D(fake.detach()) in D's loss. (PyTorch's "
                "suggestion, retain_graph=True, is the wrong fix: it sends D's loss into G.)") from None
        raise


def stub_step(G, D, opt_g, opt_d):
    """Your train_step on the stubs (real x = 2, z = 1)."""
    return explained(lambda: with_stub_losses(lambda: train_step(G, D, opt_g, opt_d, real=torch.tensor([[2.0]]),
                                                                 z=torch.tensor([[1.0]]))))


G, D, opt_g, opt_d = stub_networks()
arrivals = []  # every gradient computed for G's weight during the step
G.weight.register_hook(lambda grad: arrivals.append(grad))
got = stub_step(G, D, opt_g, opt_d)
assert isinstance(got, tuple) and len(got) == 2 and all(isinstance(v, float) for v in got), (
    f"return (loss_d, loss_g) as two Python floats (use .item()), got {got!r}")
# stub D loss: w_d * (G(z) - x) = 1 * (0.5 - 2) = -1.5; its gradient in w_d is -1.5, so w_d -> 1 + 0.1 * 1.5
assert abs(got[0] - (-1.5)) < 1e-5, f"loss_d: expected -1.5 with the stub loss, got {got[0]:.5f}"
assert abs(D.weight.item() - 1.15) < 1e-5, (
    f"D's weight after its step: expected 1.15, got {D.weight.item():.5f} "
    "(did D step at all? did gradients from elsewhere reach D before opt_d.step()?)")
# stub G loss: -w_d * w_g * z with the *updated* w_d = 1.15: gradient -1.15, so w_g -> 0.5 + 0.115
assert abs(G.weight.item() - 0.615) < 1e-5, (
    f"G's weight after its step: expected 0.615, got {G.weight.item():.5f} "
    "(0.6 means G's loss used D from before its update: compute D(fake) again after opt_d.step())")
assert abs(got[1] - (-0.575)) < 1e-5, f"loss_g: expected -0.575 (with the updated D), got {got[1]:.5f}"
assert len(arrivals) == 1, (
    f"G's weight received a gradient {len(arrivals)} times in one step, expected once (from G's loss): D's loss "
    "reached G. Detach the fakes in D's loss, D(fake.detach()), rather than backward(retain_graph=True)")
G, D, opt_g, opt_d = stub_networks(stale_gradients=True)
stub_step(G, D, opt_g, opt_d)
assert abs(D.weight.item() - 1.15) < 1e-5, (
    f"with a gradient of 100 left in D from the step before, D's weight went to {D.weight.item():.5f}, expected 1.15: "
    "the old gradient was added to D's. Call opt_d.zero_grad() before loss_d.backward() (G's backward, every step, "
    "leaves gradients in D)")
assert abs(G.weight.item() - 0.615) < 1e-5, (
    f"with a gradient of 100 left in G from the step before, G's weight went to {G.weight.item():.5f}, expected 0.615: "
    "call opt_g.zero_grad() before loss_g.backward()")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "train_step_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 3 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _small_gan():
    torch.manual_seed(5)
    G = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
    D = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Flatten(0))
    return G, D, torch.optim.Adam(G.parameters(), lr=0.01), torch.optim.SGD(D.parameters(), lr=0.05, momentum=0.5)


def _three_steps():
    G, D, opt_g, opt_d = _small_gan()
    losses = [train_step(G, D, opt_g, opt_d, torch.randn(16, 2), torch.randn(16, 3)) for _ in range(3)]
    return losses, [p.detach() for p in G.parameters()], [p.detach() for p in D.parameters()]


def _stale_gradients(*models):
    """One step after leaving a gradient of 100 in every parameter of ``models`` ("G", "D")."""
    G, D, opt_g, opt_d = _small_gan()
    for p in [p for name, model in (("G", G), ("D", D)) if name in models for p in model.parameters()]:
        p.grad = torch.full_like(p, 100.0)  # left over from some earlier computation
    train_step(G, D, opt_g, opt_d, torch.randn(16, 2), torch.randn(16, 3))
    return [p.detach() for p in G.parameters()], [p.detach() for p in D.parameters()]


def _gradients_reaching_g():
    G, D, opt_g, opt_d = _small_gan()
    arrivals = []
    for p in G.parameters():
        p.register_hook(lambda grad: arrivals.append(1))
    train_step(G, D, opt_g, opt_d, torch.randn(16, 2), torch.randn(16, 3))
    return len(arrivals)


def _one_step_g():
    G, D, opt_g, opt_d = _small_gan()
    train_step(G, D, opt_g, opt_d, torch.randn(16, 2), torch.randn(16, 3))
    return [p.detach() for p in G.parameters()]


probe("losses and weights after 3 steps of a small GAN", lambda: explained(lambda: with_stub_losses(_three_steps)))
probe("stale gradients are cleared", lambda: explained(lambda: with_stub_losses(lambda: _stale_gradients("G", "D"))))
probe("opt_d.zero_grad(): gradients left in D are cleared", lambda: explained(lambda: with_stub_losses(lambda: _stale_gradients("D"))))
probe("D's loss does not reach G (fakes detached, not retain_graph=True)", lambda: explained(lambda: with_stub_losses(_gradients_reaching_g)))
probe("G's loss uses D after its update (no stale D)", lambda: explained(lambda: with_stub_losses(_one_step_g)))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 · A DCGAN up-sampling block (2 points)
#
# Write the block that doubles the resolution in a DCGAN generator: a transposed convolution
# (kernel 4, stride 2, padding 1, no bias, since batch norm follows), batch norm, ReLU. It maps
# `(n, c_in, h, w)` to `(n, c_out, 2h, 2w)`. Return an `nn.Sequential` of exactly those three layers.

# %% nbgrader={"grade": false, "grade_id": "up_block", "locked": false, "schema_version": 3, "solution": true, "task": false}
def upsample_block(c_in: int, c_out: int) -> nn.Sequential:
    """(n, c_in, h, w) -> (n, c_out, 2h, 2w)."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.ConvTranspose2d(c_in, c_out, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    )
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "up_block_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 4
block = upsample_block(8, 4)
out = block(torch.randn(2, 8, 5, 5))
assert tuple(out.shape) == (2, 4, 10, 10), (
    f"expected (2, 4, 10, 10) from (2, 8, 5, 5), got {tuple(out.shape)}: kernel 4, stride 2, padding 1 doubles h and w")
assert out.min() >= 0, "the block ends in ReLU, so no output can be negative"
kinds = [type(layer).__name__ for layer in block]
assert kinds == ["ConvTranspose2d", "BatchNorm2d", "ReLU"], (
    f"expected the layers ConvTranspose2d, BatchNorm2d, ReLU, got {kinds}"
    + (": Upsample followed by Conv2d (a resize-convolution) doubles the size too, but it is another layer; this part "
       "asks for DCGAN's transposed convolution, nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False)"
       if "Upsample" in kinds else ""))
n_params = sum(p.numel() for p in block.parameters())
assert n_params == 8 * 4 * 4 * 4 + 2 * 4, (
    f"expected {8 * 4 * 4 * 4 + 2 * 4} parameters (conv weights without bias + batch-norm scale and shift), got {n_params}")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "up_block_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 4 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _fixed_weight_output():
    block = upsample_block(3, 2)
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(torch.linspace(-1, 1, p.numel()).view_as(p))
    return block(torch.linspace(-2, 2, 2 * 3 * 4 * 4).view(2, 3, 4, 4))


probe("output shape 16 -> 8 channels at 7x7", lambda: tuple(upsample_block(16, 8)(torch.randn(3, 16, 7, 7)).shape))
probe("parameter count", lambda: sum(p.numel() for p in upsample_block(32, 16).parameters()))
probe("layer types: ConvTranspose2d, BatchNorm2d, ReLU (not Upsample + Conv2d)", lambda: [type(m).__name__ for m in upsample_block(4, 2)])
probe("output with fixed weights", _fixed_weight_output)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 · Counting the modes a generator covers (2 points)
#
# For 2-D samples and the means of a mixture, a sample is *high quality* if it lies within
# `n_std * std` of its nearest mean. Return how many means are the nearest mean of at least
# `min_count` high-quality samples. (This is the course's `mode_coverage`, simplified; write it
# with `torch.cdist` and `torch.bincount`, no loops needed.)

# %% nbgrader={"grade": false, "grade_id": "modes", "locked": false, "schema_version": 3, "solution": true, "task": false}
def modes_covered(samples: torch.Tensor, means: torch.Tensor, std: float, n_std: float = 3.0, min_count: int = 1) -> int:
    """samples (n, 2), means (k, 2) -> number of covered modes, an int in 0..k."""
    ### BEGIN SOLUTION
    distance, nearest = torch.cdist(samples, means).min(dim=1)
    good = distance <= n_std * std
    counts = torch.bincount(nearest[good], minlength=len(means))
    return int((counts >= min_count).sum())
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "modes_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 5
ring = data.ring_of_gaussians()
everywhere = ring.sample(800, generator=torch.Generator().manual_seed(0))
got = modes_covered(everywhere, ring.means, ring.std)
assert isinstance(got, int), f"return a Python int, got {type(got).__name__}"
assert got == 8, f"samples from the ring itself cover all 8 modes, got {got}"
one_mode = ring.means[2].repeat(50, 1)
assert modes_covered(one_mode, ring.means, ring.std) == 1, "samples all on mode 2 cover exactly 1 mode"
assert modes_covered(torch.zeros(50, 2), ring.means, ring.std) == 0, (
    "samples at the centre are far from every mode: none is high quality, 0 modes covered")
assert modes_covered(everywhere, ring.means, ring.std, min_count=1000) == 0, "min_count: a mode needs that many samples"
three_and_one = torch.cat([ring.means[0].repeat(3, 1), ring.means[4].repeat(1, 1)])  # 3 samples on mode 0, 1 on mode 4
got = modes_covered(three_and_one, ring.means, ring.std, min_count=3)
assert got == 1, (
    f"3 samples on mode 0 and 1 on mode 4, min_count=3: mode 0 is covered (it has at least 3), mode 4 is not; expected 1, "
    f"got {got}" + (": a mode with exactly min_count samples counts, use >= (at least), not >" if got == 0 else ""))
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "modes_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 5 run when your notebook is graded
### BEGIN HIDDEN TESTS
probe("grid of 25, random samples", lambda: modes_covered(torch.rand(400, 2) * 10 - 5, data.grid_of_gaussians().means, 0.3))
probe("ring, two modes only", lambda: modes_covered(data.ring_of_gaussians().means[[1, 5]].repeat(20, 1), data.ring_of_gaussians().means, 0.02))
probe("min_count and n_std", lambda: modes_covered(torch.randn(300, 2), data.grid_of_gaussians().means, 0.5, n_std=1.0, min_count=3))
probe("a mode with exactly min_count samples counts (>=, not >)", lambda: modes_covered(
    data.grid_of_gaussians().means[[0, 0, 3, 3, 3, 7]], data.grid_of_gaussians().means, 0.05, min_count=2))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 6 · What does the 2-D experiment show? (2 points, graded by hand)
#
# In lesson 01 the GAN on the ring of 8 Gaussians put almost all its samples near *some* mode,
# yet covered a different number of modes for different seeds. In three to five sentences:
# what does that tell you about what the generator's loss rewards, and what would you measure to
# compare two remedies for it fairly?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_modes", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The generator is rewarded for samples the discriminator finds realistic, one sample at a
# time: nothing in its loss asks it to spread over all modes, so sitting on a few modes is a
# cheap way to fool the current discriminator (mode collapse). The discriminator then learns to
# reject those modes and the generator moves on, so which modes survive depends on the seed. A fair
# comparison of remedies measures modes covered and the high-quality fraction over several seeds
# and reports their mean and spread, with the same budget for every method.
# ### END SOLUTION

# %% [markdown]
# ## Done?
# *Restart & Run All*: every check must print `Success!`. Then hand in this notebook.
