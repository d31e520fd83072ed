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
# # Assignment 02 · The adversarial objective
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/assignments/02_adversarial_objective.ipynb)
#
# Work through lesson 02 first. Then fill in each `# YOUR CODE HERE` and run the check cell
# right below it: it tells you at once what is wrong. When every check prints `Success!`, run the
# whole notebook top to bottom (*Restart & Run All*) and hand it in.
#
# | part | what you write | points |
# |---|---|---|
# | 1 | the non-saturating GAN losses, both players | 2 |
# | 2 | the hinge losses, both players | 2 |
# | 3 | the WGAN-GP gradient penalty | 3 |
# | 4 | the R1 penalty | 2 |
# | 5 | a written answer on the ablation (graded by hand) | 2 |
#
# Your grade comes from hidden tests that call your functions on new inputs; passing the visible
# checks is a strong sign, not a guarantee. Do not rename the functions, and do not delete or
# edit the cells that are not yours. Do not call `vgan_course.losses`: the point is to write them.

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
# ## Part 1 · The non-saturating GAN losses (2 points)
#
# Discriminators return logits $\ell$ with $D = \sigma(\ell)$. Return both players' losses, each
# a scalar to *minimise*, averaged over its batch:
# - the discriminator's $-\mathbb{E}[\log D(x)] - \mathbb{E}[\log(1 - D(G(z)))]$, from `real_logits`
#   and `fake_logits`;
# - the generator's non-saturating $-\mathbb{E}[\log D(G(z))]$, from `fake_logits`.
#
# Stay finite for any logits: $-\log\sigma(\ell) = \mathrm{softplus}(-\ell)$.

# %% nbgrader={"grade": false, "grade_id": "ns_losses", "locked": false, "schema_version": 3, "solution": true, "task": false}
def nonsaturating_losses(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss_d, loss_g), two scalar tensors, from logits (batch,) on real and on fake samples."""
    ### BEGIN SOLUTION
    loss_d = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    loss_g = F.softplus(-fake_logits).mean()
    return loss_d, loss_g
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "ns_losses_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 1
got = nonsaturating_losses(torch.zeros(4), torch.zeros(4))
assert isinstance(got, tuple) and len(got) == 2, f"return a tuple (loss_d, loss_g), got {type(got).__name__}"
loss_d, loss_g = got
assert loss_d.dim() == 0 and loss_g.dim() == 0, "both losses must be scalar tensors (use .mean())"
assert torch.isclose(loss_d, torch.tensor(2 * math.log(2))) and torch.isclose(loss_g, torch.tensor(math.log(2))), (
    f"with D = 1/2 everywhere: loss_d = 2 log 2 = 1.3863 and loss_g = log 2 = 0.6931, got {loss_d.item():.4f} and {loss_g.item():.4f}")
rejected = torch.full((3,), -12.0, requires_grad=True)  # D is sure the fakes are fake
_, loss_g = nonsaturating_losses(torch.zeros(3), rejected)
(grad,) = torch.autograd.grad(loss_g, rejected)
assert loss_g.item() > 10 and grad.abs().sum() > 0.9, (
    f"when D rejects the fakes (logit -12) the non-saturating loss is about 12 with a strong gradient; got "
    f"{loss_g.item():.3g} with gradient {grad.abs().sum():.3g}: is this the minimax log(1 - D)?")
assert all(torch.isfinite(v) for v in nonsaturating_losses(torch.full((2,), -300.0), torch.full((2,), 300.0))), (
    "logits of +-300 gave inf/nan: use softplus, not log(sigmoid(...))")
loss_d, loss_g = nonsaturating_losses(torch.full((2,), -200.0), torch.full((2,), -200.0))
assert abs(loss_d.item() - 200.0) < 0.01 and abs(loss_g.item() - 200.0) < 0.01, (
    f"real logits -200 (D sure they are fake) cost D softplus(200) = 200, and fakes at -200 cost G 200; got "
    f"{loss_d.item():.4g} and {loss_g.item():.4g}. (100 is binary cross-entropy on sigmoid outputs: sigmoid(-200) rounds "
    "to 0 and F.binary_cross_entropy caps log(0) at -100, so the loss stops growing and its gradient is 0: work on the "
    "logits, with softplus or F.binary_cross_entropy_with_logits)")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "ns_losses_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 1 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _ns_gradients():
    real, fake = (torch.randn(8) * 3).requires_grad_(), (torch.randn(8) * 3).requires_grad_()
    loss_d, loss_g = nonsaturating_losses(real, fake)
    return torch.autograd.grad(loss_d, [real, fake]) + torch.autograd.grad(loss_g, [fake])


probe("random logits", lambda: nonsaturating_losses(torch.randn(64) * 3, torch.randn(64) * 3))
probe("different batch sizes", lambda: nonsaturating_losses(torch.randn(5), torch.randn(11)))
probe("extreme logits", lambda: nonsaturating_losses(torch.tensor([-300.0, 0.0, 300.0]), torch.tensor([300.0, -300.0, 2.0])))
def _confidently_wrong():
    real, fake = torch.tensor([-150.0, -120.0], requires_grad=True), torch.tensor([-130.0, 150.0], requires_grad=True)
    loss_d, loss_g = nonsaturating_losses(real, fake)
    return loss_d, loss_g, torch.autograd.grad(loss_d, [real, fake]) + torch.autograd.grad(loss_g, [fake])


probe("gradients", _ns_gradients)
probe("confident logits keep their losses and gradients (no binary cross-entropy on sigmoid outputs)", _confidently_wrong)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 · The hinge losses (2 points)
#
# The hinge objective of spectrally normalised GANs (Lim & Ye 2017; Miyato et al. 2018) works on
# raw outputs $\ell$, no sigmoid:
# - discriminator: $\mathbb{E}[\max(0, 1 - \ell_\text{real})] + \mathbb{E}[\max(0, 1 + \ell_\text{fake})]$;
# - generator: $-\mathbb{E}[\ell_\text{fake}]$.

# %% nbgrader={"grade": false, "grade_id": "hinge_losses", "locked": false, "schema_version": 3, "solution": true, "task": false}
def hinge_losses(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss_d, loss_g), two scalar tensors, from D's raw outputs (batch,) on real and on fake samples."""
    ### BEGIN SOLUTION
    loss_d = F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    loss_g = -fake_logits.mean()
    return loss_d, loss_g
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "hinge_losses_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 2
loss_d, loss_g = hinge_losses(torch.zeros(4), torch.zeros(4))
assert loss_d.dim() == 0 and loss_g.dim() == 0, "both losses must be scalar tensors (use .mean())"
assert torch.isclose(loss_d, torch.tensor(2.0)) and torch.isclose(loss_g, torch.tensor(0.0)), (
    f"with all outputs 0: loss_d = 1 + 1 = 2 and loss_g = 0, got {loss_d.item():.4f} and {loss_g.item():.4f}")
