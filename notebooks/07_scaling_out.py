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
# # 07 · Scaling out: one GAN step on several processes (appendix)
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/vgan-course/vgan-course/blob/v0.1.0/notebooks/07_scaling_out.ipynb)
#
# Lesson 03 at 64 x 64 already keeps one GPU busy for minutes per model. The next step up is
# several GPUs, on one machine or several, with PyTorch's own engine: `torchrun` starts one
# process per GPU and `DistributedDataParallel` (DDP) keeps their copies of the networks equal.
# The course's loop (`vgan_course.train.train`) runs unchanged under it, and
# `vgan-course train` trains any lesson's method that way. A GAN is not the network DDP was
# designed for: two networks, two optimizers, a discriminator that runs inside the generator's
# loss, batch norm, gradient penalties. This appendix measures what each of these does, on two
# processes of this machine, on tiny networks, in seconds.
#
# **Learning goals.** After this lesson you can
# - say what an all-reduce of gradients does to one step, and check it against one process;
# - wrap a GAN for DDP (one wrapper per network) and explain what one wrapper around both does;
# - handle the discriminator in the generator's loss, batch norm, gradient penalties, seeds and
#   logging on several processes;
# - work out the batch and learning rate of a run on N processes;
# - launch a lesson's training with `torchrun` on one machine or several.
#
# **Time.** Seconds in every profile: one launch of two processes on the CPU, whatever the
# profile. Nothing here needs a GPU; the commands at the end are for machines that have several.

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
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from vgan_course import claims, methods, profiles, scaling, viz

cfg = profiles.settings(
    smoke=dict(noise_batches=300, noise_batch=16),
    cpu=dict(noise_batches=2000, noise_batch=16),
    gpu=dict(noise_batches=2000, noise_batch=16),
)
# Every profile runs the same experiments on two CPU processes (torch.distributed's gloo backend):
# the traps below are the same on GPUs (nccl), where the few that differ are said.
profiles.seed_everything(cfg.seed)
print(cfg)

# %% [markdown]
# ## 1. What DDP does to one step
#
# `torchrun --nproc_per_node=N script.py` starts N copies of `script.py`. Each copy, a **rank**,
# learns its place from the environment (`RANK`, `LOCAL_RANK`, `WORLD_SIZE`) and joins a
# *process group*. Each rank holds a whole copy of every network and draws its **own** batch of
# $b$ samples. The losses are means over the batch, so the gradient of the whole batch of $Nb$
# samples is the mean of the ranks' gradients:
#
# $$\nabla_\theta \frac{1}{Nb}\sum_{i=1}^{Nb} \ell_i(\theta) = \frac{1}{N}\sum_{r=1}^{N} \underbrace{\nabla_\theta \frac{1}{b}\sum_{i \in \text{rank } r} \ell_i(\theta)}_{\text{what rank } r \text{ computes}}$$
#
# DDP computes that mean during `backward()`: as soon as a bucket of gradients is ready, it is
# summed over the ranks (an **all-reduce**) and divided by N, while the rest of the backward pass
# runs. Every rank then holds the same gradient, takes the same optimizer step, and the copies
# stay equal (DDP also copies rank 0's weights to every rank at the start). So one step on N ranks
# of $b$ samples *is* one step on $Nb$ samples, only faster.
#
# The module `vgan_course.scaling` checks that on a tiny GAN (points on a ring; the alternating
# update of lesson 01; SGD, so that a difference in a gradient is a difference in the weights),
# for a few steps on a fixed global batch of which each rank takes its half, against one process
# that takes all of it. It runs every experiment of this lesson in one launch of two processes:

# %%
folder = Path(tempfile.mkdtemp(prefix="vgan-07-"))
command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",  # = torchrun
           "-m", "vgan_course.scaling", str(folder / "measured.json")]
began = time.perf_counter()
done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
if done.returncode:
    raise RuntimeError(f"torchrun failed:\n{done.stderr[-3000:]}")
print(f"torchrun {' '.join(command[3:])}\n-> {time.perf_counter() - began:.1f} s (starting the processes included)")
measured = json.loads((folder / "measured.json").read_text())
equivalence = measured["equivalence"]
print(viz.format_table({name: {"d": d} for name, d in equivalence.items()},
                       {"d": "largest weight difference to one process on the whole batch"}))

