"""Data-parallel training under ``torchrun``: the plumbing behind :func:`vgan_course.train.train`.

``torchrun --nproc_per_node=N`` starts N copies of one command and tells each its place through
the environment (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, and where to meet). Each copy, a
*rank*, holds the whole model and draws its own batch; during ``backward()`` the gradients are
averaged over the ranks (an *all-reduce*), so every optimizer step is the same on every rank
and the weights stay identical: one step of N ranks on ``b`` samples each is one step on a
batch of ``N * b``. Lesson 07 measures each piece::

    with distributed.process_group():            # gloo on the CPU, nccl on CUDA; a plain run: nothing
        nets = build_networks()                  # {"G": ..., "D": ...}, the same on every rank
        opts = build_optimizers(nets)
        step = gan_step(distributed.wrap(nets), opts, ...)    # each network in its own wrapper
        train.train(step, nets, opts, steps=...)  # rank 0 logs and writes; losses averaged

What a GAN needs beyond the textbook recipe:

- G and D each in **their own** :class:`Replica` (``DistributedDataParallel``): one wrapper around
  both fails when D's update leaves G unused (``find_unused_parameters=False``);
- D runs inside G's loss too, so G's ``backward()`` also fills D's gradients: a second
  all-reduce of D per step, whose result D's next update throws away. :func:`updating` (which
  ``StepContext.update`` enters) tells the wrappers which optimizer is stepping, and a wrapper
  whose parameters it does not hold keeps its gradients local;
- batch norm normalises with each rank's own ``b`` samples (``SyncBatchNorm`` on CUDA uses all
  ``N * b``; it does not run on the CPU), and its running statistics are not broadcast at every
  forward (a broadcast between two forwards of D breaks the backward pass on CUDA);
- gradient penalties (``torch.autograd.grad(..., create_graph=True)`` on D's input) work
  through the wrapper: only the ordinary ``backward()`` of D's loss all-reduces;
- each rank draws its own noise and batches (:func:`rank_seed`); rank 0 alone writes
  checkpoints, TensorBoard and samples, and the loop checks that the ranks' weights agree.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import sys
import weakref
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Iterator, NoReturn

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn.parallel import DistributedDataParallel

from . import profiles

RANK_SEED_STRIDE = 1_000_003  # rank r draws from seed + r * this; rank 0 draws what a plain run draws
LAUNCHER_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE")


class ReplicasDiverged(RuntimeError):
    """The ranks' copies of a network differ: its gradients were not all-reduced."""


@dataclass(frozen=True)
class World:
    """Where this process stands: its ``rank`` among ``size`` processes, ``local_rank`` on its machine."""

    rank: int = 0
    local_rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that logs and writes files."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.size > 1


def launcher_world(environ: dict[str, str] | None = None) -> World:
    """The place ``torchrun`` gave this process (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``); a plain run is rank 0 of 1."""
    environ = os.environ if environ is None else environ
    values = {}
    for name in LAUNCHER_VARIABLES:
        raw = environ.get(name, "1" if name == "WORLD_SIZE" else "0").strip()
        if not raw.isdigit():
            raise ValueError(f"{name} must be a non-negative integer (torchrun sets it), got {raw!r}")
        values[name] = int(raw)
    world = World(values["RANK"], values["LOCAL_RANK"], values["WORLD_SIZE"])
    if world.size < 1 or world.rank >= world.size:
        raise ValueError(f"RANK must be below WORLD_SIZE and WORLD_SIZE at least 1, got RANK={world.rank}, "
                         f"WORLD_SIZE={world.size}")
    return world


def current() -> World:
    """This process's place in the open process group; rank 0 of 1 when none is open."""
    if dist.is_available() and dist.is_initialized():
        return World(dist.get_rank(), launcher_world().local_rank, dist.get_world_size())
    return World()


@contextlib.contextmanager
def process_group(device: torch.device | str | None = None) -> Iterator[World]:
    """Join the launcher's process group for the block and leave it after: nccl when training on
    CUDA (``device``, default :func:`vgan_course.profiles.device`), gloo on the CPU. A plain run,
    or a group that is already open, is left as it is."""
    world = launcher_world()
    if not world.is_distributed or dist.is_initialized():
        yield current()
        return
    cuda = torch.device(device or profiles.device()).type == "cuda"
    if cuda:
        torch.cuda.set_device(world.local_rank)
    dist.init_process_group("nccl" if cuda else "gloo")
    try:
        yield current()
        dist.barrier()  # no rank tears its connections down while another still uses them
    finally:
        dist.destroy_process_group()


def exit_process(code: int) -> NoReturn:
    """End a command's process with ``code``: under torchrun, after flushing the output, without the
    interpreter's teardown; a plain run exits as usual.

    Once DDP has used a gloo group, PyTorch keeps the group's worker threads running after
    ``destroy_process_group``. A worker that frees its last work (a barrier holding an all-gather's
    tensors) while the interpreter shuts down needs the interpreter's lock, which is gone: the rank
    aborts ("terminate called without an active exception", exit code -6), now and then, more often
    on a busy machine. Leaving with ``os._exit`` skips that teardown, so no thread can race it."""
    if not launcher_world().is_distributed:
        sys.exit(code)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def rank_seed(seed: int) -> int:
    """This rank's seed for its noise and data stream: ``seed`` on rank 0 (and in a plain run)."""
    return seed + RANK_SEED_STRIDE * current().rank


