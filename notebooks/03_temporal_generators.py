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
# # 03 · Temporal generators: clips whose frames belong together
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/main/notebooks/03_temporal_generators.ipynb)
#
# A clip is not a bag of frames. A digit that drifts across the screen is the *same* digit in
# every frame, and it moves a little, smoothly, from one frame to the next. Many tutorials
# generate "video" as $x_t = G(z_t)$ with a fresh $z_t$ per frame: every frame can look right,
# and the clip is still nonsense. This lesson shows why, measures it, and builds the three
# classic fixes: VGAN's space-time generator (Vondrick et al. 2016), TGAN's path of latents
# (Saito et al. 2017) and MoCoGAN's split of content and motion (Tulyakov et al. 2018).
#
# To say which clips are better we need a video metric. FVD needs network weights we cannot
# download, so the course trained its own small video network on its own synthetic clips, and
# this lesson checks that the metric notices what it must before using it.
#
# **Learning goals.** After this lesson you can
# - explain why independent per-frame noise cannot make a coherent clip, and measure the flicker;
# - build VGAN's foreground/mask/background generator, TGAN's temporal generator and MoCoGAN's
#   content + motion generator, with image and (2+1)-D video discriminators;
# - validate a video metric (floor, shuffled and frozen controls) and read a results table of
#   clip-level and frame-level Fréchet distances, identity consistency and motion statistics;
# - resample content or motion separately, and export a clip as GIF or MP4.
#
# **Time.** `smoke` under a minute · `cpu` under a minute with the shipped generators, 10 to 12
# minutes when it trains every model here (`RETRAIN = True`) · `gpu` trains every model longer, at
# 64 x 64 with twice the channels: at the `cpu` profile's width the whole lesson took 7 minutes on
# an H100 (the wider run is not yet timed; see the README), several times that on a Colab T4.

# %%
# Colab only: install the course package (Colab keeps its own GPU build of torch).
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "vgan-course @ git+https://github.com/vgan-course/vgan-course"], check=True)

# %%
import os
import time

import matplotlib.pyplot as plt
import torch

from vgan_course import claims, data, losses, methods, metrics, models, profiles, viz

# Settings per profile live with the lesson's methods (vgan_course/methods/temporal_generators.py),
# so that `vgan-course train` trains exactly what this notebook trains.
lesson = methods.lesson("03_temporal_generators")
cfg = lesson.config()  # the current profile's settings, seed and device
# Train only if missing: False loads the generators shipped with the course (trained longer by
# `vgan-course train-checkpoints`, at 32 x 32); True trains every model here, for cfg.steps
# steps. The gpu profile works at 64 x 64 (cfg.size) with twice the channels (cfg.width, see
# section 1), so it always trains.
RETRAIN = os.environ.get("VGAN_RETRAIN", "0") == "1"
profiles.seed_everything(cfg.seed)
run = profiles.run_dir("03_temporal_generators")  # checkpoints (resumable), exported clips
print(cfg, "RETRAIN =", RETRAIN)

# %% [markdown]
# ## 0. The data, and a metric we can trust
#
# The training set is an endless stream of clips of one moving digit: 16 frames of 32 x 32
# (64 x 64 in the `gpu` profile), a digit from scikit-learn's bundled set bouncing off the walls
# at 1 to 2.5 pixels per frame (twice that at 64 x 64).

# %%
real = data.digit_clips(8, cfg.size, generator=torch.Generator().manual_seed(cfg.seed))
viz.show_video(real, caption="real clips: one digit each, constant speed, bouncing off the walls")

