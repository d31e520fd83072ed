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
# # 01 · GAN basics: a generator, a discriminator and their game
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/notebooks/01_gan_basics.ipynb)
#
# Every video GAN in this course, from MoCoGAN to a flicker-free style transfer, is built on one
# idea: two networks play a game. A **generator** turns random noise into samples; a
# **discriminator** tries to tell those samples from real data; each improves by exploiting the
# other's mistakes. This lesson builds that game from scratch.
#
# **Learning goals.** After this lesson you can
# - write the GAN value function and say what each network optimises;
# - write the alternating update by hand, and recognise it inside the course's training loop;
# - train a GAN on 2-D data and *count* how well it covers the data;
# - train a DCGAN on digits and score its samples with a classifier;
# - walk through the latent space and export the walk as a clip.
#
# **Time.** `smoke` under a minute · `cpu` about 3 minutes on 2 cores · `gpu` a few minutes (longer runs, wider DCGAN).

# %%
# Colab only: install the course's tagged release (Colab keeps its own torch, IPython and widgets),
# then check the runtime (a GPU? where do checkpoints go?).
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "vgan-course @ git+https://github.com/vgan-course/vgan-course@v0.1.0"], check=True)
    from vgan_course import colab

    colab.check_runtime()

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from vgan_course import claims, data, losses, metrics, models, profiles, train, viz

cfg = profiles.settings(
    smoke=dict(hand_steps=50, ring_steps=150, dcgan_steps=30, dcgan_width=16, batch_2d=256, batch_images=32),
    cpu=dict(hand_steps=300, ring_steps=5000, dcgan_steps=2000, dcgan_width=32, batch_2d=256, batch_images=64),
    gpu=dict(hand_steps=300, ring_steps=5000, dcgan_steps=8000, dcgan_width=64, batch_2d=256, batch_images=128),
)
# The 2-D part (sections 2-4) is the same in the cpu and gpu profiles and runs on the CPU: its
# MLPs are so small that a GPU spends its time launching kernels (measured: about 130 steps per
# second on an H200 shared with other runs, about 190 on one core of a 2-core CPU machine). Only
# the DCGAN of section 5 moves to the GPU.
profiles.seed_everything(cfg.seed)
run = profiles.run_dir("01_gan_basics")  # checkpoints and TensorBoard logs
print(cfg)

# %% [markdown]
# ## 1. The game
#
# The discriminator $D(x) \in (0, 1)$ is the probability it gives that $x$ is real; the generator
# $G(z)$ maps noise $z \sim p_z$ (here a standard Gaussian) to a sample. Goodfellow et al. (2014)
# define the **value function**
#
# $$V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]$$
#
# and the game $\min_G \max_D V(D, G)$. For a fixed $G$, $D$ maximises $V$: it is a binary
# classifier trained with cross-entropy, real = 1, fake = 0. The generator wants the opposite.
#
# In practice $G$ does not minimise $\log(1 - D(G(z)))$: when $D$ confidently rejects the fakes,
# $D(G(z)) \approx 0$ and that term is flat, so $G$ gets almost no gradient. Goodfellow et al. let
# $G$ **maximise $\log D(G(z))$** instead: the *non-saturating* loss, with the same fixed point and a
# strong gradient exactly when $G$ is bad. Lesson 02 measures the difference.
#
# Our discriminators output a *logit* $\ell$ with $D = \sigma(\ell)$; then
# $-\log D = \mathrm{softplus}(-\ell)$ and $-\log(1 - D) = \mathrm{softplus}(\ell)$, which stay
# accurate where $\log \sigma$ would underflow.
#
# ## 2. A world we can count: 8 Gaussians on a ring
# Real data first. Each point comes from one of 8 modes, so we can later ask how many modes the
# generator reaches, and how many of its samples land on one.

# %%
ring = data.ring_of_gaussians()
device = torch.device("cpu")  # tiny MLPs: the CPU is faster than a GPU (see the settings cell)
real = ring.sample(2000, device=device)
viz.plot_points(real, means=ring.means, title="data: ring of 8 Gaussians (std 0.02)", lim=3)
plt.show()

