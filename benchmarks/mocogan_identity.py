"""Lesson 03: does MoCoGAN's digit keep its identity along a clip, and does the paper's video D help?

The course's video discriminator scores every group of 9 frames and averages the scores; the
video discriminator of MoCoGAN's released code gives one score for the whole 16-frame clip (its
last convolution spans every remaining time step). A digit that slowly turns into another one
is easier to catch with the whole clip in view. This trains lesson 03's MoCoGAN method at the
``cpu`` profile's settings with each video D, for the same steps and seed, and scores both with
the lesson's metrics (identity consistency, appearance drift, clip FD, speed):

    python benchmarks/mocogan_identity.py --steps 1000 --seeds 0

Each finished run replaces its row of the ``lesson03_mocogan_identity`` measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import results  # noqa: E402
from vgan_course import data, methods, metrics, models  # noqa: E402
from vgan_course.lesson_runs import machine  # noqa: E402

COLUMNS = ["video D", "seed", "steps", "identity", "drift", "clip FD", "speed px/frame"]


class WholeClipVideoDiscriminator(models.VideoDiscriminator):
    """The course's (2+1)-D video D with one score per clip: its head spans the 4 remaining time steps."""

    def __init__(self, channels: int = 1, width: int = 32, size: int = 32):
        super().__init__(channels, width, size)
        self.head = nn.Conv3d(self.head.in_channels, 1, kernel_size=(4, 4, 4))


def with_whole_clip_d(method: methods.Method) -> methods.Method:
    def networks(cfg):
        nets = method.networks(cfg)
        nets["D_video"] = WholeClipVideoDiscriminator(1, cfg.width, cfg.size)
        return nets
    return dataclasses.replace(method, networks=networks)


def run(kind: str, seed: int, steps: int) -> list:
    lesson = methods.lesson("03_temporal_generators")
    method = lesson.methods["MoCoGAN"]
    method = with_whole_clip_d(method) if kind == "whole clip" else method
    cfg = lesson.config("cpu", steps={"MoCoGAN": steps})
    cfg.seed = seed
    with tempfile.TemporaryDirectory() as work:
        trained = methods.train_method(method, cfg, run_dir=work)
    clips = models.sample_clips(trained.network, 512, seed=seed)
    row = metrics.score_clips(clips, metrics.real_reference(512, seed=10_000 + seed), rounds=5)
    return [kind, seed, steps, round(row["identity"], 3), round(row["drift"], 3), round(row["clip_fd"], 1),
            round(row["speed"], 2)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    real = data.digit_clips(512, generator=torch.Generator().manual_seed(20_000))
    reference = [["real clips", "-", "-", round(metrics.identity_consistency(real), 3),
                  round(metrics.appearance_drift(real), 3), "-", round(metrics.motion_statistics(real).speed, 2)]]
    for seed in args.seeds:
        for kind in ("9 frames (the course's)", "whole clip"):
            row = run(kind, seed, args.steps)
            print(row, flush=True)
            old = results.load()["measurements"].get("lesson03_mocogan_identity", {"rows": []})["rows"]
            rows = [r for r in old if r[:3] != row[:3] and r[0] != "real clips"] + [row]
            results.put_measurement("lesson03_mocogan_identity", title="Lesson 03: MoCoGAN's identity along a clip, with "
                                    "the course's video D and with one that scores the whole clip (cpu settings)",
                                    text="identity: share of frames classified as the clip's majority digit; drift: "
                                         "change of the digit's look from the first frame to the last four",
                                    command=f"python benchmarks/mocogan_identity.py --steps {args.steps} --seeds SEED",
                                    machine=machine(), columns=COLUMNS, rows=reference + sorted(rows, key=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