beyond, _ = hinge_losses(torch.tensor([1.5, 3.0]), torch.tensor([-2.0, -1.0]))
assert beyond.item() == 0, (
    f"real outputs >= 1 and fake outputs <= -1 are beyond the margin and cost nothing, got loss_d = {beyond.item():.4f}")
_, loss_g = hinge_losses(torch.zeros(2), torch.tensor([-5.0, 3.0]))
assert torch.isclose(loss_g, torch.tensor(1.0)), (
    f"the generator loss is -mean(fake outputs) = 1 here, with no margin, got {loss_g.item():.4f}")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "hinge_losses_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 2 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _hinge_gradients():
    real, fake = (torch.randn(16) * 2).requires_grad_(), (torch.randn(16) * 2).requires_grad_()
    loss_d, loss_g = hinge_losses(real, fake)
    return torch.autograd.grad(loss_d, [real, fake]) + torch.autograd.grad(loss_g, [fake])


probe("random outputs", lambda: hinge_losses(torch.randn(64) * 2, torch.randn(64) * 2))
probe("different batch sizes", lambda: hinge_losses(torch.randn(7), torch.randn(3)))
probe("gradients", _hinge_gradients)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 · The WGAN-GP gradient penalty (3 points)
#
# Gulrajani et al. (2017) keep the critic near 1-Lipschitz by penalising
# $\lambda\,\mathbb{E}\big[(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - 1)^2\big]$ at points
# $\hat x = \epsilon\,x_\text{real} + (1 - \epsilon)\,x_\text{fake}$, one $\epsilon$ per sample.
#
# - `critic` maps a batch `(batch, ...)` to scores `(batch,)`; `real` and `fake` have the same shape;
#   `eps` is given, shape `(batch,)`, so that your result is reproducible;
# - the norm is over *all* of one sample's input dimensions (flatten each sample);
# - the penalty is a loss term: it must be differentiable with respect to the critic's
#   parameters, so pass `create_graph=True` to `torch.autograd.grad`.

# %% nbgrader={"grade": false, "grade_id": "gp", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor, weight: float = 10.0) -> torch.Tensor:
    """Scalar WGAN-GP penalty at the points eps * real + (1 - eps) * fake."""
    ### BEGIN SOLUTION
    eps = eps.view(-1, *[1] * (real.dim() - 1))
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = gradient.flatten(1).norm(dim=1)
    return weight * ((norms - 1) ** 2).mean()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "gp_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 3, on critics whose gradients we know by hand