# %% [markdown]
# ## 3. The alternating update, by hand
# Two small MLPs. Each training step has two halves:
# 1. **Discriminator step.** Sample real points and fakes; push $D$ up on real, down on fake. The
#    fakes are `detach()`ed: this step changes $D$ only.
# 2. **Generator step.** Push $D(G(z))$ up, by gradient through $D$ into $G$; only $G$'s optimizer
#    steps.
#
# Adam with $\beta_1 = 0.5$ follows Radford et al. (2016): a smaller momentum suits a target that
# keeps moving.

# %%
z_dim = 8
G_hand = models.MLPGenerator(z_dim=z_dim).to(device)
D_hand = models.MLPDiscriminator().to(device)
opt_g = torch.optim.Adam(G_hand.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D_hand.parameters(), lr=1e-3, betas=(0.5, 0.999))

for step in range(cfg.hand_steps):
    real = ring.sample(cfg.batch_2d, device=device)  # (batch, 2)
    z = torch.randn(cfg.batch_2d, z_dim, device=device)  # (batch, z_dim)
    fake = G_hand(z)  # (batch, 2)

    # D: maximise log D(x) + log(1 - D(G(z)))  ==  minimise softplus(-l_real) + softplus(l_fake)
    loss_d = F.softplus(-D_hand(real)).mean() + F.softplus(D_hand(fake.detach())).mean()
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()

    # G: maximise log D(G(z))  ==  minimise softplus(-l_fake)   (non-saturating)
    loss_g = F.softplus(-D_hand(fake)).mean()
    opt_g.zero_grad()  # this backward also leaves gradients in D: opt_d.zero_grad() clears them next step
    loss_g.backward()
    opt_g.step()

    if step % max(1, cfg.hand_steps // 5) == 0:
        print(f"step {step:4d}  loss_D {loss_d.item():.3f}  loss_G {loss_g.item():.3f}")

# %% [markdown]
# A perfectly confused discriminator ($D = 1/2$ everywhere) has $\text{loss}_D = 2\log 2 \approx 1.386$
# and $\text{loss}_G = \log 2 \approx 0.693$: the numbers above hover around there when the game is
# balanced. The package's losses are exactly these expressions:

# %%
l_real, l_fake = D_hand(real), D_hand(fake)
assert torch.allclose(losses.discriminator_loss(l_real, l_fake),
                      F.softplus(-l_real).mean() + F.softplus(l_fake).mean())
assert torch.allclose(losses.generator_loss_nonsaturating(l_fake), F.softplus(-l_fake).mean())
print("the package's losses match the hand-written ones")

# %% [markdown]
# ## 4. The same step, in the course's training loop
# The loop in `vgan_course.train` runs a **step function** like the one above and does the chores:
# mixed precision on a GPU, a progress bar, TensorBoard logs, samples along the way, NaN detection
# and checkpoints that resume if the notebook is interrupted (run the cell again). Open
# `vgan_course/train.py`: it is a few dozen lines of plain PyTorch.

# %%
G2 = models.MLPGenerator(z_dim=z_dim).to(device)
D2 = models.MLPDiscriminator().to(device)
opt_g2 = torch.optim.Adam(G2.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d2 = torch.optim.Adam(D2.parameters(), lr=1e-3, betas=(0.5, 0.999))
fixed_z = torch.randn(2000, z_dim, device=device)
untrained = G2(fixed_z).detach()


def ring_step(ctx: train.StepContext) -> dict:
    real = ring.sample(cfg.batch_2d, device=ctx.device)
    z = torch.randn(cfg.batch_2d, z_dim, device=ctx.device)
    with ctx.autocast():
        fake = G2(z)
        # D: maximise log D(x) + log(1 - D(G(z)))
        loss_d = losses.discriminator_loss(D2(real), D2(fake.detach()))
    ctx.update(opt_d2, loss_d)
    with ctx.autocast():
        # G: maximise log D(G(z))
        loss_g = losses.generator_loss_nonsaturating(D2(fake))
    ctx.update(opt_g2, loss_g)
    return {"loss/d": loss_d, "loss/g": loss_g}


ring_history = train.train(
    ring_step, {"G": G2, "D": D2}, {"G": opt_g2, "D": opt_d2},
    steps=cfg.ring_steps, checkpoint=run / "ring.pt", log_dir=run / "tb_ring",
    sample_fn=lambda: G2(fixed_z), sample_every=max(1, cfg.ring_steps // 5),
)

# %% [markdown]
# Samples over training (orange) against the data (grey):

# %%
snapshots = [(0, untrained.cpu())] + ring_history.samples
fig, axes = plt.subplots(1, len(snapshots), figsize=(2.6 * len(snapshots), 2.6))
for ax, (step, samples) in zip(axes, snapshots):
    viz.plot_points(samples, data=ring.sample(1000), ax=ax, title=f"step {step}", lim=3)
plt.tight_layout()
plt.show()

fig, ax = plt.subplots(figsize=(6, 2.5))
for name, values in ring_history.metrics.items():
    ax.plot(ring_history.steps, values, label=name)
ax.axhline(2 * torch.log(torch.tensor(2.0)).item(), color="gray", ls=":", label="2 log 2")
ax.set_xlabel("step")
ax.legend()
plt.show()

# %% [markdown]
# ### Measured: did the generator learn the data?
# Two numbers (Metz et al. 2017; Srivastava et al. 2017): the **high-quality fraction**, the share
# of samples within 3 standard deviations of some mode, and **modes covered**, the modes that
# receive a fair part of those samples. We also count the share within 10 standard deviations
# (0.2), "near the data".

# %%
def near_fraction(samples: torch.Tensor) -> float:
    """Share of samples within 10 std (0.2) of the nearest mode."""
    distance = torch.cdist(samples.cpu(), ring.means).min(dim=1).values
    return float((distance <= 10 * ring.std).float().mean())


with torch.no_grad():
    trained = G2(fixed_z)
coverage = metrics.mode_coverage(trained, ring)
print(f"untrained: near the data {near_fraction(untrained):.2f}")
print(f"trained:   near the data {near_fraction(trained):.2f}, high quality {coverage.high_quality_fraction:.2f}, "
      f"modes covered {coverage.modes_covered}/8, samples per mode {coverage.counts.tolist()}")
claims.claim("01", "2-D GAN: share of samples near a mode", near_fraction(trained), at_least=0.75)
claims.claim("01", "control: untrained G, share of samples near a mode", near_fraction(untrained), at_most=0.2)
claims.claim("01", "2-D GAN: high-quality fraction", coverage.high_quality_fraction, at_least=0.15)
claims.record_table("01", "2-D GAN on the ring of 8", [{"modes_covered": coverage.modes_covered,
                                                        "high_quality": round(coverage.high_quality_fraction, 4),
                                                        "near_the_data": round(near_fraction(trained), 4)}])

# %% [markdown]
# How many modes did it cover? That number moves a lot from seed to seed (docs/results.md
# shows the spread the benchmark saw), so the lesson records it rather than claiming a bound it
# could only meet by being vague. What we can check is that the counter itself tells coverage from
# collapse: samples of the data cover all 8 modes, and a generator that put everything on one
# mode would cover 1.

# %%
data_coverage = metrics.mode_coverage(ring.sample(2000, generator=torch.Generator().manual_seed(1)), ring)
one_mode = ring.means[3] + ring.std * torch.randn(2000, 2, generator=torch.Generator().manual_seed(2))
collapsed_coverage = metrics.mode_coverage(one_mode, ring)
print(f"data: {data_coverage.modes_covered}/8 modes, high quality {data_coverage.high_quality_fraction:.2f};  "
      f"everything on one mode: {collapsed_coverage.modes_covered}/8, high quality {collapsed_coverage.high_quality_fraction:.2f}")
claims.claim("01", "control: samples of the data, modes covered", data_coverage.modes_covered, at_least=8,
             assert_in_smoke=True)
claims.claim("01", "control: all samples on one mode, modes covered", collapsed_coverage.modes_covered, at_most=1,
             assert_in_smoke=True)

# %% [markdown]
# So the generator puts most of its mass on the data (an untrained one puts almost none there).
# The high-quality fraction is lower, and it
# jumps from run to run and from step to step: the generator keeps circling around the modes
# instead of settling on them (lesson 02 draws these dynamics). And look at *modes covered*: with some seeds
# it reaches all 8, with others only a few; and if you rerun with another `VGAN_SEED` the missing
# modes change. This is **mode collapse**, the GAN's best-known failure, and lesson 02 takes it
# apart and tests the popular remedies.
#
# ## 5. DCGAN on digits
# Images need convolutions. DCGAN (Radford et al. 2016) fixed a recipe that still works: the
# generator up-samples a $z$ of shape `(n, z_dim)` viewed as a 1x1 image with strided transposed
# convolutions, batch norm and ReLU, ending in `tanh`; the discriminator mirrors it with strided
# convolutions and LeakyReLU(0.2). Weights start from $\mathcal{N}(0, 0.02)$.

# %%
device = cfg.device  # convolutions on 32 x 32 images: here a GPU pays off
digit_train, _ = data.digit_images(32, split="train", device=device)  # (n, 1, 32, 32) in [-1, 1]
z_img = 64
G = models.DCGANGenerator(z_dim=z_img, channels=1, width=cfg.dcgan_width).to(device)
D = models.DCGANDiscriminator(channels=1, width=cfg.dcgan_width).to(device)
G.apply(models.init_dcgan_weights)
D.apply(models.init_dcgan_weights)
print(G)
z = torch.randn(4, z_img, device=device)
print("G:", tuple(z.shape), "->", tuple(G(z).shape), "  D:", tuple(G(z).shape), "->", tuple(D(G(z)).shape))

# %%
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
fixed_noise = torch.randn(500, z_img, device=device)  # the same noise at every snapshot


# The same step as `ring_step`, now from the package (open `train.gan_step`: it is that function).
dcgan_step = train.gan_step(
    G, D, opt_g, opt_d, z_dim=z_img,
    real_batch=lambda: digit_train[torch.randint(len(digit_train), (cfg.batch_images,), device=device)],
)


def dcgan_samples() -> torch.Tensor:
    """G on the fixed noise, in eval mode (batch norm uses its running statistics)."""
    G.eval()
    images = G(fixed_noise)
    G.train()
    return images


with torch.no_grad():
    untrained_digits = dcgan_samples()
dcgan_history = train.train(
    dcgan_step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d},
    steps=cfg.dcgan_steps, checkpoint=run / "dcgan.pt", log_dir=run / "tb_dcgan",
    sample_fn=lambda: dcgan_samples()[:36], sample_every=max(1, cfg.dcgan_steps // 4),  # 36 digits: a 6 x 6 grid's worth
)
print(f"trained {cfg.dcgan_steps} steps in {dcgan_history.seconds:.0f} s")

# %% [markdown]
# The same fixed noise over training: structure appears first, then strokes, then digits.
# TensorBoard shows the same grids and the loss curves live, for every lesson that trains: in a
# terminal at the course's root folder, `.venv/bin/tensorboard --logdir runs` (one `runs/` folder,
# whatever folder the notebook runs in; `VGAN_RUNS` moves it); on Colab, `%load_ext tensorboard` and
# `%tensorboard --logdir runs` in a cell.

# %%
snapshots = [(0, untrained_digits)] + dcgan_history.samples
fig, axes = plt.subplots(1, len(snapshots), figsize=(3 * len(snapshots), 3))
for ax, (step, images) in zip(axes, snapshots):
    viz.show_images(images[:36], nrow=6, ax=ax, title=f"step {step}")
plt.show()

# %% [markdown]
# ### Measured: does it make digits, and all of them?
# We cannot download an Inception network, so the course has its own digit classifier, a small
# CNN trained on the bundled digits (`metrics.train_digit_classifier`, about 25 s on a CPU). Like
# FID's Inception network it ships with the package, so every machine scores with the same
# weights, and here it is asked about 500 samples: the **confident fraction**
# (probability $\ge 0.9$ for one class: it looks like *some* digit), the **classes covered** (classes
# that get at least a fifth of a fair share of confident samples: no class is missing), and the
# **Inception-Score-style** number $\exp \mathbb{E}_x\, \mathrm{KL}(p(y|x) \,\|\, p(y))$ (Salimans et
# al. 2016), which is high when each sample is clearly one class and all classes occur. Real
# held-out digits give the ceiling.

# %%
classifier = metrics.digit_classifier()
accuracy = metrics.classifier_accuracy(classifier)
claims.claim("01", "digit classifier accuracy on held-out digits", accuracy, at_least=0.95, assert_in_smoke=True)
real_test, _ = data.digit_images(32, split="test")
with torch.no_grad():
    generated = dcgan_samples()
scores = {"real (held out)": metrics.digit_score(real_test, classifier),
          "untrained G": metrics.digit_score(untrained_digits, classifier),
          "DCGAN": metrics.digit_score(generated, classifier)}
print(f"{'':<16}{'confident':>10}{'classes':>9}{'IS':>7}")
for name, s in scores.items():
    print(f"{name:<16}{s.confident_fraction:>10.2f}{s.classes_covered:>9d}{s.inception_score:>7.2f}")
dcgan = scores["DCGAN"]
claims.claim("01", "DCGAN: confident fraction", dcgan.confident_fraction, at_least=0.4)
claims.claim("01", "DCGAN: digit classes covered (of 10)", dcgan.classes_covered, at_least=8)
claims.claim("01", "DCGAN: Inception-Score-style", dcgan.inception_score, at_least=4.5)

# %% [markdown]
# ## 6. Walking through the latent space
# A trained generator is a smooth map: points between two noise vectors give images between two
# digits. Below, a static strip (it shows everywhere); in JupyterLab or Colab, the slider under it
# walks the same path interactively.

# %%
G.eval()
z0, z1 = fixed_noise[0], fixed_noise[1]
strip = viz.interpolation_strip(G, z0, z1, n=10)
viz.show_images(strip, nrow=10, title="z0 -> z1")
plt.show()
viz.interpolation_slider(G, z0, z1)

# %% [markdown]
# A walk through four latent points and back is a seamless loop: our first generated clip, ready
# to share as a GIF or an MP4.

# %%
keys = fixed_noise[:4]
frames = []
for i in range(4):
    a, b = keys[i], keys[(i + 1) % 4]
    frames += [(1 - t) * a + t * b for t in torch.linspace(0, 1, 9, device=device)[:-1]]
with torch.no_grad():
    walk = G(torch.stack(frames))[None]  # (1, 32, 1, 32, 32): one clip of 32 frames
G.train()
viz.save_gif(walk, "outputs/01_latent_walk.gif", fps=10)
viz.show_video(walk, fps=10, scale=4, caption="a latent walk (saved to outputs/01_latent_walk.gif)")

# %% [markdown]
# ## Exercises
# 1. **Minimax vs non-saturating.** In `dcgan_step`, swap `generator_loss_nonsaturating` for
#    `generator_loss_minimax`. Plot `loss/g` for the first 200 steps. What happens, and why?
#    (Lesson 02 measures the gradient norms.)
# 2. **A 1-D latent.** Train the ring GAN with `z_dim = 1`. A continuous map from a line cannot
#    jump between 8 separate modes: where do the in-between samples go? Measure the high-quality
#    fraction.
# 3. **The grid of 25.** Replace the ring by `data.grid_of_gaussians()`. How many modes are
#    covered? Try three seeds (`profiles.seed_everything(n)`).
# 4. **Capacity.** Halve `dcgan_width`. Does the classifier notice?
#
# The graded version of these exercises is `assignments/01_gan_basics.ipynb`.
#
# ## References
# - I. Goodfellow et al. *Generative Adversarial Nets*. NeurIPS 2014.
# - A. Radford, L. Metz, S. Chintala. *Unsupervised Representation Learning with Deep
#   Convolutional Generative Adversarial Networks* (DCGAN). ICLR 2016.
# - T. Salimans et al. *Improved Techniques for Training GANs* (Inception Score). NeurIPS 2016.
# - L. Metz, B. Poole, D. Pfau, J. Sohl-Dickstein. *Unrolled Generative Adversarial Networks*. ICLR 2017.
# - A. Srivastava et al. *VEEGAN: Reducing Mode Collapse in GANs using Implicit Variational
#   Learning*. NeurIPS 2017.