# %% [markdown]
# **The metric.** The course's video network (`metrics.video_feature_net()`, shipped with the
# package and checked against its SHA-256) was trained to name the digit or shape in a clip and
# to predict its velocity at every frame, never to spot shuffled or frozen clips. Each clip
# becomes one feature vector: the time-averaged appearance features joined with the predicted
# velocities (the *clip* feature); each frame also gets its own appearance feature (the *frame*
# feature). The Fréchet distance between two sets of features, each summarised by a Gaussian
# $\mathcal{N}(\mu, \Sigma)$, is
#
# $$\mathrm{FD} = \lVert \mu_r - \mu_g \rVert^2 + \mathrm{Tr}\big(\Sigma_r + \Sigma_g - 2(\Sigma_r \Sigma_g)^{1/2}\big)$$
#
# (Heusel et al. 2017 on images, Unterthiner et al. 2019 on video). *Clip FD* compares clips,
# *frame FD* compares the bags of frames and is blind to their order. With a finite sample the
# FD of two sets drawn from the *same* distribution is not 0: that is the **floor**, and a model
# can only be judged relative to it. Before using the metric, we check that it sees what it
# must: shuffling the frames of real clips (same frames, no motion) and freezing them (first
# frame repeated) must score far above the floor, and more added noise must score higher.
# The network sees 32 x 32 clips; at 64 x 64 every clip, real or generated, is first averaged
# down to 32 x 32 (`metrics.at_metric_resolution`), so the numbers of all profiles compare.

# %%
reference = metrics.real_reference(cfg.n_eval, seed=10_000 + cfg.seed, size=cfg.size)  # real clips + features, once
second_real = data.digit_clips(cfg.n_eval, cfg.size, generator=torch.Generator().manual_seed(20_000 + cfg.seed))
controls = {
    "real (the floor)": second_real,
    "real, frames shuffled": metrics.shuffled(second_real, torch.Generator().manual_seed(cfg.seed)),
    "real, first frame frozen": metrics.frozen(second_real),
}
for sigma in (0.1, 0.3, 0.6):
    controls[f"real + noise {sigma}"] = (second_real + sigma * torch.randn_like(second_real)).clamp(-1, 1)
COLUMNS = {"clip_fd": "clip FD", "clip_fd_low": "(5%", "clip_fd_high": "95%)", "frame_fd": "frame FD",
           "identity": "identity", "speed": "speed px/frame", "roughness": "roughness"}
rows = {name: metrics.score_clips(clips, reference) for name, clips in controls.items()}
print(viz.format_table(rows, COLUMNS))

# %% [markdown]
# The shuffled clips have *exactly* the frames of the floor set, so their frame FD is the floor's,
# to the last digit: the frame metric cannot see time. The clip FD sees it. These checks use
# the shipped network, so they must hold in every profile:

# %%
floor = rows["real (the floor)"]["clip_fd"]
claims.claim("03", "metric: shuffled real clips, clip FD / floor", rows["real, frames shuffled"]["clip_fd"] / floor,
               at_least=5, assert_in_smoke=True)
claims.claim("03", "metric: frozen real clips, clip FD / floor", rows["real, first frame frozen"]["clip_fd"] / floor,
               at_least=3, assert_in_smoke=True)
claims.claim("03", "metric: shuffled frames leave frame FD unchanged (|difference|)",
               abs(rows["real, frames shuffled"]["frame_fd"] - rows["real (the floor)"]["frame_fd"]), at_most=1e-3, assert_in_smoke=True)
noise_fd = [rows[f"real + noise {s}"]["clip_fd"] for s in (0.1, 0.3, 0.6)]
claims.claim("03", "metric: clip FD grows with noise 0.1 -> 0.3 -> 0.6 (smallest step up)",
               min(b - a for a, b in zip(noise_fd, noise_fd[1:])), at_least=0, assert_in_smoke=True)

