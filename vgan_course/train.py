"""The adversarial training loop: short, plain PyTorch, with the chores done for you.

A lesson writes one *step function* that does one round of the game and returns its losses::

    def gan_step(ctx):
        real = next_batch()
        z = torch.randn(len(real), z_dim, device=ctx.device)
        # D: maximise log D(x) + log(1 - D(G(z)))
        with ctx.autocast():
            fake = G(z)
            loss_d = losses.discriminator_loss(D(real), D(fake.detach()))
        ctx.update(opt_d, loss_d)
        # G: maximise log D(G(z))  (the non-saturating loss)
        with ctx.autocast():
            loss_g = losses.generator_loss_nonsaturating(D(fake))
        ctx.update(opt_g, loss_g)
        return {"loss/d": loss_d, "loss/g": loss_g}

and :func:`train` runs it with: mixed precision on CUDA (bf16 where supported, else fp16 with
a ``GradScaler``), a step and a wall-clock budget, a progress bar, TensorBoard scalars and
sample film-strips, NaN/Inf detection that stops with a clear message, and atomic checkpoints
(models, optimizers, scalers, step, RNG states, history) that resume after an interruption.

Launched by ``torchrun`` inside :func:`vgan_course.distributed.process_group`, the same loop
trains on several processes (lesson 07): the step is built from ``distributed.wrap(nets)``,
logged losses are averaged over the ranks, rank 0 alone shows progress and writes checkpoints,
TensorBoard and samples, the ranks agree on when to stop and save, and every ``log_every``
steps the loop checks that their weights are the same. A checkpoint resumes under any number
of processes; each rank's random state comes back only under the number that wrote it.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from . import checkpoint_files, distributed, losses
from .checks import check_positive_int
from .checkpoint_files import CHECKPOINT_FORMAT, CheckpointError, load_checkpoint, save_checkpoint  # noqa: F401


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


@dataclass
class History:
    """What a run logged: losses every ``log_every`` steps, and samples every ``sample_every``."""

    steps: list[int] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    samples: list[tuple[int, torch.Tensor]] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by: str = ""

    def last(self, name: str) -> float:
        """The latest logged value of a metric."""
        return self.metrics[name][-1]

    def to_dict(self) -> dict:
        return {"steps": self.steps, "metrics": self.metrics, "samples": self.samples,
                "seconds": self.seconds, "stopped_by": self.stopped_by}


class StepContext:
    """What a step function receives: the step number, the device, autocast and updates."""

    def __init__(self, device: torch.device, amp_dtype: torch.dtype | None, optimizers: dict[str, torch.optim.Optimizer]):
        self.device = device
        self.step = 0
        self.amp_dtype = amp_dtype
        fp16 = amp_dtype == torch.float16
        self.scalers = {name: torch.amp.GradScaler("cuda", enabled=fp16) for name in optimizers}
        self._scaler_of = {id(opt): self.scalers[name] for name, opt in optimizers.items()}

    def autocast(self) -> contextlib.AbstractContextManager:
        """Mixed precision on CUDA (bf16 or fp16); a no-op on the CPU."""
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def update(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        """One gradient step of ``optimizer`` on ``loss``: zero the grads, backward, step.

        Zeroing first matters in a GAN: the generator's backward pass also leaves gradients in
        the discriminator, which must not leak into the discriminator's next step.
        """
        scaler = self._scaler_of.get(id(optimizer))
        if scaler is None:
            raise ValueError("this optimizer was not passed to train(optimizers=...)")
        optimizer.zero_grad(set_to_none=True)
        with distributed.updating(optimizer):  # on several processes: all-reduce only what this optimizer steps
            # fp16: scale the loss so small gradients do not underflow
            (scaler.scale(loss) if scaler.is_enabled() else loss).backward()
        if scaler.is_enabled():
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()


def gan_step(
    G: Callable[[torch.Tensor], torch.Tensor],
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real_batch: Callable[[], torch.Tensor],
    z_dim: int,
    d_loss: Callable = losses.discriminator_loss,
    g_loss: Callable = losses.generator_loss_nonsaturating,
    d_penalty: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    d_steps: int = 1,
) -> Callable[[StepContext], dict[str, torch.Tensor]]:
    """The alternating GAN step of lesson 01, as a step function for :func:`train`.

    ``real_batch()`` returns a batch of real samples ``(n, ...)``; the noise is ``(n, z_dim)``.
    ``d_loss(real_logits, fake_logits)`` and ``g_loss(fake_logits)`` pick the objective
    (lesson 02 swaps in others). ``d_penalty(D, real, fake)``, if given, is added to D's loss
    (e.g. ``lambda D, real, fake: losses.r1_penalty(D, real, gamma=1.0)``), and D takes
    ``d_steps`` steps, each on a fresh batch, per step of G (WGAN's critic takes 5).
    """
    if d_steps < 1:
        raise ValueError(f"d_steps must be at least 1, got {d_steps}")

    def step(ctx: StepContext) -> dict[str, torch.Tensor]:
        logged = {}
        for _ in range(d_steps):
            real = real_batch()
            z = torch.randn(len(real), z_dim, device=ctx.device)
            with ctx.autocast():
                fake = G(z)
                # D: maximise log D(x) + log(1 - D(G(z)))  (or the chosen objective)
                loss_d = d_loss(D(real), D(fake.detach()))
                if d_penalty is not None:
                    logged["loss/penalty"] = d_penalty(D, real, fake.detach())
                    loss_d = loss_d + logged["loss/penalty"]
            ctx.update(opt_d, loss_d)
        with ctx.autocast():
            # G: maximise log D(G(z))  (or the chosen objective), against the updated D
            loss_g = g_loss(D(fake))
        ctx.update(opt_g, loss_g)
        return {"loss/d": loss_d, "loss/g": loss_g, **logged}

    return step


@torch.no_grad()
def update_average(average: nn.Module, model: nn.Module, decay: float = 0.99) -> None:
    """Exponential moving average of weights: ``average <- decay * average + (1 - decay) * model``.

    Call it after every step; ``average`` starts as ``copy.deepcopy(model)``. Sampling from the
    average of a generator's recent weights smooths out the swings of GAN training (Karras et al.
    2018; Yazici et al. 2019, "The unusual effectiveness of averaging in GAN training").
    Buffers (batch-norm running statistics) are copied, not averaged. ``decay = 0.99`` averages
    over roughly the last 100 steps.
    """
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"decay must be in [0, 1), got {decay}")
    for mine, theirs in zip(average.parameters(), model.parameters()):
        mine.lerp_(theirs, 1.0 - decay)
    for mine, theirs in zip(average.buffers(), model.buffers()):
        mine.copy_(theirs)


def mixed_precision_dtype(device: torch.device) -> torch.dtype | None:
    """bf16 on CUDA devices that support it, else fp16 on CUDA, else ``None`` (full precision)."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def train(
    step_fn: Callable[[StepContext], dict[str, torch.Tensor | float]],
    models: dict[str, nn.Module],
    optimizers: dict[str, torch.optim.Optimizer],
    *,
    steps: int,
    max_seconds: float | None = None,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 500,
    checkpoint_seconds: float = 120.0,
    log_every: int = 10,
    log_dir: str | os.PathLike | None = None,
    sample_fn: Callable[[], torch.Tensor] | None = None,
    sample_every: int = 100,
    mixed_precision: bool | None = None,
    progress: bool = True,
    settings: Mapping | None = None,
    allow_changed_settings: bool = False,
) -> History:
    """Run ``step_fn`` until ``steps`` steps are done (counting resumed ones) or time runs out.

    Args:
        step_fn: one round of the game; returns ``{name: scalar loss}`` to log.
        models, optimizers: everything a checkpoint must hold, by name.
        steps: total step budget; ``max_seconds``: wall-clock budget of this call.
        checkpoint: file to resume from if it exists, and to save to (atomically) every
            ``checkpoint_every`` steps or ``checkpoint_seconds`` seconds, and at the end.
        log_every: how often losses are logged and checked for NaN/Inf.
        log_dir: TensorBoard folder (``None``: no TensorBoard).
        sample_fn: returns samples (e.g. points ``(n, 2)``, images ``(n, c, h, w)`` or clips
            ``(b, t, c, h, w)`` in [-1, 1]); called without gradients every ``sample_every``
            steps and kept in ``history.samples``; images and clips also go to TensorBoard.
        mixed_precision: ``None`` means on for CUDA, off on the CPU.
        settings: what this run is trained with (e.g. ``vars(cfg)``: batch, widths, ...), saved in
            the checkpoint with every optimizer's hyper-parameters (learning rates, betas, ...).
        allow_changed_settings: resuming a checkpoint saved with other settings (or other
            hyper-parameters) stops with a :class:`CheckpointError` listing them, unless this is
            ``True``: then it continues with the new ones. Networks of other shapes never resume.

    A damaged checkpoint (its digest no longer matches) is refused, naming the last good one;
    temporary files left by an interrupted save are removed. A checkpoint that already holds
    ``steps`` steps trains nothing and says so.

    Returns:
        the :class:`History` of the whole run, resumed parts included.

    Under torchrun (see :mod:`vgan_course.distributed`) ``models`` are the networks themselves and
    ``step_fn`` calls their wrappers; logged losses are the mean over the ranks.

    Raises:
        TrainingDiverged: a logged loss became NaN/Inf; the last good checkpoint is kept.
        CheckpointError: the checkpoint is damaged, or from other settings or networks.
        vgan_course.distributed.ReplicasDiverged: the ranks' weights differ (a step bypassed a wrapper).
    """
    models = distributed.unwrapped(models)
    _check_arguments(step_fn, models, optimizers, steps=steps, log_every=log_every, sample_every=sample_every,
                     checkpoint_every=checkpoint_every)
    distributed.check_ready(models, optimizers)
    main = distributed.current().is_main  # rank 0 (a plain run's only process) logs and writes
    device = next(next(iter(models.values())).parameters()).device
    use_amp = device.type == "cuda" if mixed_precision is None else mixed_precision
    ctx = StepContext(device, mixed_precision_dtype(device) if use_amp else None, optimizers)
    history = History()
    recorded = checkpoint_files.run_settings(settings, optimizers)
    saved_step = _resume(checkpoint, models, optimizers, ctx, history, recorded, allow_changed_settings)
    if saved_step is not None and saved_step >= steps and main:
        print(f"{checkpoint} already holds {saved_step} steps of the {steps} asked for: nothing is trained, the "
              "networks and history are the checkpoint's (delete it to train again)")
    logger = TensorBoardLogger(log_dir) if log_dir is not None and main else None
    for model in models.values():
        model.train()

    pending: list[tuple[int, dict[str, torch.Tensor]]] = []

    def flush() -> None:
        """Move pending losses (averaged over the ranks) into the history, checking that they are finite."""
        if pending:
            distributed.check_same_weights(models, pending[-1][0])
        for (step, _), values in zip(pending, distributed.mean_over_ranks([values for _, values in pending])):
            history.steps.append(step)
            for name, value in values.items():
                value = float(value)
                if not np.isfinite(value):
                    kept = (f"the last good checkpoint (step {saved_step}) is kept at {checkpoint}"
                            if saved_step is not None else "no checkpoint was kept (pass checkpoint=...)")
                    raise TrainingDiverged(
                        f"{name} became {value} at step {step}: training diverged and was stopped; {kept}. "
                        "Try a lower learning rate, a gradient penalty, or check the data range.")
                history.metrics.setdefault(name, []).append(value)
            if logger is not None:
                logger.scalars(step, {k: v[-1] for k, v in history.metrics.items()})
        if pending:
            bar.set_postfix({k: f"{v[-1]:.3g}" for k, v in history.metrics.items()}, refresh=False)
        pending.clear()

    start = time.monotonic()
    last_save = start
    bar = tqdm(total=steps, initial=min(ctx.step, steps), disable=not progress or not main, desc="training")
    history.stopped_by = "steps"
    try:
        while ctx.step < steps:
            if max_seconds is not None and distributed.agree(time.monotonic() - start > max_seconds):
                history.stopped_by = "time"
                break
            losses = step_fn(ctx)
            ctx.step += 1
            pending.append((ctx.step, {k: torch.as_tensor(v).detach() for k, v in losses.items()}))
            if ctx.step % log_every == 0:
                flush()
            if sample_fn is not None and ctx.step % sample_every == 0 and main:
                _take_sample(sample_fn, ctx.step, history, logger)
            if checkpoint is not None and (ctx.step % checkpoint_every == 0
                                           or distributed.agree(time.monotonic() - last_save > checkpoint_seconds)):
                flush()
                _save(checkpoint, ctx, models, optimizers, history, time.monotonic() - start, recorded)
                saved_step, last_save = ctx.step, time.monotonic()
            bar.update(1)
        flush()
    except KeyboardInterrupt:
        where = f"the checkpoint of step {saved_step} is kept at {checkpoint}" if saved_step is not None else "no checkpoint was kept"
        if main:
            print(f"Interrupted at step {ctx.step}; {where}. Run the cell again to resume.")
        raise
    finally:
        bar.close()
        if logger is not None:
            logger.close()
    elapsed = time.monotonic() - start
    if checkpoint is not None and ctx.step != saved_step:
        _save(checkpoint, ctx, models, optimizers, history, elapsed, recorded)
    distributed.barrier()  # every rank returns once rank 0 has written
    history.seconds += elapsed
    return history


