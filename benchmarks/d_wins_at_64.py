"""Lesson 03 at 64 x 64: when the image discriminator wins too soon, and what stops it.

At 64 x 64 frames with the ``cpu`` profile's width (32 channels), the frame-independent
baseline's image D drove its loss to zero within a few hundred steps and its generator never
recovered. This trains that model (and MoCoGAN without the video D, the other model whose only
critic is the image D) under a few variants, one process each, and scores the generator's
moving average with lesson 03's metric:

- ``base``: width 32, as the ``cpu`` profile;
- ``width64``: DCGAN's own width for 64 x 64 frames (what the ``gpu`` profile uses);
- ``noise0.1`` / ``noise0.2``: Gaussian noise of that standard deviation added to D's inputs
  while training (instance noise; MoCoGAN's reference code has it);
- ``dlr5e-5``: D's learning rate 4x lower; ``sn``: spectral norm on every layer of D.

On a CPU, one variant at a time (``--one NAME [--steps N] --out FILE``, an hour per 600 steps at
64 x 64) goes into the results file's ``d_wins_at_64_cpu`` entry by ``--merge FILE``.

``d_loss_end`` is D's loss over the last logged steps: near zero, D has won.

Meant for a GPU (about a minute per run there, all at once)::

    python benchmarks/d_wins_at_64.py --out d64.json            # then, on this machine:
    python benchmarks/d_wins_at_64.py --merge d64.json          # into benchmarks/results.json

``--out FILE --only NAME ...`` runs some variants at once; merged, they replace those variants'
earlier GPU runs and say which GPU ran them.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
VARIANTS = {  # name: (model, steps, settings)
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


def run_variant(model: str, steps: int, width: int = 32, noise: float = 0.0, d_lr: float = 2e-4,
                spectral_norm: bool = False, size: int = 64, batch: int = 32, n_eval: int = 512) -> dict:
    """Train ``model`` with one image D (as ``video_gans.train_video_gan``, with the variant's
    change) and score the moving-average generator on ``n_eval`` clips."""
    import torch

    from vgan_course import models, train, video_gans
    from vgan_course.profiles import device, seed_everything

    seed_everything(0)
    dev = device()
    G = video_gans.build_generator(model, width, size).to(dev)
    D = models.DCGANDiscriminator(1, width, size).to(dev)
    D.apply(models.init_dcgan_weights)
    if spectral_norm:
        models.spectral_norm(D)
    if noise:
        forward = D.forward
        D.forward = lambda x: forward(x + noise * torch.randn_like(x) if D.training else x)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=d_lr, betas=(0.5, 0.999))
    clips = lambda: video_gans.real_clips(batch, device=dev, size=size)  # noqa: E731
    if model == "frame-independent":
        step = train.gan_step(G.image, D, opt_g, opt_d, lambda: models.sample_frames(clips(), 4), G.z_dim)
    else:
        step = train.video_gan_step(G, opt_g, clips, D, opt_d, None, None, frames_per_clip=video_gans.FRAMES_PER_CLIP)
    G_average = copy.deepcopy(G)

    def step_and_average(ctx):
        logged = step(ctx)
        train.update_average(G_average, G, video_gans.AVERAGE_DECAY)
        return logged

    history = train.train(step_and_average, {"G": G, "D": D, "G_average": G_average}, {"G": opt_g, "D": opt_d},
                          steps=steps, progress=False)
    reference = video_gans.real_reference(n_eval, seed=10_000, size=size)
    row = video_gans.score_clips(video_gans.sample_clips(G_average.eval(), n_eval, seed=0), reference)
    d_losses = history.metrics["loss/d" if "loss/d" in history.metrics else "loss/d_image"]
    return {"steps": steps, "seconds": round(history.seconds, 1),
            "d_loss_end": round(sum(d_losses[-10:]) / len(d_losses[-10:]), 4),  # mean of the last 10 logged
            **{k: round(row[k], 3) for k in ("clip_fd", "frame_fd", "identity", "speed", "roughness")}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="run every variant, at once, and write them here")
    parser.add_argument("--merge", type=Path, help="fold a file written by --out into benchmarks/results.json")
    parser.add_argument("--one", choices=VARIANTS, help="one variant only, in this process (on a CPU: hours)")
    parser.add_argument("--steps", type=int, help="with --one: train this many steps instead of the variant's")
    parser.add_argument("--only", nargs="+", choices=VARIANTS, help="with --out: these variants only")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import machine

    if args.one:
        model, steps, settings = VARIANTS[args.one]
        run = run_variant(model, args.steps or steps, **settings)
        print(json.dumps(run))
        if args.out:
            command = f"python benchmarks/d_wins_at_64.py --one '{args.one}' --steps {run['steps']} --out FILE"
            args.out.write_text(json.dumps({"runs": {args.one: run}, "machine": machine(), "at_once": 1,
                                            "command": command}, indent=1) + "\n")
        return 0
    if args.merge:  # a GPU run of every variant replaces its entry; CPU runs, one variant each, add up
        results, new = json.loads(RESULTS.read_text()), json.loads(args.merge.read_text())
        for name in [name for name, run in new["runs"].items() if "error" in run]:
            print(f"not merged, it failed: {name}: {new['runs'].pop(name)['error']}")
        if new["machine"].get("cuda") and len(new["runs"]) < len(VARIANTS) and "d_wins_at_64" in results:
            where = f"{new['machine']['cuda']}, {new['at_once']} at once, {new['machine']['date']}"
            results["d_wins_at_64"]["runs"].update({name: {**run, "where": where} for name, run in new["runs"].items()})
        elif new["machine"].get("cuda"):
            results["d_wins_at_64"] = new
        else:
            entry = results.setdefault("d_wins_at_64_cpu", {"runs": {}})
            entry["runs"].update({name: {**run, "command": new["command"]} for name, run in new["runs"].items()})
            entry["machine"] = new["machine"]
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        return 0
    if not args.out:
        parser.error("give --out FILE or --merge FILE")

    def one(name: str) -> dict:
        done = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
        return json.loads(done.stdout.strip().splitlines()[-1])

    names = args.only or list(VARIANTS)
    with ThreadPoolExecutor(len(names)) as pool:
        runs = dict(zip(names, pool.map(one, names)))
    for name, run in runs.items():
        print(f"{name:36s} {run}")
    only = " --only " + " ".join(f"'{name}'" for name in names) if args.only else ""
    args.out.write_text(json.dumps({"runs": runs, "machine": machine(), "at_once": len(names),
                                    "command": f"python benchmarks/d_wins_at_64.py --out FILE{only}"}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