def seed_this_rank(seed: int) -> None:
    """Give every rank its own random stream (:func:`rank_seed`); a plain run is left as it is."""
    if current().is_distributed:
        profiles.seed_everything(rank_seed(seed))


def for_this_rank(cfg: SimpleNamespace) -> SimpleNamespace:
    """A lesson's settings for this process: each batch of one optimizer step as in the notebook
    (``cfg.batch``, and every ``cfg.<world>_batch`` such as lesson 04's ``footage_batch``) split
    evenly over the ranks, and ``cfg.device`` this rank's GPU. A plain run's settings come back
    unchanged."""
    world = current()
    if not world.is_distributed:
        return cfg
    changes: dict[str, Any] = {}
    for name in [name for name in vars(cfg) if name == "batch" or name.endswith("_batch")]:
        batch = getattr(cfg, name)
        if batch % world.size:
            raise ValueError(f"{name}: a batch of {batch} does not split evenly over {world.size} processes; "
                             f"use a process count that divides it")
        changes[name] = batch // world.size
    if torch.device(cfg.device).type == "cuda":
        changes["device"] = torch.device("cuda", world.local_rank)
    return SimpleNamespace(**{**vars(cfg), **changes})


# --- the wrappers -----------------------------------------------------------------------------

_REPLICATED: "weakref.WeakSet[nn.Module]" = weakref.WeakSet()  # networks inside a Replica
_UPDATING: set[int] | None = None  # ids of the parameters the stepping optimizer updates


class Replica(DistributedDataParallel):
    """One network in its own ``DistributedDataParallel``, for a GAN's step functions.

    Calls run through DDP; other attributes are the network's (``G.sample_latents``,
    ``G.last_mask``), except its parts with trainable weights (``G.image``): calling a part
    skips the gradient all-reduce, so asking for one is an error. Batch norm becomes
    ``SyncBatchNorm`` on CUDA; running statistics are never broadcast at a forward. A gradient
    bucket is all-reduced only when the optimizer being stepped (:func:`updating`) holds one of
    its parameters; ``counts`` says how many gradient values were all-reduced and how many kept local.
    """

    def __init__(self, net: nn.Module):
        device = next(net.parameters()).device
        if device.type == "cuda":
            net = nn.SyncBatchNorm.convert_sync_batchnorm(net)  # same parameters, shared statistics
        super().__init__(net, device_ids=[device.index] if device.type == "cuda" else None, **_no_buffer_broadcast())
        self.counts = {"reduced": 0, "kept_local": 0}
        # DDP's C++ reducer holds the hook's state, where Python's garbage collector cannot see it:
        # the wrapper itself as state would be a cycle never freed (with its network).
        self.register_comm_hook(self.counts, _reduce_if_updating)
        _REPLICATED.add(net)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "module" or "module" not in self.__dict__.get("_modules", {}):
                raise
        value = getattr(self.module, name)
        if isinstance(value, nn.Module) and any(p.requires_grad for p in value.parameters()):
            raise AttributeError(f"{type(self.module).__name__}.{name} is a part of a network trained on several "
                                 "processes: calling it skips the gradient all-reduce and the ranks drift apart; "
                                 "call the network itself")
        return value


def _no_buffer_broadcast() -> dict[str, bool]:
    """DDP's switch for not broadcasting buffers at every forward (renamed in newer PyTorch)."""
    if "forward_sync_buffers" in inspect.signature(DistributedDataParallel.__init__).parameters:
        return {"forward_sync_buffers": False}
    return {"broadcast_buffers": False}


def _reduce_if_updating(counts, bucket):  # no annotations: DDP checks them against its own types
    """DDP communication hook: average the bucket (a ``dist.GradBucket``) over the ranks if the stepping
    optimizer needs it, else keep it as it is, and add its size to ``counts`` (a :class:`Replica`'s);
    returns a ``torch.futures.Future`` of the bucket's tensor."""
    if _UPDATING is None or any(id(p) in _UPDATING for p in bucket.parameters()):
        counts["reduced"] += bucket.buffer().numel()
        return default_hooks.allreduce_hook(None, bucket)
    counts["kept_local"] += bucket.buffer().numel()
    kept: torch.futures.Future = torch.futures.Future()
    kept.set_result(bucket.buffer())
    return kept


@contextlib.contextmanager
def updating(optimizer: torch.optim.Optimizer) -> Iterator[None]:
    """Within the block, only wrappers whose parameters ``optimizer`` holds all-reduce their gradients."""
    global _UPDATING
    if not current().is_distributed:
        yield
        return
    before = _UPDATING
    _UPDATING = {id(p) for group in optimizer.param_groups for p in group["params"]}
    try:
        yield
    finally:
        _UPDATING = before