def _take_sample(sample_fn, step: int, history: History, logger: TensorBoardLogger | None) -> None:
    with torch.no_grad():
        sample = sample_fn().detach().float().cpu()
    history.samples.append((step, sample))
    if logger is not None and sample.dim() in (4, 5):
        logger.images(step, "samples", sample)


# --- checkpoints ------------------------------------------------------------------------------


def _all_finite(models: dict[str, nn.Module]) -> bool:
    return all(bool(torch.isfinite(p).all()) for m in models.values() for p in m.parameters())


def _save(path, ctx: StepContext, models, optimizers, history: History, elapsed: float, settings: dict) -> None:
    """Every rank calls it (each sends its random state); rank 0 writes."""
    if not _all_finite(models):  # the weights are the same on every rank, so is the verdict
        raise TrainingDiverged(f"a weight became NaN/Inf by step {ctx.step}; the checkpoint at {path} was not overwritten")
    rng_by_rank = distributed.gather(_rng_state())
    world = distributed.current()
    if not world.is_main:
        return
    state = {
        "format": CHECKPOINT_FORMAT,
        "step": ctx.step,
        "models": {name: m.state_dict() for name, m in models.items()},
        "optimizers": {name: o.state_dict() for name, o in optimizers.items()},
        "scalers": {name: s.state_dict() for name, s in ctx.scalers.items()},
        "rng": rng_by_rank[0],
        "processes": world.size,
        **({"rng_by_rank": rng_by_rank} if world.is_distributed else {}),
        "history": {**history.to_dict(), "seconds": history.seconds + elapsed},
        "settings": settings,
    }
    save_checkpoint(path, state)


