"""Lesson 07's measurements: what data-parallel training does to a GAN step, on tiny networks.

The lesson launches it on 2 processes of this machine (gloo, a few seconds)::

    torchrun --standalone --nproc_per_node=2 -m vgan_course.scaling OUT.json

Every experiment trains a tiny GAN on 2-D points (:func:`tiny_gan`) for a few steps of the
course's alternating update (:func:`tiny_step`), on a fixed *global* batch per step of which each
rank takes its share, and reports what it measured: the largest parameter difference to one
process that took the whole batch, an error message, or how many gradient values were all-reduced
per step. Rank 0 writes ``{experiment: {...}}`` to ``OUT.json``.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn.parallel import DistributedDataParallel

from . import distributed, losses, profiles, train

GLOBAL_BATCH = 16
STEPS = 3


class TinyGenerator(nn.Module):
    """``z (n, 4)`` -> points ``(n, 2)``; ``body`` is the part a step must not call on its own."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        self.z_dim = 4
        self.body = nn.Sequential(nn.Linear(4, 16), *([nn.BatchNorm1d(16)] if batch_norm else []), nn.ReLU(),
                                  nn.Linear(16, 2))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(z)


def tiny_gan(batch_norm: bool = False) -> dict[str, nn.Module]:
    """A generator and a discriminator (``(n, 2)`` -> logits ``(n,)``), drawn from ``VGAN_SEED``, the same on every rank."""
    torch.manual_seed(profiles.current_seed())
    D = nn.Sequential(nn.Linear(2, 16), *([nn.BatchNorm1d(16)] if batch_norm else []), nn.LeakyReLU(0.2),
                      nn.Linear(16, 1), nn.Flatten(0))
    return {"G": TinyGenerator(batch_norm), "D": D}


def sgd(nets: dict[str, nn.Module], lr: float = 0.1) -> dict[str, torch.optim.Optimizer]:
    return {name: torch.optim.SGD(net.parameters(), lr=lr) for name, net in nets.items()}


def global_batch(step: int, n: int = GLOBAL_BATCH) -> tuple[torch.Tensor, torch.Tensor]:
    """The real points ``(n, 2)`` (a ring) and the noise ``(n, 4)`` of step ``step``, the same on every rank."""
    generator = torch.Generator().manual_seed(1000 * profiles.current_seed() + step)
    angle = 2 * torch.pi * torch.rand(n, generator=generator)
    return torch.stack([angle.cos(), angle.sin()], dim=1), torch.randn(n, 4, generator=generator)


def share(batch: torch.Tensor, rank: int, size: int) -> torch.Tensor:
    """Rank ``rank``'s rows of a global batch split over ``size`` ranks."""
    if len(batch) % size:
        raise ValueError(f"a batch of {len(batch)} does not split over {size} ranks")
    return batch.chunk(size)[rank]


def tiny_step(nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer], whole_batch: bool = False,
              r1_gamma: float = 0.0) -> Callable[[train.StepContext], dict[str, torch.Tensor]]:
    """Lesson 01's alternating update on this rank's share of :func:`global_batch` (all of it with
    ``whole_batch``): D on real and detached fake points (plus an R1 penalty through
    ``torch.autograd.grad(create_graph=True)`` when ``r1_gamma``), then G against the updated D."""
    G, D = nets["G"], nets["D"]
    world = distributed.current()
    rank, size = (0, 1) if whole_batch else (world.rank, world.size)

    def step(ctx: train.StepContext) -> dict[str, torch.Tensor]:
        real, z = (share(t, rank, size) for t in global_batch(ctx.step))
        fake = G(z)
        loss_d = losses.discriminator_loss(D(real), D(fake.detach()))
        if r1_gamma:
            loss_d = loss_d + losses.r1_penalty(D, real, gamma=r1_gamma)
        ctx.update(opts["D"], loss_d)
        loss_g = losses.generator_loss_nonsaturating(D(fake))
        ctx.update(opts["G"], loss_g)
        return {"loss/d": loss_d, "loss/g": loss_g}

    return step


def run_steps(step_fn, opts: dict[str, torch.optim.Optimizer], steps: int = STEPS) -> None:
    """The bare loop (no checks, no logging), for setups :func:`vgan_course.train.train` refuses."""
    ctx = train.StepContext(torch.device("cpu"), None, opts)
    for _ in range(steps):
        step_fn(ctx)
        ctx.step += 1


def largest_difference(a: dict[str, nn.Module], b: dict[str, nn.Module]) -> float:
    return max(float((p - q).detach().abs().max()) for name in a for p, q in zip(a[name].parameters(), b[name].parameters()))