w = torch.tensor([3.0, 4.0])  # a linear critic x -> w.x has gradient w everywhere, |w| = 5
real, fake, eps = torch.randn(8, 2), torch.randn(8, 2), torch.rand(8)
try:
    got = gradient_penalty(lambda x: x @ w, real, fake, eps)
except RuntimeError as error:
    if "must match the size" not in str(error):
        raise
    raise AssertionError(
        f"PyTorch could not broadcast: {error}. eps has shape (batch,) = (8,) and real (8, 2): give eps one axis per "
        "sample axis, eps.view(-1, *[1] * (real.dim() - 1)), so that each sample gets its own eps") from None
assert isinstance(got, torch.Tensor) and got.dim() == 0, "return a scalar tensor"
assert torch.isclose(got, torch.tensor(160.0)), (
    f"a linear critic with |w| = 5 has penalty 10 * (5 - 1)^2 = 160, got {got.item():.4f} "
    "(norm of the gradient, minus 1, squared; times weight)")
square = lambda x: 0.5 * (x ** 2).flatten(1).sum(dim=1)  # gradient = x itself
images_real, images_fake = torch.randn(4, 1, 3, 3), torch.zeros(4, 1, 3, 3)
got = gradient_penalty(square, images_real, images_fake, torch.full((4,), 0.5), weight=1.0)
expected = ((0.5 * images_real).flatten(1).norm(dim=1) - 1).pow(2).mean()
assert torch.isclose(got, expected, rtol=1e-4), (
    f"for images (batch, 1, 3, 3) the norm is over each whole sample: expected {expected.item():.4f}, got {got.item():.4f}")
critic = nn.Linear(2, 1)
penalty = gradient_penalty(lambda x: critic(x).squeeze(1), real, fake, eps)
assert penalty.requires_grad, "the penalty must be differentiable w.r.t. the critic: use create_graph=True"
gentle = gradient_penalty(lambda x: x @ torch.tensor([0.3, 0.4]), real, fake, eps)  # |w| = 0.5: a slope below 1
assert torch.isclose(gentle, torch.tensor(2.5)), (
    f"a linear critic with |w| = 0.5 has penalty 10 * (0.5 - 1)^2 = 2.5, got {gentle.item():.4f}"
    + (": a slope below 1 is penalised too; WGAN-GP's penalty is two-sided, (|grad| - 1)^2, not max(0, |grad| - 1)^2"
       if gentle.item() == 0 else ""))
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "gp_tests", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 3 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _gp_mlp_value():
    torch.manual_seed(3)
    critic = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Flatten(0))
    return gradient_penalty(critic, torch.randn(32, 2), torch.randn(32, 2), torch.rand(32), weight=5.0)


def _gp_parameter_gradient():
    torch.manual_seed(4)
    critic = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Flatten(0))
    penalty = gradient_penalty(critic, torch.randn(16, 2), torch.randn(16, 2), torch.rand(16))
    weights = [p for name, p in critic.named_parameters() if name.endswith("weight")]  # the last bias has no effect
    return torch.autograd.grad(penalty, weights)


def _gp_images():
    torch.manual_seed(5)
    critic = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Tanh(), nn.Flatten(), nn.Linear(2 * 4 * 4, 1), nn.Flatten(0))
    return gradient_penalty(critic, torch.randn(6, 1, 6, 6), torch.randn(6, 1, 6, 6), torch.rand(6))


def _gp_two_points():
    torch.manual_seed(6)  # 2 samples of 2 features: an eps that is not reshaped broadcasts along the features, silently
    critic = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Flatten(0))
    return gradient_penalty(critic, torch.randn(2, 2), torch.randn(2, 2), torch.tensor([0.1, 0.9]))


probe("linear critic, |w| = 13", lambda: gradient_penalty(lambda x: x @ torch.tensor([5.0, 12.0]), torch.randn(10, 2),
                                                          torch.randn(10, 2), torch.rand(10)))
probe("small MLP critic, weight 5", _gp_mlp_value)
probe("gradient w.r.t. the critic's parameters", _gp_parameter_gradient)
probe("image critic", _gp_images)
probe("a critic with slope below 1 is penalised (two-sided)", lambda: gradient_penalty(
    lambda x: x @ torch.tensor([0.2, -0.1]), torch.randn(6, 2), torch.randn(6, 2), torch.rand(6)))