def _resume(checkpoint, models, optimizers, ctx: StepContext, history: History, settings: dict,
            allow_changed_settings: bool) -> int | None:
    """Continue from ``checkpoint`` if it exists (rank 0 reads it, every rank gets it), after checking
    that it fits (:func:`vgan_course.checkpoint_files.check_resumable`); its step, or ``None``."""
    if checkpoint is None:
        return None
    if distributed.current().is_main:
        for stale in checkpoint_files.remove_stale_temporary_files(checkpoint):
            print(f"removed {stale}, left behind by an interrupted save")
    state = distributed.from_main(lambda: load_checkpoint(checkpoint) if Path(checkpoint).exists() else None)
    if state is None:
        return None
    missing = (set(models) - set(state["models"])) | (set(optimizers) - set(state["optimizers"]))
    if missing:
        raise CheckpointError(f"{checkpoint} has no entry for {sorted(missing)}; it was written by another setup")
    changed = checkpoint_files.check_resumable(checkpoint, state, models, settings, allow_changed_settings)
    hyper = {name: [{k: v for k, v in group.items() if k != "params"} for group in o.param_groups]
             for name, o in optimizers.items()}
    ctx.step = _restore(state, models, optimizers, ctx.scalers, history)
    if changed:  # allowed: the new hyper-parameters replace the saved ones that loading brought back
        for name, optimizer in optimizers.items():
            for group, new in zip(optimizer.param_groups, hyper[name]):
                group.update({k: v for k, v in new.items() if not (k == "lr" and "initial_lr" in group)})
        if distributed.current().is_main:
            print(f"resuming {checkpoint} at step {ctx.step} with changed settings: " + "; ".join(changed))
    return ctx.step