# %%
claims.claim("07", "2 ranks of b vs 1 process of 2b: largest weight difference",
             equivalence["two wrappers, no batch norm"], at_most=1e-6, assert_in_smoke=True)
claims.claim("07", "control, nothing all-reduced: largest weight difference",
             equivalence["no wrappers (nothing all-reduced)"], at_least=1e-4, assert_in_smoke=True)

# %% [markdown]
# Float32 rounding is all that separates the two ranks from the one process: the sums are taken
# in another order. The control, each rank training alone on its half, moves the weights by
# orders of magnitude more, so the bound can fail. Two more rows of the table are traps of
# sections 4 and 5.
#
# ## 2. One wrapper per network, not one around both
#
# The tempting way is one `DistributedDataParallel` around a module holding G and D. DDP expects
# every parameter it wraps to receive a gradient after each forward pass, and it starts reducing a
# bucket once all of its gradients are in. In the discriminator's update nothing flows into G
# (its output is detached), so G's gradients never arrive. With the default
# `find_unused_parameters=False` the next forward pass finds the previous reduction unfinished:

# %%
print(measured["one wrapper, find_unused_parameters=False"]["error"][:200], "...")
claims.claim("07", "one wrapper, find_unused_parameters=False: raises",
             float("error" in measured["one wrapper, find_unused_parameters=False"]), at_least=1, assert_in_smoke=True)

# %% [markdown]
# With `find_unused_parameters=True` DDP walks the autograd graph after every forward pass to
# find the parameters that will get no gradient, and sends zeros for them. On this run it trains
# correctly, at a price the next section measures: every `backward()` all-reduces **both**
# networks. The course gives each network its own wrapper (`distributed.wrap(nets)`, a
# `distributed.Replica` each), so each update only concerns the networks it trains.

# %%
one = measured["one wrapper, find_unused_parameters=True"]
claims.claim("07", "one wrapper, find_unused_parameters=True: largest weight difference",
             one["largest difference"], at_most=1e-6, assert_in_smoke=True)

# %% [markdown]
# ## 3. D runs in both updates of a step
#
# The generator's loss is $-\log D(G(z))$: G's `backward()` goes through D, so it fills D's
# gradients too (then the next D update zeroes them, which is why `StepContext.update` zeroes
# first). Through D's DDP wrapper that is a second all-reduce of D per step, computed and
# thrown away. It is not an error, and the ranks stay equal, so nothing tells you it happens.
# The course's loop knows which optimizer steps (`ctx.update(opt, loss)` says so), and the
# wrappers of `distributed.wrap` all-reduce a bucket only if that optimizer holds one of its
# parameters; the others keep their gradients local (a DDP *communication hook*). The step
# functions of the lessons do not change. Gradient values sent per step:

# %%
traffic = measured["reducer traffic"]
sent = {
    "plain DDP, one wrapper each": traffic["plain DDP"],
    "one wrapper, find_unused_parameters=True": {"total": one["values all-reduced per step"]},
    "the course's wrappers": traffic["course"],
}
for row in sent.values():
    row["total"] = row.get("total", sum(row.values()))
print("parameters:", traffic["parameters"])
print(viz.format_table(sent, {"G": "G values", "D": "D values", "total": "all values"}))
fig, ax = plt.subplots(figsize=(7, 2.2))
ax.barh(list(sent), [row["total"] for row in sent.values()], color=["0.6", "0.6", "C0"])
ax.set_xlabel("gradient values all-reduced per step")
ax.invert_yaxis()
fig.tight_layout()
plt.show()

# %%
claims.claim("07", "D's values all-reduced per step: plain DDP / the course's wrappers",
             traffic["plain DDP"]["D"] / traffic["course"]["D"], at_least=1.99, at_most=2.01, assert_in_smoke=True)
claims.claim("07", "all values all-reduced per step: one wrapper / the course's wrappers",
             sent["one wrapper, find_unused_parameters=True"]["total"] / sent["the course's wrappers"]["total"],
             at_least=1.99, at_most=2.01, assert_in_smoke=True)