# %% [markdown]
# ## 1. The frame-independent baseline: $x_t = G(z_t)$
#
# Train an ordinary image GAN (the DCGAN of lesson 01) on the frames of real clips, then make a
# "clip" by drawing a fresh $z_t \sim \mathcal{N}(0, I)$ for every frame. The frames are then
# independent draws from the same distribution:
#
# $$p(x_1, \dots, x_T) = \prod_{t=1}^{T} p_G(x_t), \qquad
#   \mathbb{E}\,\lVert x_{t+1} - x_t \rVert^2 = 2\,\mathrm{tr}\,\mathrm{Cov}(x),$$
#
# so two consecutive frames differ as much as any two frames of the whole data set: a different
# digit, somewhere else. No training can fix this; it is the sampling procedure itself.
#
# Every model of this lesson is a *method* of `vgan_course.methods.temporal_generators`: its
# generator (from `vgan_course/models/video.py`), the discriminators it plays against, its
# optimizers and its training step. `methods.load_or_train` loads the generator shipped with the
# course, or, with `RETRAIN = True` (or when none is shipped), trains it here; an interrupted
# run resumes from its checkpoint in `run`. The baseline's step is lesson 01's image-GAN step
# (`train.gan_step`), on single frames of real clips.
#
# One detail of that recipe matters a lot for short runs. GAN training does not converge to a
# point; the generator keeps swinging around as the discriminators chase it. Stop at step 1000
# and you get wherever the swing happened to be: in one measured run the clip FD of MoCoGAN was
# 2016 at step 750 and 4042 at step 1000. So the generator kept is a **moving average** of the
# generator's weights, $\bar\theta \leftarrow 0.99\,\bar\theta + 0.01\,\theta$ after every step
# (`train.update_average`; Karras et al. 2018, Yazıcı et al. 2019): an average over roughly the
# last 100 steps. For that run it gave 1690 at step 1000. Training itself is unchanged: the
# discriminators still play against the current generator.
#
# A second detail, for the `gpu` profile's 64 x 64 frames. With 32 channels in the first layer
# (`width=32`, the `cpu` profile's), the image discriminator won the game within 200 steps and
# never let go: its loss fell to 0.000 and the frame-independent generator ended on one fixed
# smudge (frame FD 2270 after 1500 steps; at 32 x 32 the same recipe recovers after about 300
# steps). In the same test, DCGAN's own width for 64 x 64 frames, 64 channels, recovered (frame FD
# 113), and so did Gaussian noise of standard deviation 0.1 to 0.2 on the discriminator's inputs
# (frame FD 142 and 114), a trick MoCoGAN's reference code uses; a 4x lower discriminator learning
# rate (1231) or spectral norm (772) helped less. One seed, on an H100:
# `python benchmarks/d_wins_at_64.py` repeats it. So the `gpu` profile doubles the width (`cfg.width`), and
# in its own run (3000 steps, one seed on an H200) the baseline trained normally (frame FD 55);
# exercise 7 reproduces the failure. That is not the whole cure. MoCoGAN without the video D, whose
# only critic is the image D too, still loses this way at 64 x 64 and width 64: in the `gpu`
# profile's own run (2000 steps, one seed on an H200) its digits froze (speed 0.36 px/frame against
# the real 1.68; frame FD 2315), and spectral norm on its image D, the variant that got it going at
# width 32 (frame FD 338), did not help at this size (1000 steps: frame FD 1351, speed 0.00). So
# the `gpu` profile's table shows that model frozen, which says as much about an image D that won
# as about the missing video D; no claim rests on it there.

# %%
def get(name: str, step=None) -> methods.Trained:
    """The generator of method ``name``: shipped, or trained here with ``step`` (default: the package's)."""
    trained = methods.load_or_train(lesson.methods[name], cfg, retrain=RETRAIN, run_dir=run, step=step)
    print(trained.describe())
    return trained


trained = {"frame-independent": get("frame-independent")}
samples = {"frame-independent": models.sample_clips(trained["frame-independent"].network, cfg.n_eval, seed=cfg.seed)}
viz.show_video(samples["frame-independent"][:8], caption="frame-independent: every frame a new digit, somewhere else")

# %% [markdown]
# Each frame is a plausible digit; the clip flickers. Two numbers say it without looking:
# **identity consistency** (the share of a clip's frames that the metric network classifies as
# the clip's majority digit; real clips: about 0.98) and the **roughness** of the motion (how much
# the centre of mass of the ink changes its velocity from frame to frame; real digits move in
# straight lines, so theirs is small).

# %%
small_real = metrics.at_metric_resolution(second_real)  # the metric network's 32 x 32 (a no-op at 32)
small_fi = metrics.at_metric_resolution(samples["frame-independent"])
real_motion, fi_motion = metrics.motion_statistics(small_real), metrics.motion_statistics(small_fi)
fi_identity = metrics.identity_consistency(small_fi)
print(f"real:              identity {metrics.identity_consistency(small_real):.2f}, speed {real_motion.speed:.2f} px/frame, "
      f"roughness {real_motion.roughness:.2f}")
