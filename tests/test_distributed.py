"""The course's loop on several processes: torchrun, 2 ranks, gloo, on this CPU, at tiny sizes.

One launch of ``tests/ddp_worker.py`` (shared by this module's tests) does everything that
needs ranks; the references are one plain process, written here from the formulas (softplus
losses, R1, SGD) with nothing from the course's loop.
"""

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from vgan_course import distributed, methods, scaling, train

sys.path.insert(0, str(Path(__file__).parent))
import ddp_worker  # noqa: E402  the launched script: what it trains

WORKER = Path(__file__).with_name("ddp_worker.py")
STEPS = 2  # the worker's steps on 2 ranks
TOLERANCE = 1e-6  # float32 sums taken in another order; half the batch instead of all of it moves weights 1e-3


def adam(nets):
    return {name: torch.optim.Adam(net.parameters(), lr=1e-2) for name, net in nets.items()}


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """FOLDER after ``torchrun --standalone --nproc_per_node=2 tests/ddp_worker.py FOLDER``."""
    folder = tmp_path_factory.mktemp("ddp")
    nets = scaling.tiny_gan()
    opts = adam(nets)
    train.train(scaling.tiny_step(nets, opts), nets, opts, steps=2, checkpoint=folder / "one_rank.pt", log_every=1,
                progress=False)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(WORKER),
               str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "VGAN_DEVICE": "cpu"})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return SimpleNamespace(folder=folder, steps=torch.load(folder / "steps.pt", weights_only=True),
                           writes=json.loads((folder / "writes.json").read_text()))


