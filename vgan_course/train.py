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
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from . import losses

CHECKPOINT_FORMAT = "vgan-course/1"


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
        if scaler.is_enabled():  # fp16: scale the loss so small gradients do not underflow
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()


def gan_step(
    G: nn.Module,
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

    Returns:
        the :class:`History` of the whole run, resumed parts included.

    Raises:
        TrainingDiverged: a logged loss became NaN/Inf; the last good checkpoint is kept.
    """
    if not models or not optimizers:
        raise ValueError("train() needs at least one model and one optimizer")
    if steps < 0 or log_every < 1 or sample_every < 1 or checkpoint_every < 1:
        raise ValueError("steps must be >= 0 and log_every, sample_every, checkpoint_every >= 1")
    device = next(next(iter(models.values())).parameters()).device
    use_amp = device.type == "cuda" if mixed_precision is None else mixed_precision
    ctx = StepContext(device, mixed_precision_dtype(device) if use_amp else None, optimizers)
    history = History()
    if checkpoint is not None and Path(checkpoint).exists():
        ctx.step = _restore(load_checkpoint(checkpoint), models, optimizers, ctx.scalers, history)
    saved_step = ctx.step if checkpoint is not None and Path(checkpoint).exists() else None
    logger = TensorBoardLogger(log_dir) if log_dir is not None else None
    for model in models.values():
        model.train()

    pending: list[tuple[int, dict[str, torch.Tensor]]] = []

    def flush() -> None:
        """Move pending losses into the history, checking that they are finite."""
        for step, values in pending:
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
    bar = tqdm(total=steps, initial=min(ctx.step, steps), disable=not progress, desc="training")
    history.stopped_by = "steps"
    try:
        while ctx.step < steps:
            if max_seconds is not None and time.monotonic() - start > max_seconds:
                history.stopped_by = "time"
                break
            losses = step_fn(ctx)
            ctx.step += 1
            pending.append((ctx.step, {k: torch.as_tensor(v).detach() for k, v in losses.items()}))
            if ctx.step % log_every == 0:
                flush()
            if sample_fn is not None and ctx.step % sample_every == 0:
                _take_sample(sample_fn, ctx.step, history, logger)
            due = ctx.step % checkpoint_every == 0 or time.monotonic() - last_save > checkpoint_seconds
            if checkpoint is not None and due:
                flush()
                _save(checkpoint, ctx, models, optimizers, history, time.monotonic() - start)
                saved_step, last_save = ctx.step, time.monotonic()
            bar.update(1)
        flush()
    except KeyboardInterrupt:
        where = f"the checkpoint of step {saved_step} is kept at {checkpoint}" if saved_step is not None else "no checkpoint was kept"
        print(f"Interrupted at step {ctx.step}; {where}. Run the cell again to resume.")
        raise
    finally:
        bar.close()
        if logger is not None:
            logger.close()
    elapsed = time.monotonic() - start
    if checkpoint is not None and ctx.step != saved_step:
        _save(checkpoint, ctx, models, optimizers, history, elapsed)
    history.seconds += elapsed
    return history


def _take_sample(sample_fn, step: int, history: History, logger: TensorBoardLogger | None) -> None:
    with torch.no_grad():
        sample = sample_fn().detach().float().cpu()
    history.samples.append((step, sample))
    if logger is not None and sample.dim() in (4, 5):
        logger.images(step, "samples", sample)


# --- checkpoints ------------------------------------------------------------------------------


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` with ``torch.save`` atomically: to a temporary file, then ``os.replace``.

    A crash mid-write leaves the previous checkpoint untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by :func:`train`, with a clear error if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0][:120]
        raise ValueError(f"{path} is not a readable checkpoint ({reason}); delete it to start over") from error
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a vgan-course checkpoint (expected format {CHECKPOINT_FORMAT!r})")
    return state


def _all_finite(models: dict[str, nn.Module]) -> bool:
    return all(bool(torch.isfinite(p).all()) for m in models.values() for p in m.parameters())


def _save(path, ctx: StepContext, models, optimizers, history: History, elapsed: float) -> None:
    if not _all_finite(models):
        raise TrainingDiverged(f"a weight became NaN/Inf by step {ctx.step}; the checkpoint at {path} was not overwritten")
    state = {
        "format": CHECKPOINT_FORMAT,
        "step": ctx.step,
        "models": {name: m.state_dict() for name, m in models.items()},
        "optimizers": {name: o.state_dict() for name, o in optimizers.items()},
        "scalers": {name: s.state_dict() for name, s in ctx.scalers.items()},
        "rng": _rng_state(),
        "history": {**history.to_dict(), "seconds": history.seconds + elapsed},
    }
    save_checkpoint(path, state)


def _restore(state: dict, models, optimizers, scalers, history: History) -> int:
    missing = (set(models) - set(state["models"])) | (set(optimizers) - set(state["optimizers"]))
    if missing:
        raise ValueError(f"the checkpoint has no entry for {sorted(missing)}; it was written by another setup")
    for name, model in models.items():
        model.load_state_dict(state["models"][name])
    for name, optimizer in optimizers.items():
        optimizer.load_state_dict(state["optimizers"][name])
    for name, scaler in scalers.items():
        if name in state["scalers"]:
            scaler.load_state_dict(state["scalers"][name])
    _set_rng_state(state["rng"])
    saved = state["history"]
    history.steps, history.metrics = list(saved["steps"]), {k: list(v) for k, v in saved["metrics"].items()}
    history.samples, history.seconds = list(saved["samples"]), float(saved["seconds"])
    return int(state["step"])


def _rng_state() -> dict:
    version, mt_state, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": [version, list(mt_state), gauss],
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def _set_rng_state(state: dict) -> None:
    version, mt_state, gauss = state["python"]
    random.setstate((version, tuple(mt_state), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
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