print(f"frame-independent: identity {fi_identity:.2f}, speed {fi_motion.speed:.2f} px/frame, roughness {fi_motion.roughness:.2f}")

# %% [markdown]
# ## 2. The video GAN step
#
# The models below differ in their generators; they all play one game. A **video discriminator**
# $D_V$ judges whole clips, and MoCoGAN (section 5) adds an **image discriminator** $D_I$ that
# judges single frames $S_1(v)$ drawn from the clips. Each is trained as lesson 01's $D$, on its
# own kind of sample,
#
# $$\max_{D_V}\; \mathbb{E}_v\big[\log D_V(v)\big] + \mathbb{E}_z\big[\log\big(1 - D_V(G(z))\big)\big], \qquad
#   \max_{D_I}\; \mathbb{E}_v\big[\log D_I(S_1(v))\big] + \mathbb{E}_z\big[\log\big(1 - D_I(S_1(G(z)))\big)\big],$$
#
# and the generator then takes one step on the non-saturating loss of lesson 02 against both,
# $\min_G\, -\mathbb{E}_z[\log D_V(G(z))] - \mathbb{E}_z[\log D_I(S_1(G(z)))]$, plus, for VGAN,
# a penalty on its mask (section 3). Written out, one step is:

# %%
def video_gan_step(nets, opts, real_batch, cfg):
    """One round of the game for a video GAN: D_I (if any), then D_V (if any), then G against both."""
    G, D_image, D_video = nets["G"], nets.get("D_image"), nets.get("D_video")
    if D_image is None and D_video is None:
        raise ValueError("video_gan_step needs nets['D_image'], nets['D_video'], or both")

    def step(ctx):
        real = real_batch()  # (batch, 16, 1, size, size)
        logged = {}
        with ctx.autocast():
            fake = G(**G.sample_latents(len(real)))  # a batch of generated clips, same shape
        if D_image is not None:  # D_I: maximise log D_I(real frames) + log(1 - D_I(generated frames))
            with ctx.autocast():
                logged["loss/d_image"] = losses.discriminator_loss(
                    D_image(models.sample_frames(real, cfg.frames_per_clip)),
                    D_image(models.sample_frames(fake.detach(), cfg.frames_per_clip)))
            ctx.update(opts["D_image"], logged["loss/d_image"])
        if D_video is not None:  # D_V: the same game on whole clips
            with ctx.autocast():
                logged["loss/d_video"] = losses.discriminator_loss(D_video(real), D_video(fake.detach()))
            ctx.update(opts["D_video"], logged["loss/d_video"])
        with ctx.autocast():  # G: maximise log D(G(z)) for both, against their updated weights
            loss_g = torch.zeros((), device=ctx.device)
            if D_image is not None:
                loss_g = loss_g + losses.generator_loss_nonsaturating(
                    D_image(models.sample_frames(fake, cfg.frames_per_clip)))
            if D_video is not None:
                loss_g = loss_g + losses.generator_loss_nonsaturating(D_video(fake))
            if cfg.mask_weight:  # VGAN: keep the foreground mask sparse (section 3)
                logged["loss/mask"] = G.last_mask.mean()
                loss_g = loss_g + cfg.mask_weight * logged["loss/mask"]
        ctx.update(opts["G"], loss_g)
        return {"loss/g": loss_g, **logged}

    return step


# %% [markdown]
# `fake.detach()` in the discriminators' losses keeps their update from reaching into $G$;
# `ctx.update` zeroes the gradients, back-propagates and steps one optimizer (lesson 01). The
# package keeps a tested copy of this step
# (`vgan_course.methods.temporal_generators.video_gan_step`), which `vgan-course train` and the
# shipped networks use. Two steps of each, from the same networks, seed and batches, must leave
# exactly the same weights:

# %%
for name in ("VGAN", "TGAN", "MoCoGAN", "MoCoGAN without video D"):
    claims.claim("03", f"this notebook's step = the package's, {name} (largest weight difference)",
                 methods.check_same_step(lesson.methods[name], cfg, video_gan_step), at_most=0.0, assert_in_smoke=True)

