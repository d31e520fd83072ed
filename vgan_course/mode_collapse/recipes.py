"""Recipes for training lesson 01's 2-D GAN, and the ablation that compares them over seeds.

A :class:`Recipe` names one way of training the same small MLP pair: which objective, which
optimizer settings, which regulariser, which discriminator, how many D steps per G step.
:func:`train_2d` trains one recipe for one seed and scores it with
:func:`vgan_course.metrics.mode_coverage`; :func:`ablation` does that for many recipes and
seeds, and :func:`summarise` turns the runs into a table of means and spreads. Every run gets
the same data, the same networks, the same number of generator steps and the same evaluation,
so the recipes differ only where they say they do.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import torch

from .. import losses, models, train
from ..data import GaussianMixture2D
from ..metrics import ModeCoverage, mode_coverage
from ..profiles import seed_everything

# name -> (discriminator loss, generator loss), both on D's raw outputs
OBJECTIVES = {
    "nonsaturating": (losses.discriminator_loss, losses.generator_loss_nonsaturating),
    "minimax": (losses.discriminator_loss, losses.generator_loss_minimax),
    "lsgan": (losses.lsgan_discriminator_loss, losses.lsgan_generator_loss),
    "hinge": (losses.hinge_discriminator_loss, losses.hinge_generator_loss),
    "wasserstein": (losses.wasserstein_critic_loss, losses.wasserstein_generator_loss),
}


@dataclass(frozen=True)
class Recipe:
    """One way to train the 2-D GAN. The defaults are the plain non-saturating GAN of lesson 01."""

    name: str
    objective: str = "nonsaturating"  # a key of OBJECTIVES
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)  # Adam's, for both players
    weight_decay: float = 0.0  # L2 on every weight of G and D (Adam's coupled weight decay)
    l1_weight: float = 0.0  # L1: l1_weight * sum |w| added to G's loss (G's weights) and D's (D's)
    spectral_norm: bool = False  # on every layer of D
    minibatch_std: bool = False  # D sees the batch's spread
    gradient_penalty: float = 0.0  # WGAN-GP weight (lambda); 0 = off
    r1_gamma: float = 0.0  # R1 weight (gamma); 0 = off
    d_steps: int = 1  # D steps per G step, each on a fresh batch

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r}; choose one of {sorted(OBJECTIVES)}")
        if not isinstance(self.d_steps, int) or self.d_steps < 1:
            raise ValueError(f"d_steps must be an integer >= 1, got {self.d_steps!r}")
        for name in ("lr_g", "lr_d", "weight_decay", "l1_weight", "gradient_penalty", "r1_gamma"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.gradient_penalty and self.r1_gamma:
            raise ValueError("choose one penalty per recipe: gradient_penalty or r1_gamma, got both")

    def variant(self, name: str, **changes) -> Recipe:
        """A copy under a new ``name`` with some settings changed, e.g.
        ``recipe.variant("WGAN-GP, 5 critic steps", d_steps=5)``. (A new name, so the two never merge in a table.)"""
        if name == self.name:
            raise ValueError(f"a variant needs a name of its own, got the original's {name!r}")
        return dataclasses.replace(self, name=name, **changes)

    def changes(self) -> dict:
        """The settings where this recipe differs from lesson 01's plain GAN (name left out)."""
        plain = Recipe("plain")
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "name" and getattr(self, f.name) != getattr(plain, f.name)}


# Each remedy of lesson 02 at its default strength, with the shared optimizer of lesson 01.
# (vgan_course.mode_collapse.tuning gives each one a small grid of settings from its paper.)
REMEDIES = (
    Recipe("plain GAN"),
    Recipe("L2 weight decay", weight_decay=1e-4),
    Recipe("L1 penalty", l1_weight=1e-4),
    Recipe("two time-scale (TTUR)", lr_g=2.5e-4),
    Recipe("spectral norm + hinge", objective="hinge", spectral_norm=True),
    Recipe("WGAN-GP", objective="wasserstein", gradient_penalty=10.0),
    Recipe("R1 penalty", r1_gamma=10.0),
    Recipe("minibatch std", minibatch_std=True),
)


@dataclass
class Run2D:
    """The outcome of one recipe, one seed."""

    recipe: str
    seed: int
    coverage: ModeCoverage  # within 3 std of a mode: the standard "high quality"
    near: ModeCoverage  # within 10 std: reaches the mode, if not sharply
    seconds: float
    d_updates: int  # D's optimizer steps in the run: steps * d_steps
    samples: torch.Tensor  # (n_eval, 2) from the trained G
    snapshots: list[tuple[int, torch.Tensor]] = field(default_factory=list)  # (step, (n, 2)) along the way


def build(recipe: Recipe, z_dim: int = 8, device: torch.device | str = "cpu"):
    """The generator, discriminator and their Adam optimizers for ``recipe``."""
    G = models.MLPGenerator(z_dim=z_dim).to(device)
    D = models.MLPDiscriminator(minibatch_std=recipe.minibatch_std)
    if recipe.spectral_norm:
        models.spectral_norm(D)
    D = D.to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=recipe.lr_g, betas=recipe.betas, weight_decay=recipe.weight_decay)
    opt_d = torch.optim.Adam(D.parameters(), lr=recipe.lr_d, betas=recipe.betas, weight_decay=recipe.weight_decay)
    return G, D, opt_g, opt_d


def _penalty(recipe: Recipe):
    """D's extra loss term for ``recipe``, as ``penalty(D, real, fake)``, or ``None``."""
    if recipe.gradient_penalty:
        return lambda D, real, fake: losses.gradient_penalty(D, real, fake, weight=recipe.gradient_penalty)
    if recipe.r1_gamma:
        return lambda D, real, fake: losses.r1_penalty(D, real, gamma=recipe.r1_gamma)
    return None


