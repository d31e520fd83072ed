"""Run by tests/test_distributed.py under ``torchrun --standalone --nproc_per_node=2`` (gloo).

    torchrun ... tests/ddp_worker.py FOLDER

FOLDER holds ``one_rank.pt``, a checkpoint the test wrote with one process. Each rank does the
same three jobs; what the test checks comes back as files in FOLDER (rank 0 writes them):

1. ``steps.pt``: the tiny GAN's initial weights and its weights after :data:`STEPS` steps of the
   course's loop on 2 ranks (plain, and with an R1 penalty), every rank's copy, and the
   wrappers' all-reduce counts;
2. ``resumed.pt``: ``one_rank.pt`` resumed on 2 ranks to step 4 (with TensorBoard and samples),
   and ``writes.json``: what each rank wrote;
3. the lesson command ``vgan-course train`` for a few methods of lessons 03-05 (:data:`COMMANDS`),
   into ``FOLDER/runs``.
"""

import json
import os
import sys
from pathlib import Path

import torch

from vgan_course import cli, distributed, scaling, train

STEPS = 2
COMMANDS = {  # lesson -> methods trained by `vgan-course train` on 2 ranks
    "03_temporal_generators": ["frame-independent", "VGAN"],  # G's image generator through G's call; G.last_mask
    "04_video_style_transfer": ["Recycle-GAN"],  # six networks, two optimizers, G_ab run four times per update
    "05_video_restoration": ["recurrent + temporal D"],  # G run once per frame along the clip
}


def parameters(nets):
    return {f"{name}.{key}": p.detach().clone() for name, net in nets.items() for key, p in net.named_parameters()}


def trained_on_two_ranks(r1_gamma):
    nets = scaling.tiny_gan()
    start = parameters(nets)
    opts = scaling.sgd(nets)
    wrapped = distributed.wrap(nets)
    train.train(scaling.tiny_step(wrapped, opts, r1_gamma=r1_gamma), nets, opts, steps=STEPS, progress=False)
    return {"start": start, "end": distributed.gather(parameters(nets)),
            "counts": {name: dict(w.counts) for name, w in wrapped.items()}}


def resume_with_everything(folder):
    """Resume the 1-rank checkpoint on 2 ranks, counting who writes what."""
    written = {"checkpoints": 0, "tensorboard": 0, "samples": 0}
    save, logger = train.save_checkpoint, train.TensorBoardLogger

    def counted_save(path, state):
        written["checkpoints"] += 1
        save(path, state)

    def counted_logger(log_dir):
        written["tensorboard"] += 1
        return logger(log_dir)

    def sample():
        written["samples"] += 1
        return nets["G"](torch.randn(8, 4))

    train.save_checkpoint, train.TensorBoardLogger = counted_save, counted_logger
    nets = scaling.tiny_gan()
    opts = {name: torch.optim.Adam(net.parameters(), lr=1e-2) for name, net in nets.items()}
    history = train.train(scaling.tiny_step(distributed.wrap(nets), opts), nets, opts, steps=4,
                          checkpoint=folder / "resumed.pt", log_dir=folder / "tensorboard", sample_fn=sample,
                          sample_every=1, log_every=1, progress=False)
    train.save_checkpoint, train.TensorBoardLogger = save, logger
    return {**written, "history steps": history.steps, "history d": history.metrics["loss/d"]}


def main(folder):
    if distributed.launcher_world().is_main:  # resumed.pt starts as the 1-rank checkpoint
        (folder / "resumed.pt").write_bytes((folder / "one_rank.pt").read_bytes())
    with distributed.process_group("cpu") as world:
        distributed.barrier()  # the copy above is in place
        steps = {"plain": trained_on_two_ranks(0.0), "r1": trained_on_two_ranks(1.0)}
        writes = distributed.gather(resume_with_everything(folder))
        os.environ["VGAN_RUNS"] = str(folder / "runs")
        code = max(cli.main(["train", lesson, *names, "--profile", "smoke", "--seed", "1"])
                   for lesson, names in COMMANDS.items())
        if world.is_main:
            torch.save(steps, folder / "steps.pt")
            (folder / "writes.json").write_text(json.dumps({"by rank": writes, "command exit code": code}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
    distributed.exit_process(0)  # without the interpreter's teardown, which can abort a rank