def one_process(batch_norm: bool = False, r1_gamma: float = 0.0) -> dict[str, nn.Module]:
    """The reference: one process, the whole batch, no wrappers."""
    nets = tiny_gan(batch_norm)
    opts = sgd(nets)
    run_steps(tiny_step(nets, opts, whole_batch=True, r1_gamma=r1_gamma), opts)
    return nets


def through_the_loop(batch_norm: bool = False, r1_gamma: float = 0.0) -> tuple[dict[str, nn.Module], dict]:
    """The course's way: each network in its own wrapper, trained by :func:`vgan_course.train.train`.
    Returns the networks and, per wrapper, the gradient values it all-reduced and kept local per step."""
    nets = tiny_gan(batch_norm)
    opts = sgd(nets)
    wrapped = distributed.wrap(nets)
    train.train(tiny_step(wrapped, opts, r1_gamma=r1_gamma), nets, opts, steps=STEPS, progress=False)
    return nets, {name: {key: count / STEPS for key, count in w.counts.items()} for name, w in wrapped.items()}


def equivalence() -> dict:
    """Largest parameter difference to one process on the whole batch, with and without what breaks it."""
    alone = tiny_gan()
    opts = sgd(alone)
    run_steps(tiny_step(alone, opts), opts)  # each rank on its share, no wrappers: nothing is all-reduced
    return {
        "two wrappers, no batch norm": largest_difference(through_the_loop()[0], one_process()),
        "two wrappers, R1 penalty (create_graph)": largest_difference(through_the_loop(r1_gamma=1.0)[0],
                                                                      one_process(r1_gamma=1.0)),
        "two wrappers, batch norm in G and D": largest_difference(through_the_loop(batch_norm=True)[0],
                                                                  one_process(batch_norm=True)),
        "no wrappers (nothing all-reduced)": largest_difference(alone, one_process()),
    }


class _Counter:
    values = 0  # gradient values all-reduced


def _count_and_reduce(counter, bucket):
    """A DDP communication hook: all-reduce as DDP does, and count the values sent."""
    counter.values += bucket.buffer().numel()
    return default_hooks.allreduce_hook(None, bucket)


def _counted(net: nn.Module, **options) -> tuple[DistributedDataParallel, _Counter]:
    """``net`` in a plain DDP wrapper that counts what it all-reduces."""
    wrapper, counter = DistributedDataParallel(net, **options), _Counter()
    wrapper.register_comm_hook(counter, _count_and_reduce)
    return wrapper, counter


class _BothInOne(nn.Module):
    """G and D in one module, so that one DDP wrapper holds both: ``forward(x, "G")`` or ``forward(x, "D")``."""

    def __init__(self, nets: dict[str, nn.Module]):
        super().__init__()
        self.G, self.D = nets["G"], nets["D"]

    def forward(self, x: torch.Tensor, which: str) -> torch.Tensor:
        return self.G(x) if which == "G" else self.D(x)


def one_wrapper(find_unused_parameters: bool) -> dict:
    """G and D in one DDP wrapper, trained by the same step: its error, or what it all-reduces."""
    nets = tiny_gan()
    wrapper, counter = _counted(_BothInOne(nets), find_unused_parameters=find_unused_parameters)
    opts = sgd(nets)
    calls = {"G": lambda x: wrapper(x, "G"), "D": lambda x: wrapper(x, "D")}
    try:
        run_steps(tiny_step(calls, opts), opts)
    except RuntimeError as error:
        return {"error": str(error).splitlines()[0]}
    return {"largest difference": largest_difference(nets, one_process()), "values all-reduced per step":
            counter.values / STEPS}


def reducer_traffic() -> dict:
    """Gradient values all-reduced per step: plain DDP wrappers, and the course's (only what steps)."""
    nets = tiny_gan()
    (G, g_count), (D, d_count) = _counted(nets["G"]), _counted(nets["D"])
    opts = sgd(nets)
    run_steps(tiny_step({"G": G, "D": D}, opts), opts)
    course, counts = through_the_loop()
    return {"parameters": {name: sum(p.numel() for p in net.parameters()) for name, net in course.items()},
            "plain DDP": {"G": g_count.values / STEPS, "D": d_count.values / STEPS},
            "course": {name: count["reduced"] for name, count in counts.items()},
            "D values kept local per step": counts["D"]["kept_local"],
            "course, R1 penalty": {name: count["reduced"] for name, count in through_the_loop(r1_gamma=1.0)[1].items()},
            "largest difference plain DDP vs course": largest_difference(nets, course)}


