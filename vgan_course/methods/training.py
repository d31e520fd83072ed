"""Training a method: from a notebook, from the shell, or for shipping — one path for all three.

- :func:`load_or_train`: the shipped network when it fits the settings ("train only if missing"),
  else :func:`train_method`;
- :func:`train_method`: builds the method's networks, trains its start first if it has one, and
  runs the step in :func:`vgan_course.train.train`, resumable from ``run_dir/<shipped>.pt``;
- :func:`ship`: trains with the lesson's ``ship`` settings and returns the fp16 weights and their
  held-out scores (``vgan-course train-checkpoints``);
- :func:`check_same_step`: a notebook's own step against the package's copy.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

from .. import distributed, shipped, train
from ..profiles import seed_everything
from . import Method, StepFactory, Trained, lesson, settings_for


def load_or_train(method: Method, cfg: SimpleNamespace, *, run_dir: str | Path, retrain: bool = False,
                  step: StepFactory | None = None, progress: bool = True) -> Trained:
    """Train only if missing: the shipped network of ``method`` unless ``retrain`` (or none is
    shipped, or ``cfg`` asks for other shapes than the shipped one has); else :func:`train_method`."""
    if not retrain and fits_shipped(method, cfg):
        return Trained(method, load_shipped(method), None, "shipped")
    return train_method(method, cfg, run_dir=run_dir, step=step, progress=progress)


def fits_shipped(method: Method, cfg: SimpleNamespace) -> bool:
    """Whether ``method`` ships a network of the shapes ``cfg`` asks for (the lesson's ``architecture``
    settings equal to its ``ship`` settings)."""
    owner = lesson(method.lesson)
    ship = owner.settings["ship"]
    same_shapes = all(getattr(cfg, key) == ship[key] for key in owner.architecture)
    return same_shapes and method.shipped in shipped.read_manifest()


def load_shipped(method: Method) -> nn.Module:
    """The shipped network of ``method`` (SHA-256 checked), in eval mode on the CPU."""
    cfg = settings_for(method, lesson(method.lesson).config("ship"))
    network = method.networks(cfg)[method.keep]
    network.load_state_dict(shipped.load_state(method.shipped))
    return network.eval()


def train_method(method: Method, cfg: SimpleNamespace, *, run_dir: str | Path, step: StepFactory | None = None,
                 progress: bool = True) -> Trained:
    """Train ``method`` for ``cfg.steps[method.name]`` steps into ``run_dir`` (resuming from
    ``run_dir/<method.shipped>.pt`` when it exists); ``step`` replaces the package's step factory.

    A method with a ``start`` first trains the start (once per run folder: a finished start is not
    trained again) and begins from its networks. The batches come from a generator seeded with
    ``cfg.seed`` (plus 1 after a start, so a method does not replay its start's batches).
    TensorBoard logs go to ``run_dir/tensorboard/<method.shipped>``: the losses, and what the kept
    network makes (``method.sample``) four times along the run.

    Under torchrun (``vgan-course train``, lesson 07) each rank takes ``cfg.batch / processes``
    samples per step, its own seeds, and calls the networks through their DDP wrappers.
    """
    run_dir = Path(run_dir)
    checkpoint = run_dir / f"{method.shipped}.pt"
    start_models = None
    if method.start is not None and not checkpoint.exists():
        train_method(method.start, cfg, run_dir=run_dir, progress=progress)
        start_models = train.load_checkpoint(run_dir / f"{method.start.shipped}.pt")["models"]
    chosen = settings_for(method, cfg)
    settings = distributed.for_this_rank(chosen)  # a plain run: unchanged
    seed_everything(settings.seed)
    nets = {name: net.to(settings.device) for name, net in method.networks(settings).items()}
    if start_models is not None:
        method.start_from(nets, start_models)
    opts = method.optimizers(nets, settings)
    data_seed = distributed.rank_seed(settings.seed + (method.start is not None))  # rank 0: the plain run's
    data = method.batches(settings, torch.Generator().manual_seed(data_seed))
    distributed.seed_this_rank(settings.seed)
    step_fn = (step or method.step)(distributed.wrap(nets), opts, lambda: to_device(data(), settings.device), settings)
    kept = method.keep
    if method.average_decay is not None:  # keep a moving average of the network, checkpointed with the rest
        nets[kept + "_average"] = average = copy.deepcopy(nets[kept])
        step_fn = _with_average(step_fn, average, nets[kept], method.average_decay)
        kept += "_average"
    steps = settings.steps[method.name]
    history = train.train(step_fn, nets, opts, steps=steps, checkpoint=checkpoint,
                          checkpoint_every=200, log_every=20, log_dir=run_dir / "tensorboard" / method.shipped,
                          sample_fn=_sampler(method, nets[kept]), sample_every=max(1, steps // 4), progress=progress,
                          settings=recorded_settings(chosen))
    return Trained(method, nets[kept].eval(), history, "trained")


def recorded_settings(cfg: SimpleNamespace) -> dict:
    """The settings a checkpoint records (and a resume compares): the method's, for the whole run
    (not one rank's share of a batch), without the step count (a resume may train further) and the
    device (a resume may move)."""
    return {key: value for key, value in vars(cfg).items() if key not in ("steps", "device")}


def _sampler(method: Method, network: nn.Module):
    """``method.sample`` of ``network`` for TensorBoard, leaving the network in the mode it was in."""
    if method.sample is None:
        return None

    def sample() -> torch.Tensor:
        training = network.training
        clips = method.sample(network)
        network.train(training)
        return clips
    return sample


def _with_average(step_fn, average: nn.Module, model: nn.Module, decay: float):
    def step_and_average(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        logged = step_fn(ctx)
        train.update_average(average, model, decay)
        return logged
    return step_and_average


def to_device(batch: Any, device: torch.device | str) -> Any:
    """A batch (a tensor, or a dict / tuple / list of them) moved to ``device``."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_device(value, device) for value in batch)
    return batch


def ship(method: Method, seed: int = 0) -> tuple[dict, dict]:
    """``vgan-course train-checkpoints <method.shipped>``: train with the lesson's ``ship`` settings,
    round the kept network to fp16 (half the bytes) and score what ships on held-out data.

    Starts are kept in the system's temporary folder, keyed by the ship settings, and reused by
    the other methods of the lesson. Returns ``(state dict, measured)``.
    """
    owner = lesson(method.lesson)
    cfg = owner.config("ship")
    cfg.seed, cfg.device = seed, torch.device("cpu")
    key = hashlib.sha256(json.dumps(owner.settings["ship"], sort_keys=True).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / "vgan-course-shipping" / f"{owner.name}-{key}-seed{seed}"
    began = time.perf_counter()
    trained = train_method(method, cfg, run_dir=folder)
    (folder / f"{method.shipped}.pt").unlink(missing_ok=True)  # keep only the shared starts
    state = {k: v.half() if v.is_floating_point() else v for k, v in trained.network.state_dict().items()}
    trained.network.load_state_dict(state)  # score what ships
    measured = {"steps": cfg.steps[method.name], "seconds": round(time.perf_counter() - began, 1),
                **{k: round(v, 4) for k, v in owner.score(method, trained.network).items()}}
    if method.start is not None:
        measured["start_steps"] = cfg.steps[method.start.name]
    return state, measured


def check_same_step(method: Method, cfg: SimpleNamespace, step: StepFactory, steps: int = 2) -> float:
    """Largest difference between the parameters after ``steps`` steps of ``step`` and of the
    package's ``method.step``, both from the same fresh networks, seed and batches (CPU, full
    precision). 0 (or float rounding) means the notebook's step is the package's."""
    settings = settings_for(method, cfg)
    settings.device = torch.device("cpu")
    results = []
    for factory in (step, method.step):
        seed_everything(settings.seed)
        nets = method.networks(settings)
        opts = method.optimizers(nets, settings)
        step_fn = factory(nets, opts, method.batches(settings, torch.Generator().manual_seed(settings.seed)), settings)
        ctx = train.StepContext(torch.device("cpu"), None, opts)
        for _ in range(steps):
            step_fn(ctx)
            ctx.step += 1
        results.append({f"{name}.{key}": p.detach().clone() for name, net in nets.items()
                        for key, p in net.named_parameters()})
    mine, package = results
    return max(float((mine[k] - package[k]).abs().max()) for k in package)
