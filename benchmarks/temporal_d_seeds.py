"""Lesson 05: does the triplet discriminator lower tOF at the shipped networks' length, for
other training seeds?

The shipped "recurrent adversarial" and "recurrent + temporal D" generators are one training
run each (seed 0, ``restoration.START_STEPS`` then ``SHIPPED_STEPS``). This trains both again,
exactly as ``vgan-course train-checkpoints`` does, for other seeds, and records the tOF ratio
(temporal D / frame D) with the other held-out scores::

    python benchmarks/temporal_d_seeds.py --seeds 1 2 3     # about 16 minutes per seed, 1 thread

Each seed replaces its own row in ``benchmarks/results.json["temporal_d_at_shipping_length"]``;
``python benchmarks/report.py`` puts them in the README. Never part of the timed test run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
KEY = "temporal_d_at_shipping_length"
FRAME_D, TEMPORAL_D = "recurrent adversarial", "recurrent + temporal D"


def train_seed(seed: int) -> dict:
    """Both methods' held-out scores (``restoration.evaluate_method``) after shipping-length
    training with ``seed``, and the ratios of the temporal D's to the frame D's."""
    from vgan_course import restoration

    scores = {method: restoration.train_for_shipping(method, seed=seed)[1] for method in (FRAME_D, TEMPORAL_D)}
    frame_d, temporal_d = scores[FRAME_D], scores[TEMPORAL_D]
    return {"tof_ratio": round(temporal_d["tof"] / frame_d["tof"], 4),
            "warping_error_ratio": round(temporal_d["warping_error"] / frame_d["warping_error"], 4),
            "psnr_difference": round(temporal_d["psnr"] - frame_d["psnr"], 4), "scores": scores}


def record(seed: int, row: dict, machine: dict) -> None:
    """Put one seed's row into the results file, keeping the other seeds' (all seeds are meant to
    run on one machine; the entry keeps the latest run's)."""
    results = json.loads(RESULTS.read_text())
    entry = results.setdefault(KEY, {"command": "python benchmarks/temporal_d_seeds.py --seeds ...", "seeds": {}})
    entry["seeds"][str(seed)] = row
    entry["machine"] = machine  # the latest run's
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import machine

    for seed in args.seeds:
        row = train_seed(seed)
        record(seed, row, machine())
        print(f"seed {seed}: tOF ratio {row['tof_ratio']}, warping error ratio {row['warping_error_ratio']}, "
              f"PSNR {row['psnr_difference']:+.2f} dB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