# %% [markdown]
# ## 3. VGAN: a moving foreground over a still background
#
# Vondrick, Pirsiavash and Torralba (2016) generate the whole clip at once with 3-D (space-time)
# transposed convolutions, and split it into two streams: a foreground $f(z)$ with a mask
# $m(z) \in [0, 1]$, both of shape $T \times H \times W$, and one background image $b(z)$ for the
# whole clip:
#
# $$G(z) = m(z) \odot f(z) + (1 - m(z)) \odot b(z).$$
#
# The background cannot move, so everything that moves must go through the mask. A sparsity
# penalty $\lambda \lVert m(z) \rVert_1$ ($\lambda = 0.1$) in the generator's loss keeps the mask
# small, so the network does not simply paint every pixel with the foreground stream. Only a
# video discriminator judges its clips. Our `models.VGANGenerator` keeps its last mask in
# `G.last_mask`, which the step of section 2 penalises (`cfg.mask_weight`).

# %%
trained["VGAN"] = get("VGAN", video_gan_step)
samples["VGAN"] = models.sample_clips(trained["VGAN"].network, cfg.n_eval, seed=cfg.seed)
with torch.no_grad():
    G_vgan = trained["VGAN"].network
    rng = torch.Generator(device=next(G_vgan.parameters()).device).manual_seed(cfg.seed)
    clip = G_vgan(**G_vgan.sample_latents(1, generator=rng))
    mask = G_vgan.last_mask
viz.show_video(torch.cat([clip, mask * 2 - 1]).clamp(-1, 1), ncol=2, caption="VGAN: a clip (left) and its mask m (right, white = foreground)")

# %% [markdown]
# ## 4. TGAN: a path through latent space
#
# Saito, Matsumoto and Saito (2017) keep a 2-D image generator and make the *latents* move: a
# temporal generator turns one $z_0$ into a path $z_1^{(1)}, \dots, z_1^{(T)}$ by 1-D transposed
# convolutions over time, and frame $t$ is $G_\text{image}(z_0, z_1^{(t)})$. The path is smooth
# because neighbouring time steps share the deconvolutions' kernels. TGAN trains with the WGAN
# loss and *singular value clipping* of the critic's weights (its way of keeping the critic
# 1-Lipschitz); here it uses the non-saturating loss and a (2+1)-D video discriminator like
# every other model, so that the comparison is about the generator. Exercise 3 brings the
# clipping back.

# %%
trained["TGAN"] = get("TGAN", video_gan_step)
samples["TGAN"] = models.sample_clips(trained["TGAN"].network, cfg.n_eval, seed=cfg.seed)
viz.show_video(samples["TGAN"][:8], caption="TGAN")

# %% [markdown]
# ## 5. MoCoGAN: content and motion
#
# Tulyakov et al. (2018) split the latent code of frame $t$ in two: a **content** code $z_C$ drawn
# once per clip and held fixed, and a **motion** code $z_M^{(t)}$ from a recurrent network driven by
# fresh noise $\varepsilon_t$:
#
# $$z_M^{(t)} = \mathrm{GRU}\big(\varepsilon_t,\, z_M^{(t-1)}\big), \qquad x_t = G_I\big([z_C, z_M^{(t)}]\big).$$
#
# Two discriminators judge the result: an image discriminator $D_I$ on single frames sampled from
# the clips (are these frames real?) and a video discriminator $D_V$ on whole clips (is this
# motion real?). With $S_1$ a random frame and $S_T$ the whole clip, the objective is
#
# $$\max_{D_I, D_V} \min_{G_I, \mathrm{GRU}}\;
#   \mathbb{E}_v[\log D_I(S_1(v))] + \mathbb{E}_{\tilde v}[\log(1 - D_I(S_1(\tilde v)))]
#   + \mathbb{E}_v[\log D_V(S_T(v))] + \mathbb{E}_{\tilde v}[\log(1 - D_V(S_T(\tilde v)))],$$
#
# trained with the non-saturating generator loss as in lesson 02: the step of section 2, with
# both discriminators. $D_V$ is the (2+1)-D
# `models.VideoDiscriminator`: each `models.Conv2Plus1d` block is a 2-D convolution on every
# frame followed by a 1-D convolution along time at every pixel (Tran et al. 2018), which on 2
# CPU cores is about 7 times faster than a full 3-D convolution at 16 x 32 x 32. Between blocks
# it has batch norm, like DCGAN's discriminator. (A first version without it learned so slowly
# that a generator could fool it with one still grey blob: every video GAN of this lesson
# collapsed. Small details of a discriminator decide whether a GAN trains at all.)
#
# The **ablation** trains the same generator against $D_I$ alone. Its frames are judged one by
# one, like the baseline's; only the structure of the generator (one content code per clip)
# remains to hold a clip together.