claims.claim("07", "plain DDP vs the course's wrappers: largest weight difference",
             traffic["largest difference plain DDP vs course"], at_most=1e-6, assert_in_smoke=True)

# %% [markdown]
# The same weights, half of D's traffic. (`no_sync()` around G's loss is the manual way, exercise 2;
# it must then be written into every step function.) What the step must not do is call a
# network around its wrapper, e.g. `G.image` inside MoCoGAN's `G`, or the network captured before
# wrapping: its gradients are then never all-reduced and the ranks drift apart. The wrapper
# refuses the first, `train()` refuses networks that were never wrapped, and every `log_every`
# steps it compares the ranks' weights, which catches the rest:

# %%
for what, said in measured["mistakes"].items():
    print(f"{what}:\n    {said}")
claims.claim("07", "mistakes caught (part called, network never wrapped, wrapper bypassed)",
             len(measured["mistakes"]), at_least=3, assert_in_smoke=True)

# %% [markdown]
# ## 4. Batch norm sees b samples, not Nb
#
# In training mode batch norm normalises with the mean and variance of the batch it sees: on N
# ranks, each rank's own $b$ samples. The gradients are still averaged, but they are gradients of
# a different function, so the equality of section 1 breaks (the table's batch-norm row, far above
# float rounding). `torch.nn.SyncBatchNorm` computes the statistics over all ranks, and runs only
# on GPUs: the course converts batch norm to it on CUDA. On the CPU:

# %%
norm = measured["batch norm"]
print(norm["SyncBatchNorm on the CPU"])
print(f"running mean of D's batch norm, largest difference between the ranks: "
      f"{norm['running mean, largest difference between ranks']:.3g}")
claims.claim("07", "batch norm in G and D: largest weight difference to one process",
             equivalence["two wrappers, batch norm in G and D"], at_least=1e-4, assert_in_smoke=True)
claims.claim("07", "SyncBatchNorm on the CPU raises", float(norm["SyncBatchNorm on the CPU"].startswith("ValueError")),
             at_least=1, assert_in_smoke=True)
claims.claim("07", "batch norm running means differ between ranks",
             norm["running mean, largest difference between ranks"], at_least=1e-6, assert_in_smoke=True)

# %% [markdown]
# The running statistics (used in `eval()` mode) drift apart as well, one per rank; rank 0's go
# into the checkpoint. By default DDP copies rank 0's buffers to every rank before **each**
# forward pass. Copied in place between D's two forward passes (real, then fake) and the backward
# pass that needs them, they break that backward pass with cuDNN's batch norm on a GPU ("one of
# the variables needed for gradient computation has been modified by an inplace operation",
# PyTorch issues 22095 and 175024). The CPU's batch norm does not keep them for its backward
# pass, so here it runs, and the GPU's error is not measured in this lesson:

# %%
print(norm["buffers broadcast at each forward, D run twice, on the CPU"])

# %% [markdown]
# The course's wrappers never broadcast buffers at a forward pass (`broadcast_buffers=False`,
# renamed `forward_sync_buffers` in recent PyTorch).
#
# ## 5. Gradient penalties through the wrapper
#
# WGAN-GP and R1 (lesson 02) penalise D's gradient with respect to its *input*:
# `torch.autograd.grad(D(x).sum(), x, create_graph=True)`. DDP's hooks sit on the parameters'
# gradients, and `autograd.grad` with respect to `x` does not touch them; the ordinary
# `backward()` of D's loss, penalty included, then differentiates through the gradient graph
# and fills each parameter's gradient once, and DDP all-reduces it once. The equality holds with
# an R1 penalty, and D's traffic per step is what it was without one:

# %%
print("values all-reduced per step with R1:", traffic["course, R1 penalty"], "without:", traffic["course"])
claims.claim("07", "2 ranks vs 1 process with an R1 penalty (create_graph): largest weight difference",
             equivalence["two wrappers, R1 penalty (create_graph)"], at_most=1e-6, assert_in_smoke=True)
claims.claim("07", "D's values all-reduced per step: with R1 / without", traffic["course, R1 penalty"]["D"] /
             traffic["course"]["D"], at_least=1, at_most=1, assert_in_smoke=True)