def wrap(nets: dict[str, nn.Module]) -> dict[str, nn.Module]:
    """Each network with trainable weights in its own :class:`Replica`, for a step function to call.

    Build the step from the wrappers and hand the networks themselves to ``train(models=...)``
    (checkpoints then hold plain state dicts, loadable under any number of processes). A plain
    run gets its networks back unchanged.
    """
    if not current().is_distributed:
        return dict(nets)
    return {name: Replica(net) if any(p.requires_grad for p in net.parameters()) else net
            for name, net in nets.items()}


def unwrapped(nets: dict[str, nn.Module]) -> dict[str, nn.Module]:
    """The networks inside any wrappers."""
    return {name: net.module if isinstance(net, DistributedDataParallel) else net for name, net in nets.items()}


def check_ready(models: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer]) -> None:
    """Refuse to train on several processes without a process group, or with a trained network
    that is not wrapped (its gradients would never be all-reduced)."""
    launched, world = launcher_world(), current()
    if launched.is_distributed and not world.is_distributed:
        raise ValueError(f"started by torchrun as rank {launched.rank} of {launched.size}, but no process group "
                         "is open: train inside `with distributed.process_group():`")
    if not world.is_distributed:
        return
    trained = {id(p) for opt in optimizers.values() for group in opt.param_groups for p in group["params"]}
    bare = [name for name, net in models.items()
            if net not in _REPLICATED and any(id(p) in trained for p in net.parameters())]
    if bare:
        raise ValueError(f"training on {world.size} processes, but {bare} are not wrapped: build the step from "
                         "distributed.wrap(nets), so their gradients are all-reduced")


# --- what the loop agrees on ------------------------------------------------------------------


def _collective_device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def agree(flag: bool) -> bool:
    """Rank 0's decision (e.g. "time is up"), the same on every rank."""
    if not current().is_distributed:
        return flag
    decision = torch.tensor([float(flag)], device=_collective_device())
    dist.broadcast(decision, src=0)
    return bool(decision.item())


def mean_over_ranks(values: list[dict[str, torch.Tensor]]) -> list[dict[str, torch.Tensor]]:
    """Logged scalars ``[{name: value}]`` averaged over the ranks (the loss of the whole batch)."""
    if not current().is_distributed or not values:
        return values
    flat = torch.stack([torch.as_tensor(v, dtype=torch.float64).reshape(()).cpu() for row in values for v in row.values()])
    flat = flat.to(_collective_device())
    dist.all_reduce(flat)
    means = iter((flat / dist.get_world_size()).cpu())
    return [{name: next(means) for name in row} for row in values]


def gather(obj: Any) -> list[Any]:
    """Every rank's ``obj`` (picklable), in rank order; ``[obj]`` in a plain run."""
    if not current().is_distributed:
        return [obj]
    everyone: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, obj)
    return everyone


def from_main(make: Callable[[], Any]) -> Any:
    """``make()`` run on rank 0 (e.g. read a checkpoint) and its result sent to every rank; if it
    raises, every rank raises the same error (rather than wait for rank 0 forever)."""
    if not current().is_distributed:
        return make()
    box: list[Any] = [None]
    if current().is_main:
        try:
            box = [(make(), None)]
        except Exception as error:  # sent to every rank, raised below
            box = [(None, error)]
    dist.broadcast_object_list(box, src=0)
    made, error = box[0]
    if error is not None:
        raise error
    return made


def barrier() -> None:
    """Wait for every rank (e.g. until rank 0 has written the final checkpoint)."""
    if current().is_distributed:
        dist.barrier()


def check_same_weights(models: dict[str, nn.Module], step: int) -> None:
    """Raise :class:`ReplicasDiverged`, on every rank, if the ranks' copies of a network differ."""
    if not current().is_distributed:
        return
    prints = torch.stack([_fingerprint(net) for net in models.values()]).to(_collective_device())
    high, low = prints.clone(), prints.clone()
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    gap = ((high - low).abs() / high.abs().clamp_min(1.0)).max(dim=1).values.cpu()
    drifted = [name for name, g in zip(models, gap) if g > 1e-9]
    if drifted:
        raise ReplicasDiverged(
            f"after step {step} the {current().size} ranks hold different weights for {drifted}: their gradients "
            "were not all-reduced. A step must call the wrappers of distributed.wrap(nets), not the networks "
            "themselves or their parts")


def _fingerprint(net: nn.Module) -> torch.Tensor:
    """Two float64 sums of a network's weights (plain and position-weighted): equal weights, equal sums."""
    weights = [p.detach().double().flatten() for p in net.parameters()]
    if not weights:
        return torch.zeros(2, dtype=torch.float64)
    flat = torch.cat(weights)
    ramp = torch.linspace(1.0, 2.0, len(flat), dtype=torch.float64, device=flat.device)
    return torch.stack([flat.sum(), (flat * ramp).sum()]).cpu()