# %%
trained["MoCoGAN"] = get("MoCoGAN", video_gan_step)
trained["MoCoGAN without video D"] = get("MoCoGAN without video D", video_gan_step)
for name in ("MoCoGAN", "MoCoGAN without video D"):
    samples[name] = models.sample_clips(trained[name].network, cfg.n_eval, seed=cfg.seed)
viz.show_video(torch.cat([samples["MoCoGAN"][:4], samples["MoCoGAN without video D"][:4]]),
               caption="MoCoGAN (left four) and MoCoGAN without the video discriminator (right four)")

# %% [markdown]
# ## 6. The results table
#
# Every model, scored on `cfg.n_eval` clips against the same real reference; the control rows
# of section 0 frame the scale. Lower FD is better; identity consistency, speed and roughness
# should be close to the real clips'.

# %%
for name, clips in samples.items():
    rows[name] = metrics.score_clips(clips, reference)
table = {name: rows[name] for name in ["real (the floor)", "real, frames shuffled", "real, first frame frozen", *samples]}
print(viz.format_table(table, COLUMNS))
shipped_models = all(t.source == "shipped" for t in trained.values())
columns = ("clip_fd", "frame_fd", "identity", "speed", "roughness")
claims.record_table("03", "results table (shipped generators)" if shipped_models else "results table (trained here)",
                      [{"clips": name, **{k: round(row[k], 4) for k in columns}} for name, row in table.items()])

# %% [markdown]
# What to read in it:
# - the **frame-independent baseline** has the best frame FD of the models (its frames are the
#   work of a plain image GAN trained 4000 steps) and by far the worst clip FD: the clip metric
#   sees the flicker that the frame metric cannot. Its roughness says the same in plain units:
#   the ink's centre of mass jumps across the frame from one frame to the next;
# - **MoCoGAN** and **TGAN** move their digits at about the real speed and far more smoothly;
#   their frames are blurrier than the baseline's (higher frame FD) at this training budget;
# - **MoCoGAN without $D_V$** keeps its digit (high identity consistency) by hardly moving it: its
#   speed is a fraction of the real one. Judged frame by frame, a still digit is as good as a
#   moving one, and nothing else asks for motion; its clip FD is about twice MoCoGAN's;
# - **identity consistency** is low for every model: on blurry generated digits the metric
#   network's per-frame classifier changes its mind often, so this number says little until
#   the frames are sharp. Don't read more into a metric than it can carry.
#
# The claims below are asserted. The baseline's flicker shows after any amount of training. After
# the short runs that fit the `cpu` budget (`RETRAIN = True`), MoCoGAN must still beat the
# baseline on clip FD, with a looser bound than for the shipped generators; the finer comparisons
# (roughness, the ablation without $D_V$, the content/motion test) need the longer training of the
# shipped generators. The `gpu` profile's 64 x 64 runs assert the first comparison with the same
# loose bound (one seed on an H200 measured 0.34) and record the finer ones, which have not run
# there on enough seeds to assert a bound.

# %%
exact = shipped_models  # claims on shipped checkpoints must hold in every profile
claims.claim("03", "roughness: frame-independent / real", rows["frame-independent"]["roughness"] / rows["real (the floor)"]["roughness"],
               at_least=5, assert_in_smoke=exact)
if shipped_models:
    claims.claim("03", "clip FD: MoCoGAN / frame-independent", rows["MoCoGAN"]["clip_fd"] / rows["frame-independent"]["clip_fd"],
                   at_most=0.6, assert_in_smoke=True)
    claims.claim("03", "roughness: MoCoGAN / frame-independent", rows["MoCoGAN"]["roughness"] / rows["frame-independent"]["roughness"],
                   at_most=0.2, assert_in_smoke=True)
    claims.claim("03", "clip FD: MoCoGAN without video D / MoCoGAN", rows["MoCoGAN without video D"]["clip_fd"] / rows["MoCoGAN"]["clip_fd"],
                   at_least=1.5, assert_in_smoke=True)