# %% [markdown]
# ## 6. Seeds, and who writes
#
# Every rank runs the same script, so `profiles.seed_everything(seed)` gives every rank the same
# noise and, with a seeded data stream, the same batch: N ranks would then train on N copies of
# $b$ samples, a batch of $b$ at N times the cost. `vgan-course train` builds the networks from
# one seed (the same start everywhere), then reseeds each rank with
# `distributed.rank_seed(seed)` (rank 0 keeps `seed`) for its noise and its data:

# %%
noise = measured["seeds"]
print(viz.format_table({name: {"d": d} for name, d in noise.items()}, {"d": "largest difference of the ranks' noise"}))
claims.claim("07", "one seed on every rank: the ranks' noise differs by", noise["same seed on every rank"],
             at_most=0.0, assert_in_smoke=True)
claims.claim("07", "rank_seed: the ranks' noise differs by", noise["rank_seed(seed)"], at_least=0.1,
             assert_in_smoke=True)

# %% [markdown]
# Logging, TensorBoard, samples and checkpoints come from rank 0 alone; the losses it logs are
# averaged over the ranks first (the loss of the whole batch), and every rank keeps the same
# history. A checkpoint holds the networks themselves, not their wrappers (no `module.` in the
# names), so it resumes under any number of processes. The random state of N ranks cannot be
# dealt to M: under the number of processes that wrote it each rank gets its own state back,
# otherwise each keeps its own seed. A training run with a checkpoint, TensorBoard and a sample
# every step:

# %%
writes = measured["writes"]
print(json.dumps(writes))
claims.claim("07", "samples kept by rank 1", writes["samples kept, by rank"][1], at_most=0, assert_in_smoke=True)
claims.claim("07", "TensorBoard event files written", writes["TensorBoard files"], at_least=1, at_most=1,
             assert_in_smoke=True)
claims.claim("07", "checkpoint names with 'module.'", writes["checkpoint keys with 'module.'"], at_most=0,
             assert_in_smoke=True)

# %% [markdown]
# At the end of `with distributed.process_group():` every rank waits for the others (a barrier),
# then closes the group. Two things can keep a rank's group alive after that. One was the course's
# own: an early `distributed.Replica` passed itself as its communication hook's state. DDP's reducer
# is C++, where Python's garbage collector cannot see, so every wrapper, with its network, was a
# cycle never freed; the state is now the wrapper's counts. The other is PyTorch's: once DDP has
# used a gloo group, the group's worker threads outlive `destroy_process_group`. If one of them
# frees its last piece of work (here, a barrier holding an all-gather's tensors) while the
# interpreter shuts down, it needs the interpreter's lock, which is gone, and the rank aborts:
# `terminate called without an active exception`, exit code -6 in torchrun's report, now and then,
# more often on a busy machine. So every command the course starts under torchrun ends with
# `distributed.exit_process(code)`: it flushes the output and leaves without the interpreter's
# teardown. DDP wrappers still alive in each rank once every experiment above has returned:

# %%
alive = measured["leaving"]["DDP wrappers alive, by rank"]
print("DDP wrappers alive, rank by rank:", alive)
claims.claim("07", "DDP wrappers alive after the experiments, on the rank with most", max(alive), at_most=0,
             assert_in_smoke=True)

# %% [markdown]
# ## 7. The batch and the learning rate
#
# A step on N ranks of $b$ samples is a step on $Nb$. `vgan-course train` keeps the notebook's
# optimisation: it splits the lesson's batch over the processes, so the batch of a step, the
# number of steps and the learning rate stay those of the notebook, and more processes only make
# each step faster. What changes is what batch norm sees, unless `SyncBatchNorm` (CUDA) restores
# it. For lesson 03's `gpu` settings:

# %%
gpu03 = methods.lesson("03_temporal_generators").config("gpu")
split = {f"{n} process{'es' if n > 1 else ''}": {"step": gpu03.batch, "each": gpu03.batch // n, "bn_cpu": gpu03.batch // n,
                            "bn_cuda": gpu03.batch} for n in (1, 2, 4, 8)}
print(viz.format_table(split, {"step": "batch per step", "each": "per process", "bn_cpu": "batch norm sees (CPU)",
                               "bn_cuda": "batch norm sees (SyncBatchNorm)"}))