def _check_arguments(step_fn, models, optimizers, **counts: int) -> None:
    """What :func:`train` is given: a step function, networks with parameters, optimizers, counts."""
    if not callable(step_fn):
        raise ValueError(f"step_fn must be a function of the step context, got {type(step_fn).__name__}")
    if not models or not optimizers:
        raise ValueError("train() needs at least one model and one optimizer")
    for name, model in models.items():
        if not isinstance(model, nn.Module) or next(model.parameters(), None) is None:
            raise ValueError(f"models[{name!r}] must be a network with parameters, got a {type(model).__name__} without any")
    for name, optimizer in optimizers.items():
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise ValueError(f"optimizers[{name!r}] must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    for name, value in counts.items():
        check_positive_int(value, name, minimum=0 if name == "steps" else 1)


def _restore(state: dict, models, optimizers, scalers, history: History) -> int:
    for name, model in models.items():
        model.load_state_dict(state["models"][name])
    for name, optimizer in optimizers.items():
        optimizer.load_state_dict(state["optimizers"][name])
    for name, scaler in scalers.items():
        if name in state["scalers"]:
            scaler.load_state_dict(state["scalers"][name])
    _restore_rng(state)
    saved = state["history"]
    history.steps, history.metrics = list(saved["steps"]), {k: list(v) for k, v in saved["metrics"].items()}
    history.samples, history.seconds = list(saved["samples"]), float(saved["seconds"])
    return int(state["step"])


def _restore_rng(state: dict) -> None:
    """Each rank's random state, when as many processes resume as wrote the checkpoint. Otherwise
    N states cannot be dealt to M ranks: each rank keeps the seed it was given
    (:func:`vgan_course.distributed.rank_seed`), and rank 0 says so."""
    world, wrote = distributed.current(), int(state.get("processes", 1))
    if wrote == world.size:
        _set_rng_state(state["rng_by_rank"][world.rank] if world.is_distributed else state["rng"])
    elif world.is_main:
        print(f"resuming at step {state['step']} on {world.size} process(es) a checkpoint written by {wrote}: "
              "each process keeps its own seed (random states do not carry over to another process count)")


def _rng_state() -> dict:
    version, mt_state, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": [version, list(mt_state), gauss],
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
        "cuda": _cuda_rng_states(),
    }