else:  # trained here: the short cpu budget, or the gpu profile at 64 x 64
    claims.claim("03", "clip FD (trained here): MoCoGAN / frame-independent",
                   rows["MoCoGAN"]["clip_fd"] / rows["frame-independent"]["clip_fd"], at_most=0.8)

# %% [markdown]
# ## 7. Content and motion, separately
#
# MoCoGAN's promise is that the two codes control different things. Test it on a grid: 16 content
# codes times 16 motion-noise sequences, every pairing rendered. Within a row (same content,
# new motion) the digit should stay the same while the path changes; within a column (same
# motion, new content) the digit should change while the motion stays. `metrics.content_motion_test`
# measures both, with the metric network's clip classifier for the identity and the ink's centre
# of mass for the motion.

# %%
test = metrics.content_motion_test(trained["MoCoGAN"].network, seed=cfg.seed)
print(f"same content, motion resampled: identity agreement {test.identity_same_content:.2f}, "
      f"paths differ by {test.path_same_content:.2f} px, velocities by {test.velocity_same_content:.2f} px/frame")
print(f"same motion, content resampled: identity agreement {test.identity_same_motion:.2f}, "
      f"paths differ by {test.path_same_motion:.2f} px, velocities by {test.velocity_same_motion:.2f} px/frame")
claims.record_table("03", "content and motion test" + (" (shipped generator)" if shipped_models else " (trained here)"),
                      [{"resampled": kept, "identity agreement": round(getattr(test, f"identity_same_{fixed}"), 4),
                        "path difference (px)": round(getattr(test, f"path_same_{fixed}"), 4),
                        "velocity difference (px/frame)": round(getattr(test, f"velocity_same_{fixed}"), 4)}
                       for fixed, kept in (("content", "motion"), ("motion", "content"))])
if shipped_models:  # a short run here has not separated them yet: see exercise 6
    claims.claim("03", "identity agreement: fixed content - fixed motion",
                   test.identity_same_content - test.identity_same_motion, at_least=0.03, assert_in_smoke=True)
    claims.claim("03", "velocity difference: fixed motion / fixed content",
                   test.velocity_same_motion / test.velocity_same_content, at_most=0.85, assert_in_smoke=True)

# %% [markdown]
# Read the numbers with care. With the content fixed, the digit's class agrees more often than
# with the motion fixed, and with the motion fixed the frame-to-frame *velocities* are closer
# than with the content fixed: the split works, partly, at this training budget. But the
# *paths* differ more with the motion fixed than with the content fixed: this generator put the
# digit's starting **position** into the content code, and only its velocity into the motion.
# Nothing in the objective says where the position must go. MoCoGAN separates what is constant
# in a clip from what changes, and the starting position is constant. These two claims are
# asserted on the shipped generator only: the runs trained here, the `gpu` profile's included,
# record the test beside their results table until enough seeds show where they stand.
#
# The grid itself: each row one content code, each column one motion (the first 4 x 4).

# %%
viz.show_video(test.clips[:4, :4].flatten(0, 1), ncol=4, caption="rows: same content; columns: same motion")

# %% [markdown]
# Explore it yourself: the buttons resample one code and keep the other (where widgets are not
# available, the grid above is the static version of the same experiment).

# %%
viz.content_motion_explorer(trained["MoCoGAN"].network, seed=cfg.seed)

# %% [markdown]
# **Share a clip.** `viz.save_gif` writes a looping GIF, `viz.save_mp4` an H.264 MP4 that plays
# everywhere (PyAV encodes it).

# %%
gif = viz.save_gif(test.clips[0, :4], run / "03_mocogan_same_content.gif", fps=8)
mp4 = viz.save_mp4(test.clips[0, :4], run / "03_mocogan_same_content.mp4", fps=8)
print(f"wrote {gif} ({gif.stat().st_size / 1e3:.0f} kB) and {mp4} ({mp4.stat().st_size / 1e3:.0f} kB)")