def batch_norm() -> dict:
    """SyncBatchNorm on the CPU; DDP's default broadcast of buffers between two forward passes and
    their backward pass, on the CPU; how far the ranks' running statistics drift apart."""
    D = nn.SyncBatchNorm.convert_sync_batchnorm(tiny_gan(batch_norm=True)["D"])
    try:
        D(torch.zeros(4, 2))
        sync = "ran"
    except ValueError as error:
        sync = f"ValueError: {error}"
    broadcasting, _ = _counted(tiny_gan(batch_norm=True)["D"])  # DDP's default: buffers broadcast at each forward
    real, z = global_batch(0)
    try:
        (broadcasting(real).mean() + broadcasting(z[:, :2]).mean()).backward()
        broadcast = "ran"
    except RuntimeError as error:
        broadcast = f"RuntimeError: {str(error).splitlines()[0]}"
    nets, _ = through_the_loop(batch_norm=True)
    means = torch.stack(distributed.gather(nets["D"][1].running_mean))
    return {"SyncBatchNorm on the CPU": sync, "buffers broadcast at each forward, D run twice, on the CPU": broadcast,
            "running mean, largest difference between ranks": float((means[0] - means[1]).abs().max())}


def seeds() -> dict:
    """Noise drawn on each rank with one seed everywhere, and with :func:`vgan_course.distributed.rank_seed`."""
    drawn, seed = {}, profiles.current_seed()
    for name, seed in (("same seed on every rank", seed), ("rank_seed(seed)", distributed.rank_seed(seed))):
        torch.manual_seed(seed)
        z = torch.stack(distributed.gather(torch.randn(8, 4)))
        drawn[name] = float((z[0] - z[1]).abs().max())
    return drawn


def mistakes() -> dict:
    """What the loop says when a step skips a wrapper (calls the network inside, or a part of it)."""
    said = {}
    never_wrapped = tiny_gan()
    opts = sgd(never_wrapped)
    try:
        train.train(tiny_step(never_wrapped, opts), never_wrapped, opts, steps=1, progress=False)
    except ValueError as error:
        said["train() with networks never wrapped"] = str(error)
    nets = tiny_gan()
    wrapped = distributed.wrap(nets)
    try:
        wrapped["G"].body
    except AttributeError as error:
        said["G.body through the wrapper"] = str(error)
    opts = sgd(nets)
    bypass = {"G": wrapped["G"].module, "D": wrapped["D"]}  # wrapped, then bypassed: the ranks drift apart
    try:
        train.train(tiny_step(bypass, opts), nets, opts, steps=2, log_every=1, progress=False)
    except distributed.ReplicasDiverged as error:
        said["a step that calls G.module"] = str(error)
    return said


def writes() -> dict:
    """What each rank wrote or kept when training with a checkpoint, TensorBoard and samples."""
    folder = Path(tempfile.mkdtemp(prefix="vgan-scaling-")) if distributed.current().is_main else None
    folder = Path(distributed.from_main(lambda: str(folder)))
    nets = tiny_gan()
    opts = sgd(nets)
    history = train.train(tiny_step(distributed.wrap(nets), opts), nets, opts, steps=STEPS, checkpoint=folder / "gan.pt",
                          log_dir=folder / "tensorboard", sample_fn=lambda: nets["G"](torch.randn(8, 4)), sample_every=1,
                          progress=False)
    state = train.load_checkpoint(folder / "gan.pt")
    return {"samples kept, by rank": distributed.gather(len(history.samples)),
            "TensorBoard files": len(list((folder / "tensorboard").glob("events.*"))),
            "checkpoint keys with 'module.'": sum(k.startswith("module.") for m in state["models"].values() for k in m),
            "checkpoint written by (processes)": state["processes"]}


def wrappers_left() -> dict:
    """DDP wrappers still alive once the other experiments have returned (after a garbage collection),
    on each rank: a leaked wrapper holds its network and the process group until the process ends."""
    gc.collect()
    alive = sum(isinstance(o, DistributedDataParallel) for o in gc.get_objects())
    return {"DDP wrappers alive, by rank": distributed.gather(alive)}


EXPERIMENTS = {"equivalence": equivalence, "one wrapper, find_unused_parameters=False": lambda: one_wrapper(False),
               "one wrapper, find_unused_parameters=True": lambda: one_wrapper(True), "reducer traffic": reducer_traffic,
               "batch norm": batch_norm, "seeds": seeds, "mistakes": mistakes, "writes": writes,
               "leaving": wrappers_left}  # last: it counts what the others left behind


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: torchrun --standalone --nproc_per_node=2 -m vgan_course.scaling OUT.json", file=sys.stderr)
        return 2
    with distributed.process_group("cpu") as world:
        if world.size != 2:
            raise ValueError(f"the experiments compare 2 ranks; torchrun started {world.size}")
        measured = {name: experiment() for name, experiment in EXPERIMENTS.items()}
        if world.is_main:
            Path(argv[0]).write_text(json.dumps(measured, indent=1))
    return 0


if __name__ == "__main__":
    distributed.exit_process(main())  # without the interpreter's teardown, which can abort a rank