probe("one eps per sample (eps reshaped to (batch, 1)), batch of 2 points", _gp_two_points)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 · The R1 penalty (2 points)
#
# Mescheder et al. (2018) penalise the discriminator's slope on **real** data only:
# $\frac{\gamma}{2}\,\mathbb{E}_{x \sim p_\text{data}}\big[\lVert\nabla_x D(x)\rVert_2^2\big]$ (squared norm, no "$-1$").
# As in part 3, the norm is over each whole sample and the penalty must be differentiable with
# respect to D's parameters.

# %% nbgrader={"grade": false, "grade_id": "r1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def r1_penalty(D, real: torch.Tensor, gamma: float = 10.0) -> torch.Tensor:
    """Scalar R1 penalty of D (batch, ...) -> (batch,) on real samples."""
    ### BEGIN SOLUTION
    x = real.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return 0.5 * gamma * gradient.flatten(1).pow(2).sum(dim=1).mean()
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "r1_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
# check: part 4
points = torch.randn(16, 2)
got = r1_penalty(lambda x: 0.5 * (x ** 2).sum(dim=1), points, gamma=2.0)  # gradient = x
expected = (points ** 2).sum(dim=1).mean()
assert isinstance(got, torch.Tensor) and got.dim() == 0, "return a scalar tensor"
assert torch.isclose(got, expected, rtol=1e-4), (
    f"D = |x|^2 / 2 has gradient x, so with gamma = 2 the penalty is mean |x|^2 = {expected.item():.4f}, got {got.item():.4f} "
    "(gamma / 2 times the mean *squared* norm)")
flat = r1_penalty(lambda x: torch.zeros(len(x)) + 0 * x.sum(dim=1), points)
assert flat.item() == 0, f"a discriminator with no slope has no penalty, got {flat.item():.4f}"
D = nn.Linear(2, 1)
assert r1_penalty(lambda x: D(x).squeeze(1), points).requires_grad, (
    "the penalty must be differentiable w.r.t. D's parameters: use create_graph=True")
print("Success!")

# %% nbgrader={"grade": true, "grade_id": "r1_tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# hidden tests for part 4 run when your notebook is graded
### BEGIN HIDDEN TESTS
def _r1_mlp():
    torch.manual_seed(6)
    D = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Flatten(0))
    penalty = r1_penalty(D, torch.randn(32, 2), gamma=1.0)
    weights = [p for name, p in D.named_parameters() if name.endswith("weight")]  # the last bias has no effect
    return penalty, torch.autograd.grad(penalty, weights)


probe("linear D, gamma 10", lambda: r1_penalty(lambda x: x @ torch.tensor([1.0, -2.0]), torch.randn(9, 2)))
probe("small MLP: value and parameter gradients", _r1_mlp)
probe("images, gamma 0.5", lambda: r1_penalty(lambda x: (x ** 3).flatten(1).sum(dim=1), torch.randn(4, 1, 3, 3), gamma=0.5))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 · What does the ablation show? (2 points, graded by hand)
#
# Look at lesson 02's tuning table and its check on fresh seeds (sections 6.3 and 6.4). In four to
# six sentences: which remedies, at their best setting, covered more modes than the plain GAN at
# *its* best, by more than the spread across seeds, and which did not? Why is a comparison unfair
# if every remedy runs with the plain GAN's optimizer, and what does a control row rule out? Why
# would you not trust a comparison made with one seed per method? Name one thing about the task
# that could change the ranking.

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_ablation", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# At their own papers' settings, WGAN-GP (the 2-D code's five critic steps and small penalty) and
# spectral norm with the hinge loss (SN-GAN's Adam and five D steps) covered the whole ring on every
# seed, and their controls, the plain GAN with the same optimizer and D steps, did not: those gains
# are the remedies' own. Minibatch std covered every mode with PGGAN's Adam, but so did its control,
# so that gain belongs to the optimizer; L1, L2 and R1 stayed within the plain GAN's spread (not
# shown), two time-scale learning rates covered fewer modes, and a five times lower learning rate
# trained five times longer settled on fewer modes than the default. Run with the plain GAN's
# optimizer, a remedy is measured with somebody else's settings (that is how SN + hinge and WGAN-GP
# looked like failures), and a control rules out that the gain came from the optimizer or the extra
# D updates rather than the remedy. One seed per method is not enough because the plain GAN alone
# covers very different numbers of modes from seed to seed, so two single runs differ mostly by
# noise. The ranking depends on the task and the budget: a grid of three settings per remedy,
# 4000 steps and a ring of 8 points is not images, and the plain GAN's own grid never tried
# PGGAN's Adam.
# ### END SOLUTION

# %% [markdown]
# ## Done?
# *Restart & Run All*: every check must print `Success!`. Then hand in this notebook.
