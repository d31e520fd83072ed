"""The shell side of methods: ``vgan-course train`` and ``vgan-course train-checkpoints``.

``vgan-course train 03_temporal_generators MoCoGAN --profile gpu`` trains a lesson's method with
the notebook's settings and step, into the run folder the notebook resumes from
(``$VGAN_RUNS/<lesson>/<profile>-seed<N>``): on a GPU machine, train every method of a lesson
side by side first (``--all --jobs 4``), then run the lesson, which finds them trained.

On several GPUs or machines, ``torchrun`` starts one process per GPU and the same command trains
one method data-parallel (lesson 07), with the notebook's settings (its batch split over the
processes) and step::

    torchrun --nproc_per_node=4 -m vgan_course.cli train 03_temporal_generators MoCoGAN --profile gpu

``vgan-course train-checkpoints NAME...`` retrains shipped networks from scratch and replaces
them only when their held-out score is at least as good as the shipped one's (``--force``
replaces anyway).
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from typing import Callable

from .. import distributed, profiles, shipped
from . import Method, all_lessons, lesson
from .training import ship, train_method


def train_command(lesson_name: str, method_names: list[str], *, all_methods: bool, profile: str, seed: int,
                  jobs: int) -> int:
    """``vgan-course train``: returns an exit code; every mistake is one line on stderr.

    Under torchrun every process runs it; the methods train one after another, each on all of them."""
    try:
        chosen = _choose(lesson_name, method_names, all_methods)
        if jobs > 1 and distributed.launcher_world().is_distributed:
            raise ValueError("--jobs trains methods side by side in separate processes; under torchrun every "
                             "process trains the same method, so leave --jobs out")
    except ValueError as error:
        print(f"vgan-course train: {error}", file=sys.stderr)
        return 2
    os.environ["VGAN_PROFILE"], os.environ["VGAN_SEED"] = profile, str(seed)
    cfg = lesson(lesson_name).config(profile)
    run_dir = profiles.run_dir(lesson_name)
    if jobs > 1 and len(chosen) > 1:
        _train_starts(chosen, cfg, run_dir)
        return _side_by_side(lesson_name, chosen, profile, seed, jobs)
    with distributed.process_group(cfg.device) as world:  # a plain run: nothing to join
        _train_starts(chosen, cfg, run_dir)
        for method in chosen:
            trained = train_method(method, cfg, run_dir=run_dir)
            if world.is_main:
                print(trained.describe(), flush=True)
    return 0


def _train_starts(chosen: list[Method], cfg, run_dir) -> None:
    """Shared starts first, once."""
    for start in {m.start.name: m.start for m in chosen if m.start is not None}.values():
        train_method(start, cfg, run_dir=run_dir)


def _choose(lesson_name: str, names: list[str], all_methods: bool) -> list[Method]:
    methods = lesson(lesson_name).methods
    if all_methods == bool(names):
        raise ValueError(f"name the methods to train, or pass --all; {lesson_name} has {sorted(methods)}")
    unknown = sorted(set(names) - set(methods))
    if unknown:
        raise ValueError(f"{lesson_name} has no method {unknown}; choose from {sorted(methods)}")
    return list(methods.values()) if all_methods else [methods[n] for n in names]


def _side_by_side(lesson_name: str, chosen: list[Method], profile: str, seed: int, jobs: int) -> int:
    """One process per method, at most ``jobs`` at once (each with ``cores / jobs`` threads)."""
    threads = max(1, (os.cpu_count() or 1) // jobs)
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    waiting, running, failed = list(chosen), [], []
    while waiting or running:
        while waiting and len(running) < jobs:
            method = waiting.pop(0)
            command = [sys.executable, "-m", "vgan_course.cli", "train", lesson_name, method.name,
                       "--profile", profile, "--seed", str(seed)]
            running.append((method, subprocess.Popen(command, env=env)))
        method, process = running.pop(0)
        if process.wait() != 0:
            failed.append(method.name)
    if failed:
        print(f"vgan-course train: {failed} failed (see their output above)", file=sys.stderr)
    return 1 if failed else 0


def checkpoint_trainers() -> dict[str, Callable[[], tuple[dict, dict]]]:
    """Shipped checkpoint name -> trainer returning (state dict, held-out scores): the video metric's
    feature network, the digit and style classifiers, lesson 06's moving-digit classifier, and every method
    of every lesson (not the starts other methods begin from: those are trained again, once, by each shipping run)."""
    trainers = {"video_features": _train_video_features, "digit_classifier": _train_digit_classifier,
                "style_classifier": _train_style_classifier, "moving_digit_classifier": _train_moving_digit_classifier}
    for owner in all_lessons().values():
        starts = {method.start.name for method in owner.methods.values() if method.start is not None}
        trainers |= {method.shipped: partial(ship, method) for method in owner.methods.values() if method.name not in starts}
    return trainers


def _train_video_features() -> tuple[dict, dict]:
    from ..metrics import video

    model = video.train_video_features()
    return model.state_dict(), video.evaluate_video_features(model)


def _train_moving_digit_classifier() -> tuple[dict, dict]:
    from ..metrics import prompts

    return prompts.train_for_shipping()


def _train_digit_classifier() -> tuple[dict, dict]:
    from ..metrics import digits

    model = digits.train_digit_classifier()
    return model.state_dict(), {"accuracy": round(digits.classifier_accuracy(model), 4)}


def _train_style_classifier() -> tuple[dict, dict]:
    import torch

    from ..data import two_style_clips
    from ..metrics import style

    model = style.train_style_classifier()
    clips = two_style_clips(64, 4, style.SHIPPED_SIZE, split="test", generator=torch.Generator().manual_seed(0))
    frames = clips.styled.flatten(0, 1)
    with torch.no_grad():  # held out: B frames called B, plain frames and near misses called not-B
        right = torch.cat([model(frames) > 0, model(clips.plain.flatten(0, 1)) <= 0,
                           model(style.near_misses(frames, torch.Generator().manual_seed(1))) <= 0])
    return model.state_dict(), {"accuracy": round(float(right.float().mean()), 4)}


def _better(name: str) -> tuple[str, str]:
    if name == "video_features":
        return "clip_accuracy", "higher"
    if name == "moving_digit_classifier":
        return "held-out real clips both", "higher"
    if name in ("digit_classifier", "style_classifier"):
        return "accuracy", "higher"
    for owner in all_lessons().values():
        for method in owner.methods.values():
            if method.shipped == name:
                return method.better
    raise ValueError(f"no method ships {name!r}")


def train_checkpoints(names: list[str], force: bool = False) -> int:
    """``vgan-course train-checkpoints NAME...``: retrain shipped networks; keep a retrained one only
    if it scores at least as well on its held-out check as the one it replaces (or ``force``)."""
    import torch

    trainers = checkpoint_trainers()
    unknown = sorted(set(names) - set(trainers))
    if not names or unknown:
        problem = f"unknown checkpoint(s) {unknown}" if unknown else "name the checkpoints to retrain"
        print(f"vgan-course train-checkpoints: {problem}; choose from {sorted(trainers)}", file=sys.stderr)
        return 2
    refused = []
    for name in names:
        torch.manual_seed(0)
        state, measured = trainers[name]()
        key, direction = _better(name)
        old = shipped.read_manifest().get(name, {}).get("measured", {}).get(key)
        worse = old is not None and (measured[key] > old if direction == "lower" else measured[key] < old)
        if worse and not force:
            print(f"{name}: NOT replaced: held-out {key} {measured[key]:.4g} is worse than the shipped "
                  f"{old:.4g} ({direction} is better); pass --force to replace it anyway", file=sys.stderr)
            refused.append(name)
            continue
        entry = shipped.save_state(name, state, f"vgan-course train-checkpoints {name}", measured)
        print(f"{name}: {entry['bytes'] / 1e6:.2f} MB, sha256 {entry['sha256'][:16]}..., measured {measured}")
    return 1 if refused else 0