# %% [markdown]
# ## Exercises
# 1. **Where does the flicker come from?** Make the frame-independent baseline coherent without
#    retraining it: use one $z$ for the whole clip and move it slowly, $z_t = z + 0.1\,t\,d$ for a
#    random direction $d$. Score it. Which numbers improve, and what does the clip look like?
# 2. **VGAN's mask.** Retrain VGAN with `lesson.methods["VGAN"].with_hyper(mask_weight=0)` and with `1.0` (pass
#    it to `get`'s `methods.load_or_train` with `retrain=True`). Show the
#    masks. What does the background stream learn in each case?
# 3. **TGAN's singular value clipping.** After each critic step, clip every singular value of each
#    weight matrix of $D_V$ to at most 1 (reshape a convolution's weight to (out, in * k)). Does the
#    clip FD change at the same budget?
# 4. **MoCoGAN's image batch.** `cfg.frames_per_clip` (the method's `hyper`) sets how many frames of each clip
#    $D_I$ sees. Try 1 and 8. Which numbers of the results table move?
# 5. **Longer clips.** A GRU can run for any number of steps. Generate 32-frame clips from the
#    16-frame MoCoGAN (`G.n_frames = 32`). Does the digit keep its identity? Does it keep moving?
# 6. **When do content and motion separate?** Train MoCoGAN here for 500, 1000 and 2000 steps
#    (`methods.train_method(lesson.methods["MoCoGAN"], lesson.config(steps={"MoCoGAN": n}), run_dir=run)` resumes where it
#    stopped) and run `metrics.content_motion_test` after each. The manifest
#    (`vgan_course/checkpoints/manifest.json`) holds the shipped runs' learning curves.
# 7. **A discriminator that wins too soon.** Train the frame-independent baseline at 64 x 64 with
#    `width=32` for 1000 steps and plot `history.metrics["loss/d"]` and `["loss/g"]`. When does
#    D's loss reach zero, and what do G's samples look like then? Then add noise to D's inputs
#    (wrap `D.forward` to return `forward(x + 0.1 * torch.randn_like(x))` in training) and
#    compare. Why can a perfect discriminator stop the generator from learning (Arjovsky and
#    Bottou 2017)?
#
# The graded version is `assignments/03_temporal_generators.ipynb`.
#
# ## References
# - C. Vondrick, H. Pirsiavash, A. Torralba. *Generating Videos with Scene Dynamics* (VGAN).
#   NeurIPS 2016.
# - M. Saito, E. Matsumoto, S. Saito. *Temporal Generative Adversarial Nets with Singular Value
#   Clipping* (TGAN). ICCV 2017.
# - S. Tulyakov, M.-Y. Liu, X. Yang, J. Kautz. *MoCoGAN: Decomposing Motion and Content for Video
#   Generation*. CVPR 2018.
# - D. Tran et al. *A Closer Look at Spatiotemporal Convolutions for Action Recognition* (R(2+1)D).
#   CVPR 2018.
# - T. Unterthiner et al. *Towards Accurate Generative Models of Video: A New Metric & Challenges*
#   (FVD). arXiv:1812.01717, 2019.
# - T. Karras, T. Aila, S. Laine, J. Lehtinen. *Progressive Growing of GANs for Improved Quality,
#   Stability, and Variation*. ICLR 2018 (the moving average of the generator's weights).
# - Y. Yazıcı et al. *The Unusual Effectiveness of Averaging in GAN Training*. ICLR 2019.
# - M. Arjovsky, L. Bottou. *Towards Principled Methods for Training Generative Adversarial
#   Networks*. ICLR 2017 (why a perfect discriminator stalls G; noise on D's inputs).
# - A. Radford, L. Metz, S. Chintala. *Unsupervised Representation Learning with Deep
#   Convolutional Generative Adversarial Networks* (DCGAN). ICLR 2016.
# - M. Heusel et al. *GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
#   Equilibrium* (FID). NeurIPS 2017.
# - N. Srivastava, E. Mansimov, R. Salakhutdinov. *Unsupervised Learning of Video Representations
#   using LSTMs* (Moving MNIST). ICML 2015.