def _cuda_rng_states() -> list[torch.Tensor]:
    """Every GPU's random state; a rank of a distributed run keeps only its own GPU's."""
    if not torch.cuda.is_available():
        return []
    return [torch.cuda.get_rng_state()] if distributed.current().is_distributed else torch.cuda.get_rng_state_all()


def _set_rng_state(state: dict) -> None:
    version, mt_state, gauss = state["python"]
    random.setstate((version, tuple(mt_state), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        if distributed.current().is_distributed:
            torch.cuda.set_rng_state(state["cuda"][0])  # this rank's GPU
        else:
            torch.cuda.set_rng_state_all(state["cuda"])


def load_models(path: str | os.PathLike, models: dict[str, nn.Module]) -> int:
    """Load only the weights of ``models`` from a checkpoint (e.g. to sample); returns its step."""
    state = load_checkpoint(path)
    for name, model in models.items():
        if name not in state["models"]:
            raise ValueError(f"{path} holds models {sorted(state['models'])}, not {name!r}")
        model.load_state_dict(state["models"][name])
    return int(state["step"])


# --- logging ----------------------------------------------------------------------------------


class TensorBoardLogger:
    """Scalars and sample film-strips to TensorBoard (``tensorboard --logdir runs``)."""

    def __init__(self, log_dir: str | os.PathLike):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(str(log_dir))

    def scalars(self, step: int, values: dict[str, float]) -> None:
        for name, value in values.items():
            self.writer.add_scalar(name, value, step)

    def images(self, step: int, tag: str, images: torch.Tensor) -> None:
        """Images ``(n, c, h, w)`` or clips ``(b, t, c, h, w)`` in [-1, 1]; a clip becomes a film-strip."""
        from .viz import film_strip

        if images.dim() == 5:
            images = torch.stack([film_strip(clip) for clip in images[:8]])
        self.writer.add_images(tag, (images.clamp(-1, 1) + 1) / 2, step)

    def close(self) -> None:
        self.writer.close()