def _with_l1(loss_fn, model: torch.nn.Module, weight: float):
    """``loss_fn`` plus ``weight * sum |w|`` over the weight matrices of ``model`` (not the biases)."""
    if not weight:
        return loss_fn
    matrices = [p for p in model.parameters() if p.dim() > 1]
    return lambda *logits: loss_fn(*logits) + weight * sum(w.abs().sum() for w in matrices)


def train_2d(recipe: Recipe, mixture: GaussianMixture2D, *, steps: int, seed: int, batch: int = 256,
             z_dim: int = 8, n_eval: int = 2000, snapshots: int = 0,
             device: torch.device | str = "cpu", progress: bool = True) -> Run2D:
    """Train ``recipe`` on ``mixture`` for ``steps`` generator steps from ``seed``; score ``n_eval`` samples.

    ``snapshots > 0`` keeps that many sample sets ``(n_eval, 2)`` along the way, for plots;
    ``progress`` shows a progress bar (the tuning benchmark turns it off).
    """
    seed_everything(seed)
    G, D, opt_g, opt_d = build(recipe, z_dim, device)
    d_loss, g_loss = OBJECTIVES[recipe.objective]
    step = train.gan_step(G, D, opt_g, opt_d, real_batch=lambda: mixture.sample(batch, device=device), z_dim=z_dim,
                          d_loss=_with_l1(d_loss, D, recipe.l1_weight), g_loss=_with_l1(g_loss, G, recipe.l1_weight),
                          d_penalty=_penalty(recipe), d_steps=recipe.d_steps)
    fixed_z = torch.randn(n_eval, z_dim, device=device)
    start = time.perf_counter()
    history = train.train(step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d}, steps=steps, log_every=100,
                          sample_fn=lambda: G(fixed_z), sample_every=max(1, steps // max(1, snapshots)),
                          progress=progress)
    with torch.no_grad():
        samples = G(fixed_z).cpu()
    return Run2D(recipe.name, seed, mode_coverage(samples, mixture), mode_coverage(samples, mixture, n_std=10),
                 time.perf_counter() - start, steps * recipe.d_steps, samples, history.samples if snapshots else [])


def _train_one_thread(recipe: Recipe, mixture: GaussianMixture2D, kwargs: dict) -> Run2D:
    torch.set_num_threads(1)  # one core per worker: tiny networks gain nothing from more
    return train_2d(recipe, mixture, **kwargs)


def ablation(recipes: tuple[Recipe, ...] | list[Recipe], mixture: GaussianMixture2D, seeds, *, steps: int,
             workers: int = 1, **kwargs) -> list[Run2D]:
    """:func:`train_2d` for every recipe and every seed; the same seeds for every recipe.

    ``workers > 1`` trains that many runs at once in separate processes, one core each (each run
    seeds itself, so the results do not depend on ``workers``). Runs come back in order.
    """
    names = [recipe.name for recipe in recipes]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"every recipe needs a name of its own (rows are grouped by name), got {twice} more than once: "
                         "use recipe.variant('new name', ...)")
    kwargs.setdefault("progress", workers <= 1)  # bars from several processes at once would garble each other
    jobs = [(recipe, mixture, dict(steps=steps, seed=seed, **kwargs)) for recipe in recipes for seed in seeds]
    if workers <= 1:
        return [train_2d(recipe, mixture, **job) for recipe, mixture, job in jobs]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: safe from notebooks and threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_train_one_thread, *zip(*jobs)))


def _spread(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def summarise(runs: list[Run2D]) -> list[dict]:
    """One row per recipe: mean, spread (sample std), min and max of modes covered and quality."""
    rows = []
    for name in dict.fromkeys(r.recipe for r in runs):
        mine = [r for r in runs if r.recipe == name]
        modes = [r.coverage.modes_covered for r in mine]
        quality = [r.coverage.high_quality_fraction for r in mine]
        rows.append({"recipe": name, "seeds": len(mine),
                     "modes_mean": statistics.mean(modes), "modes_std": _spread(modes),
                     "modes_min": min(modes), "modes_max": max(modes),
                     "all_modes_runs": sum(m == mine[0].coverage.n_modes for m in modes),
                     "near_modes_mean": statistics.mean(r.near.modes_covered for r in mine),
                     "quality_mean": statistics.mean(quality), "quality_std": _spread(quality),
                     "d_updates": mine[0].d_updates,
                     "seconds_mean": statistics.mean(r.seconds for r in mine)})
    return rows


def format_table(rows: list[dict], n_modes: int) -> str:
    """The summary as a fixed-width text table (mean +- sample std [min-max] over seeds)."""
    width = max([34] + [len(r["recipe"]) + 2 for r in rows])
    lines = [f"{'recipe':<{width}}{'modes covered':>22}{'all ' + str(n_modes):>7}{'high quality':>15}"
             f"{'modes near':>12}{'D updates':>11}{'s/run':>7}"]
    for r in rows:
        modes = f"{r['modes_mean']:.1f} +- {r['modes_std']:.1f} [{r['modes_min']}-{r['modes_max']}]"
        quality = f"{r['quality_mean']:.2f} +- {r['quality_std']:.2f}"
        lines.append(f"{r['recipe']:<{width}}{modes:>22}{str(r['all_modes_runs']) + '/' + str(r['seeds']):>7}"
                     f"{quality:>15}{r['near_modes_mean']:>12.1f}{r['d_updates']:>11}{r['seconds_mean']:>7.1f}")
    return "\n".join(lines)