# %% [markdown]
# Growing the batch instead (each rank takes the whole batch of the notebook) is the other way to
# use N processes: N times the samples per step. A larger batch gives a less noisy gradient; the
# noise of an average of $n$ independent samples falls as $1/n$. Measured on the tiny D of this
# lesson: the mean squared distance between the gradient of a batch and the gradient of a very
# large batch, for batches of $b$ and $2b$:

# %%
def gradient_noise(batch: int, batches: int) -> float:
    """Mean squared distance between D's gradient on ``batch`` points and on 65536 points."""
    D = scaling.tiny_gan()["D"]
    generator = torch.Generator().manual_seed(cfg.seed)

    def gradient(n):
        angle = 2 * torch.pi * torch.rand(n, generator=generator)
        real = torch.stack([angle.cos(), angle.sin()], dim=1)
        grads = torch.autograd.grad(F.softplus(-D(real)).mean(), list(D.parameters()))
        return torch.cat([g.flatten() for g in grads])

    full = gradient(65536)
    return float(torch.stack([(gradient(batch) - full).pow(2).sum() for _ in range(batches)]).mean())


noise_b, noise_2b = (gradient_noise(n, cfg.noise_batches) for n in (cfg.noise_batch, 2 * cfg.noise_batch))
print(f"gradient noise: batch {cfg.noise_batch}: {noise_b:.4g}, batch {2 * cfg.noise_batch}: {noise_2b:.4g}, "
      f"ratio {noise_b / noise_2b:.2f}")
claims.claim("07", "gradient noise, batch b / batch 2b", noise_b / noise_2b, at_least=1.6, at_most=2.5,
             assert_in_smoke=True)

# %% [markdown]
# Less noise allows a larger step. For SGD the *linear scaling rule* (Goyal et al. 2017) multiplies
# the learning rate by the factor the batch grew by, after a warm-up of a few epochs; for Adam,
# whose step is already divided by the gradient's scale, the analysis of Malladi et al. (2022)
# gives a square-root rule (the learning rate times the square root of that factor, with Adam's
# $\beta$s and $\epsilon$ adjusted too). GANs are less forgiving: the two learning rates set the
# balance of the game (lesson 02's TTUR), and BigGAN (Brock et al. 2019) reports large gains from
# growing the batch alone. Change one thing at a time: grow the batch with the learning rates fixed, then try a
# scaled learning rate as a separate run, and compare both at equal numbers of samples seen.
#
# ## 8. Throughput: 1 and 2 processes on this machine
#
# `benchmarks/ddp_throughput.py` times lesson 03's MoCoGAN step at the `cpu` profile's sizes with
# `methods.train_method` (what `vgan-course train` runs): one process with one thread and with
# every core, and two processes with one thread each, splitting the batch or growing it. Its last
# run, from the course's results file (a clone of the repository has it; run the command to
# measure your machine):

# %%
found = [folder / "benchmarks" / "results.json" for folder in (Path.cwd(), *Path.cwd().parents)]
results_file = next((path for path in found if path.exists()), None)  # the repository's, if this is a clone
recorded = json.loads(results_file.read_text())["measurements"] if results_file else {}
if "ddp_throughput" in recorded:
    table = recorded["ddp_throughput"]
    print(table["title"], f"({table['machine']['cpu_cores']} cores, torch {table['machine']['torch']}, "
          f"{table['machine']['date']})\n{table['text']}\ncommand: {table['command']}")
    print(viz.format_table({f"row {i}": dict(zip(table["columns"], row)) for i, row in enumerate(table["rows"])},
                           {column: column for column in table["columns"]}))
else:
    print("no recorded measurement here: python benchmarks/ddp_throughput.py measures it")

# %% [markdown]
# Read the table with its machine in mind. On two cores, one process with two threads and two
# processes with one thread each use the same cores; what the second process adds is a second
# Python interpreter and the all-reduce. The rows that grow the batch do twice the work per
# step. On a machine other jobs share, the seconds depend on the others' load (the table's text
# gives it) and threads that wait for each other suffer most; the CPU seconds per step are the
# steadier column. What DDP costs in CPU work, from the recorded rows:

# %%
if "ddp_throughput" in recorded:
    rows = {(row[0], row[1], row[3]): row for row in table["rows"]}  # (processes, threads each, batch per step)
    batch = table["rows"][0][3]  # the profile's batch
    one, split = rows[(1, 1, batch)], rows[(2, 1, batch)]
    cpu_column = table["columns"].index("CPU s per step (all processes)")
    print(f"CPU seconds per step, same batch of {one[3]}: 1 process {one[cpu_column]}, 2 processes {split[cpu_column]} "
          f"(x{split[cpu_column] / one[cpu_column]:.2f})")

# %% [markdown]
# On several GPUs each process has a whole device of its own, and the all-reduce overlaps the
# backward pass.
#
# ## 9. Your turn: train on several GPUs
#
# The same command as on one GPU, under `torchrun`; each process takes one GPU (`LOCAL_RANK`),
# nccl carries the all-reduce, and the checkpoint lands where the lesson looks for it:
#
# ```
# # one machine with 4 GPUs
# torchrun --standalone --nproc_per_node=4 -m vgan_course.cli train 03_temporal_generators MoCoGAN --profile gpu
#
# # two machines with 8 GPUs each: run this on both (HOST is the first machine's address)
# torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 --rdzv_id=mocogan \
#     -m vgan_course.cli train 03_temporal_generators MoCoGAN --profile gpu
# ```
#
# The lesson's batch must divide by the number of processes. Rank 0 reads and writes the
# checkpoint (`$VGAN_RUNS/03_temporal_generators/gpu-seed0/`): run the lesson afterwards where
# that folder is, and it finds the network trained. In your own script the pattern is the one of
# `vgan_course.distributed`'s docstring: `with distributed.process_group():`, build the networks
# and optimizers, build the step from `distributed.wrap(nets)`, and hand the networks themselves
# to `train.train`.

# %% [markdown]
# ## Exercises
# 1. **Find the unused parameters yourself.** Write the one-wrapper GAN of section 2 with
#    `find_unused_parameters=True` and time 200 steps against the course's two wrappers
#    (`python -m torch.distributed.run --standalone --nproc_per_node=2 your_script.py`). Which part
#    of the difference is the graph walk, and which the extra all-reduce?
# 2. **`no_sync` by hand.** Write lesson 01's step with plain `DistributedDataParallel` wrappers
#    and `with D.no_sync():` around G's loss. Check that D's traffic halves and that the weights
#    equal the course's.
# 3. **Batch norm, honestly.** Train lesson 03's MoCoGAN with `vgan-course train` on 1 and on 2
#    CPU processes (`--profile cpu`, `VGAN_DEVICE=cpu`) and score both with lesson 03's metric.
#    Is the difference larger than between two seeds of one process?
# 4. **Grow the batch.** With lesson 03's method trained by `methods.train_method(method,
#    lesson.config(batch=2 * lesson.config().batch), run_dir=...)` under two processes, compare the clip FD after the same number of *samples* as the split
#    run, then with both learning rates doubled. Which change helped, if any?
# 5. **A rank that stops early.** Make rank 1 raise an error after 3 steps. What do the other
#    ranks do, and how does `torchrun` report it?
#
# ## References
# - S. Li et al. *PyTorch Distributed: Experiences on Accelerating Data Parallel Training*.
#   VLDB 2020 (DDP's buckets and overlapping all-reduce).
# - P. Goyal et al. *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*. arXiv:1706.02677,
#   2017 (the linear scaling rule and warm-up).
# - S. Malladi, K. Lyu, A. Panigrahi, S. Arora. *On the SDEs and Scaling Rules for Adaptive
#   Gradient Algorithms*. NeurIPS 2022 (square-root scaling for Adam).
# - A. Brock, J. Donahue, K. Simonyan. *Large Scale GAN Training for High Fidelity Natural Image
#   Synthesis* (BigGAN). ICLR 2019.
# - S. Ioffe, C. Szegedy. *Batch Normalization*. ICML 2015.
# - L. Mescheder, A. Geiger, S. Nowozin. *Which Training Methods for GANs do actually Converge?*
#   ICML 2018 (R1).
# - PyTorch documentation: *DistributedDataParallel*, *torchrun (Elastic Launch)*, *DDP
#   Communication Hooks*, *SyncBatchNorm*.
