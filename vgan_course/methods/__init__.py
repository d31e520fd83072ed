"""Methods: one shape for every way a lesson trains networks (lessons 03 onwards).

A :class:`Method` is a name, the networks it builds, its optimizers, its data stream and its
*step* (one round of the game, for :func:`vgan_course.train.train`), plus the loss weights of its
paper (``hyper``). A :class:`Lesson` holds its methods and its settings for every profile as
plain data, so the same networks can be trained from a notebook, from the shell
(``vgan-course train``) or for shipping (``vgan-course train-checkpoints``), with the same step
and the same settings:

    lesson = methods.lesson("03_temporal_generators")
    cfg = lesson.config()                       # the settings of the current profile
    mocogan = lesson.methods["MoCoGAN"]
    trained = methods.load_or_train(mocogan, cfg, run_dir=run)   # shipped, or trained here

A notebook derives the step in a cell and hands its own version in
(``load_or_train(..., step=my_step)``); :func:`check_same_step` shows that it is the same step as
the package's copy, which the shell commands use.

Some methods start from another's trained networks (``start``): lesson 04's methods all start
from one per-frame CycleGAN, lesson 05's from one single-frame restorer; the start is trained
once per run folder and shared by every method that starts from it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, Callable, Mapping

import torch
from torch import nn

from .. import profiles
from ..train import History, StepContext

Networks = dict[str, nn.Module]
Optimizers = dict[str, torch.optim.Optimizer]
StepFunction = Callable[[StepContext], dict[str, torch.Tensor]]
# (networks, optimizers, batches, cfg) -> one round of the game
StepFactory = Callable[[Networks, Optimizers, Callable[[], Any], SimpleNamespace], StepFunction]

LESSON_MODULES = {  # lesson name -> module of this package that declares its methods
    "03_temporal_generators": "temporal_generators",
    "04_video_style_transfer": "video_style_transfer",
    "05_video_restoration": "video_restoration",
    "06_controllable_clips": "controllable_clips",
}


@dataclass(frozen=True)
class Method:
    """One way to train: networks, optimizers, data, the step, and the paper's weights.

    Every callable takes the lesson's settings ``cfg`` (a namespace: the profile's values, the
    seed, the device, and this method's ``hyper`` on top):

    - ``networks(cfg) -> {"G": ..., "D": ...}``: fresh networks (on the CPU);
    - ``optimizers(nets, cfg) -> {name: optimizer}``;
    - ``batches(cfg, generator) -> batch_fn``: ``batch_fn()`` returns one training batch;
    - ``step(nets, opts, batch_fn, cfg) -> step_fn``: the package's tested copy of the step.

    ``keep`` names the network the lesson uses afterwards (and ships); with ``average_decay``
    the network kept is a moving average of its weights (:func:`vgan_course.train.update_average`).
    ``start``: a method whose trained networks this one starts from, through
    ``start_from(nets, start_models)`` (the start's checkpointed state dicts, by network name).
    ``shipped``: the name of its shipped checkpoint, also its checkpoint's name in a run folder.
    ``better = (score, "lower" or "higher")``: the held-out score (of the lesson's ``score``) that
    decides whether a retrained network may replace the shipped one.
    ``sample(network) -> clips (b, t, c, h, w)`` in [-1, 1]: what the kept network makes of fixed
    inputs, shown in TensorBoard four times while it trains.
    """

    lesson: str
    name: str
    shipped: str
    networks: Callable[[SimpleNamespace], Networks]
    optimizers: Callable[[Networks, SimpleNamespace], Optimizers]
    batches: Callable[[SimpleNamespace, torch.Generator], Callable[[], Any]]
    step: StepFactory
    hyper: Mapping[str, Any] = field(default_factory=dict)
    keep: str = "G"
    average_decay: float | None = None
    start: "Method | None" = None
    start_from: Callable[[Networks, dict], None] | None = None
    better: tuple[str, str] = ("", "")
    sample: Callable[[nn.Module], torch.Tensor] | None = None

    def with_hyper(self, **changes: Any) -> "Method":
        """A copy with some of the paper's weights changed, e.g. ``method.with_hyper(mask_weight=1.0)``;
        its checkpoint name says so, so the two never share a run file."""
        unknown = sorted(set(changes) - set(self.hyper))
        if unknown:
            raise ValueError(f"{self.name!r} has no setting {unknown}; it has {sorted(self.hyper)}")
        tag = "_".join(f"{k}{v:g}" if isinstance(v, (int, float)) else f"{k}{v}" for k, v in sorted(changes.items()))
        return replace(self, hyper={**self.hyper, **changes}, shipped=f"{self.shipped}_{tag}")


@dataclass(frozen=True)
class Lesson:
    """A lesson's methods and its settings per profile (``smoke``, ``cpu``, ``gpu``, and ``ship``:
    how the shipped networks were trained).

    Every profile's settings hold ``steps`` (method name -> steps) and whatever the methods read.
    ``architecture`` names the settings that change the networks' shapes: the shipped networks
    are loaded only when these match the ``ship`` settings. ``score(method, network) -> dict``
    measures a trained network on held-out data (recorded in the manifest when it ships).
    ``figure_rows() -> {label: frames (T, C, H, W)}``: what the lesson's shipped networks make, next to
    the real thing, for the results page (``python benchmarks/run.py figures``).
    """

    name: str
    methods: dict[str, Method]
    settings: dict[str, dict]
    architecture: tuple[str, ...]
    score: Callable[[Method, nn.Module], dict[str, float]]
    figure_rows: Callable[[], dict[str, torch.Tensor]] | None = None

    def config(self, profile: str | None = None, **overrides: Any) -> SimpleNamespace:
        """The settings of ``profile`` (default: the current one), with the seed and the device.

        ``overrides`` replace single values, e.g. ``lesson.config(batch=8)``."""
        profile = profile or profiles.current_profile()
        if profile not in self.settings:
            raise ValueError(f"{self.name} has settings for {sorted(self.settings)}, not {profile!r}")
        values = {**self.settings[profile], **overrides}
        return SimpleNamespace(profile=profile, seed=profiles.current_seed(), device=profiles.device(), **values)


@dataclass
class Trained:
    """A method's network, ready to use (eval mode), and where it came from."""

    method: Method
    network: nn.Module
    history: History | None  # None when loaded from the shipped checkpoint
    source: str  # "shipped" or "trained"

    def describe(self) -> str:
        if self.source == "shipped":
            return f"{self.method.name}: shipped with the course"
        steps = self.history.steps[-1] if self.history and self.history.steps else 0
        return f"{self.method.name}: trained here, {steps} steps, {self.history.seconds:.0f} s"


def lesson(name: str) -> Lesson:
    """The :class:`Lesson` declared by the module of lesson ``name`` (e.g. ``"03_temporal_generators"``)."""
    if name not in LESSON_MODULES:
        raise ValueError(f"no lesson {name!r} trains methods; choose one of {sorted(LESSON_MODULES)}")
    return importlib.import_module(f".{LESSON_MODULES[name]}", __name__).LESSON


def all_lessons() -> dict[str, Lesson]:
    return {name: lesson(name) for name in LESSON_MODULES}


def settings_for(method: Method, cfg: SimpleNamespace) -> SimpleNamespace:
    """``cfg`` with the method's own ``hyper`` values added (a method's weights win over nothing:
    a key in both is an error, so a setting never has two sources)."""
    clash = sorted(set(vars(cfg)) & set(method.hyper))
    if clash:
        raise ValueError(f"{clash} are set both by the lesson's settings and by {method.name!r}'s hyper")
    return SimpleNamespace(**vars(cfg), **method.hyper)


from .training import check_same_step, load_or_train, ship, train_method  # noqa: E402

__all__ = ["Lesson", "Method", "Trained", "all_lessons", "check_same_step", "lesson", "load_or_train", "settings_for",
           "ship", "train_method"]