def by_hand(start: dict, steps: int, r1_gamma: float = 0.0, lr: float = 0.1, rows: slice = slice(None)) -> dict:
    """One process, SGD, the alternating update from its formulas, on ``rows`` of each global batch."""
    nets = scaling.tiny_gan()
    for name, net in nets.items():
        net.load_state_dict({key[len(name) + 1:]: value for key, value in start.items() if key.startswith(name + ".")})
    G, D = nets["G"], nets["D"]

    def descend(loss, net):
        with torch.no_grad():
            for p, g in zip(net.parameters(), torch.autograd.grad(loss, list(net.parameters()))):
                p -= lr * g

    for step in range(steps):
        real, z = (t[rows] for t in scaling.global_batch(step))
        fake = G(z)
        loss_d = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()  # -log D(x) - log(1 - D(G(z)))
        if r1_gamma:
            x = real.clone().requires_grad_(True)
            (slope,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
            loss_d = loss_d + r1_gamma / 2 * slope.pow(2).sum(dim=1).mean()
        descend(loss_d, D)
        descend(F.softplus(-D(fake)).mean(), G)  # -log D(G(z)), against the updated D
    return {f"{name}.{key}": p.detach() for name, net in nets.items() for key, p in net.named_parameters()}


def largest_difference(a: dict, b: dict) -> float:
    return max(float((a[key] - b[key]).detach().abs().max()) for key in a)


@pytest.mark.parametrize("run, r1_gamma", [("plain", 0.0), ("r1", 1.0)])
def test_two_ranks_of_b_equal_one_process_of_2b(launched, run, r1_gamma):
    """Also with a gradient penalty through torch.autograd.grad(create_graph=True) inside the D wrapper."""
    result = launched.steps[run]
    whole = by_hand(result["start"], STEPS, r1_gamma)
    for rank_weights in result["end"]:
        assert largest_difference(rank_weights, whole) <= TOLERANCE
    # the control: one process on rank 0's half alone is far from it, so the tolerance can fail
    half = by_hand(result["start"], STEPS, r1_gamma, rows=slice(0, scaling.GLOBAL_BATCH // 2))
    assert largest_difference(result["end"][0], half) > 100 * TOLERANCE


def test_ranks_stay_identical_and_d_is_all_reduced_only_for_its_own_update(launched):
    """D runs in both updates of a step; its gradients from G's update stay local (D's next update drops them)."""
    result = launched.steps["plain"]
    first, second = result["end"]
    assert all(torch.equal(first[key], second[key]) for key in first)
    size = {name: sum(p.numel() for p in net.parameters()) for name, net in scaling.tiny_gan().items()}
    assert result["counts"]["G"] == {"reduced": size["G"] * STEPS, "kept_local": 0}
    assert result["counts"]["D"] == {"reduced": size["D"] * STEPS, "kept_local": size["D"] * STEPS}


def test_two_ranks_resume_a_one_rank_checkpoint_and_one_rank_resumes_theirs(launched, tmp_path):
    folder = launched.folder
    shutil.copy(folder / "one_rank.pt", tmp_path / "alone.pt")
    nets = scaling.tiny_gan()
    opts = adam(nets)
    train.train(scaling.tiny_step(nets, opts), nets, opts, steps=4, checkpoint=tmp_path / "alone.pt", progress=False)
    resumed = train.load_checkpoint(folder / "resumed.pt")
    alone = {f"{name}.{key}": value for name, net in nets.items() for key, value in net.named_parameters()}
    both = {f"{name}.{key}": value for name, state in resumed["models"].items() for key, value in state.items()}
    assert largest_difference(alone, both) <= TOLERANCE  # weights and Adam's moments came back on both ranks
    assert resumed["step"] == 4 and resumed["processes"] == 2
    assert resumed["history"]["steps"] == [1, 2, 3, 4]
    assert resumed["history"]["metrics"]["loss/d"][:2] == train.load_checkpoint(folder / "one_rank.pt")["history"]["metrics"]["loss/d"]
    shutil.copy(folder / "resumed.pt", tmp_path / "back_to_one.pt")
    history = train.train(scaling.tiny_step(nets, opts), nets, opts, steps=5, checkpoint=tmp_path / "back_to_one.pt",
                          progress=False)
    assert history.steps[-1] == 5


def test_only_rank_0_writes(launched):
    main, other = launched.writes["by rank"]
    assert main["checkpoints"] >= 1 and main["tensorboard"] == 1 and main["samples"] == 2
    assert (other["checkpoints"], other["tensorboard"], other["samples"]) == (0, 0, 0)
    assert main["history steps"] == other["history steps"] == [1, 2, 3, 4]
    assert main["history d"] == other["history d"]  # losses averaged over the ranks: one history
    assert len(list((launched.folder / "tensorboard").glob("events.*"))) == 1
    keys = [key for state in train.load_checkpoint(launched.folder / "resumed.pt")["models"].values() for key in state]
    assert keys and not any(key.startswith("module.") for key in keys)


@pytest.mark.parametrize("lesson_name", sorted(ddp_worker.COMMANDS))
def test_vgan_course_train_under_torchrun_trains_what_the_notebook_then_finds(launched, monkeypatch, lesson_name):
    """Each method's own step and settings on 2 ranks (the batch split over them); the notebook,
    one process, resumes the checkpoint and finds nothing left to train."""
    assert launched.writes["command exit code"] == 0
    monkeypatch.setenv("VGAN_RUNS", str(launched.folder / "runs"))
    monkeypatch.setenv("VGAN_SEED", "1")
    lesson = methods.lesson(lesson_name)
    cfg = lesson.config("smoke")
    run_dir = launched.folder / "runs" / lesson.name / "smoke-seed1"
    for name in ddp_worker.COMMANDS[lesson_name]:
        assert train.load_checkpoint(run_dir / f"{lesson.methods[name].shipped}.pt")["processes"] == 2
        again = methods.load_or_train(lesson.methods[name], cfg, retrain=True, run_dir=run_dir, progress=False)
        assert again.history.steps[-1] == cfg.steps[name]  # resumed, nothing left to train


# --- without a launch ---------------------------------------------------------------------------


def test_launcher_world_reads_torchrun_s_environment():
    assert distributed.launcher_world({}) == distributed.World(0, 0, 1)
    assert distributed.launcher_world({"RANK": "3", "LOCAL_RANK": "1", "WORLD_SIZE": "4"}) == distributed.World(3, 1, 4)
    with pytest.raises(ValueError, match="WORLD_SIZE must be a non-negative integer.*'two'"):
        distributed.launcher_world({"WORLD_SIZE": "two"})
    with pytest.raises(ValueError, match="RANK=2, WORLD_SIZE=2"):
        distributed.launcher_world({"RANK": "2", "WORLD_SIZE": "2"})


def test_a_plain_run_is_left_as_it_is():
    nets = scaling.tiny_gan()
    assert all(wrapped is nets[name] for name, wrapped in distributed.wrap(nets).items())
    cfg = SimpleNamespace(batch=16, device=torch.device("cpu"), seed=3)
    assert distributed.for_this_rank(cfg) is cfg and distributed.rank_seed(3) == 3
    assert distributed.agree(True) and distributed.gather("x") == ["x"]


def test_each_rank_takes_its_share_of_the_batch(monkeypatch):
    monkeypatch.setattr(distributed, "current", lambda: distributed.World(1, 1, 2))
    mine = distributed.for_this_rank(SimpleNamespace(batch=16, footage_batch=4, device=torch.device("cuda"), seed=0))
    assert (mine.batch, mine.footage_batch, mine.device) == (8, 2, torch.device("cuda", 1))
    assert distributed.rank_seed(5) == 5 + distributed.RANK_SEED_STRIDE
    with pytest.raises(ValueError, match="batch: a batch of 5 does not split evenly over 2 processes"):
        distributed.for_this_rank(SimpleNamespace(batch=5, device=torch.device("cpu"), seed=0))
    with pytest.raises(ValueError, match="footage_batch: a batch of 3 does not split"):
        distributed.for_this_rank(SimpleNamespace(batch=4, footage_batch=3, device=torch.device("cpu"), seed=0))


def test_train_under_torchrun_without_a_process_group_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    nets = scaling.tiny_gan()
    opts = scaling.sgd(nets)
    with pytest.raises(ValueError, match="rank 0 of 2, but no process group is open"):
        train.train(scaling.tiny_step(nets, opts), nets, opts, steps=1, progress=False)


def test_side_by_side_jobs_under_torchrun_are_refused(monkeypatch, capsys):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    from vgan_course import cli

    assert cli.main(["train", "03_temporal_generators", "--all", "--jobs", "2", "--profile", "smoke"]) == 2
    assert "under torchrun every process trains the same method" in capsys.readouterr().err


def test_a_wrapper_is_freed_once_unused(tmp_path):
    """A Replica's hook state lives in DDP's C++ reducer, which the garbage collector cannot see:
    the wrapper itself as state would be a cycle never freed (with its network)."""
    import weakref

    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        replica = distributed.Replica(torch.nn.Linear(2, 2))
        replica(torch.zeros(3, 2)).sum().backward()
        assert replica.counts["reduced"] == 6  # the hook ran: 4 weights and 2 biases
        freed = weakref.ref(replica)
        del replica
        gc.collect()
        assert freed() is None
    finally:
        dist.destroy_process_group()


def test_a_launched_process_exits_with_its_code_and_its_output_without_the_teardown():
    script = ("import atexit, sys; from vgan_course import distributed; atexit.register(print, 'teardown'); "
              "print('written', end=''); print('said', end='', file=sys.stderr); distributed.exit_process(3)")
    for launched, teardown in (({"RANK": "1", "WORLD_SIZE": "2"}, ""), ({}, "teardown\n")):
        env = {k: v for k, v in os.environ.items() if k not in distributed.LAUNCHER_VARIABLES}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**env, **launched})
        assert (done.returncode, done.stdout, done.stderr) == (3, "written" + teardown, "said")
