"""Lesson 03 at 64 x 64: when the image discriminator wins too soon, and what stops it.

At 64 x 64 frames with the ``cpu`` profile's width (32 channels), the frame-independent
baseline's image D drove its loss to zero within a few hundred steps and its generator never
recovered. This trains that model (and MoCoGAN without the video D, the other model whose only
critic is the image D) under a few variants of lesson 03's own method (the package's step,
``methods.train_method``; only the named piece changes), and scores the generator's moving
average with lesson 03's metric:

- ``base``: width 32, as the ``cpu`` profile; ``width64``: DCGAN's own width for 64 x 64 frames
  (what the ``gpu`` profile uses);
- ``noise0.1`` / ``noise0.2``: Gaussian noise of that standard deviation added to D's inputs
  while training (instance noise; MoCoGAN's reference code has it);
- ``dlr5e-5``: D's learning rate 4x lower; ``sn``: spectral norm on every layer of D.

``d_loss_end`` is D's loss over the last 10 logged steps: near zero, D has won.

    python benchmarks/d_wins_at_64.py base width64          # some variants, one after another
    python benchmarks/d_wins_at_64.py --all --steps 300     # every variant, shorter

Each finished variant replaces its row of the ``lesson03_d_wins_at_64[_gpu]`` measurement.
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
from vgan_course import methods, metrics, models  # noqa: E402
from vgan_course.lesson_runs import machine  # noqa: E402

VARIANTS = {  # name: (method, steps, change)
    "base": ("frame-independent", 1500, {}),
    "width64": ("frame-independent", 1500, {"width": 64}),
    "noise0.1": ("frame-independent", 1500, {"noise": 0.1}),
    "noise0.2": ("frame-independent", 1500, {"noise": 0.2}),
    "dlr5e-5": ("frame-independent", 1500, {"d_lr": 5e-5}),
    "sn": ("frame-independent", 1500, {"spectral_norm": True}),
    "MoCoGAN without video D, width64": ("MoCoGAN without video D", 1000, {"width": 64}),
    "MoCoGAN without video D, width64 sn": ("MoCoGAN without video D", 1000, {"width": 64, "spectral_norm": True}),
    "MoCoGAN without video D, noise0.2": ("MoCoGAN without video D", 1000, {"noise": 0.2}),
    "MoCoGAN without video D, sn": ("MoCoGAN without video D", 1000, {"spectral_norm": True}),
}
COLUMNS = ["variant", "steps", "frame FD", "clip FD", "speed px/frame", "D's final loss", "where"]


class NoisyInput(nn.Module):
    """A discriminator that sees its input plus Gaussian noise of standard deviation ``sigma`` while training."""

    def __init__(self, D: nn.Module, sigma: float):
        super().__init__()
        self.D, self.sigma = D, sigma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.D(x + self.sigma * torch.randn_like(x) if self.training else x)


def variant(method: methods.Method, noise: float = 0.0, d_lr: float | None = None,
            spectral_norm: bool = False) -> methods.Method:
    """``method`` with its image D changed (noise on its input, spectral norm) or trained at ``d_lr``."""
    def networks(cfg):
        nets = method.networks(cfg)
        if spectral_norm:
            models.spectral_norm(nets["D_image"])
        if noise:
            nets["D_image"] = NoisyInput(nets["D_image"], noise)
        return nets

    def optimizers(nets, cfg):
        opts = method.optimizers(nets, cfg)
        if d_lr is not None:
            opts["D_image"] = torch.optim.Adam(nets["D_image"].parameters(), lr=d_lr, betas=(0.5, 0.999))
        return opts

    return dataclasses.replace(method, networks=networks, optimizers=optimizers)


def run_variant(name: str, steps: int | None, device: str) -> list:
    method_name, default_steps, change = VARIANTS[name]
    lesson = methods.lesson("03_temporal_generators")
    method = variant(lesson.methods[method_name], **{k: v for k, v in change.items() if k != "width"})
    cfg = lesson.config("gpu", width=change.get("width", 32), steps={method_name: steps or default_steps})
    cfg.seed, cfg.device = 0, torch.device(device)
    with tempfile.TemporaryDirectory() as work:
        trained = methods.train_method(method, cfg, run_dir=work)
    clips = models.sample_clips(trained.network, 512, seed=0)
    row = metrics.score_clips(clips, metrics.real_reference(512, seed=10_000, size=64))
    d_losses = trained.history.metrics["loss/d" if "loss/d" in trained.history.metrics else "loss/d_image"][-10:]
    where = (torch.cuda.get_device_name(0) if device.startswith("cuda") else f"{machine()['cpu_cores']} CPU cores")
    return [name, cfg.steps[method_name], round(row["frame_fd"], 1), round(row["clip_fd"], 1), round(row["speed"], 3),
            round(sum(d_losses) / len(d_losses), 4), where]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="*", choices=[*VARIANTS, []], help="variant names (or --all)")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--steps", type=int, help="train this many steps instead of each variant's")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    names = list(VARIANTS) if args.all else args.variants
    if not names:
        parser.error("name the variants to run, or pass --all")
    key = "lesson03_d_wins_at_64" + ("_gpu" if args.device.startswith("cuda") else "")
    for name in names:
        row = run_variant(name, args.steps, args.device)
        print(row, flush=True)
        entry = results.load()["measurements"].get(key, {"rows": []})
        rows = [r for r in entry["rows"] if r[0] != name] + [row]
        results.put_measurement(key, title="Lesson 03 at 64 x 64: the image D that wins too soon (variants of the "
                                "image-D recipe, seed 0, 64 x 64, batch 32)", machine=machine(), columns=COLUMNS,
                                command="python benchmarks/d_wins_at_64.py NAME... [--steps N]", rows=rows,
                                text="one run per variant")
    return 0


if __name__ == "__main__":
    sys.exit(main())
