"""Each remedy at its own paper's settings, found with the same small tuning budget for all.

Lucic et al. (2018) and Kurach et al. (2019) showed that comparisons of GAN variants are
decided by how much each one was tuned: give every method the same budget, and report it. Here
every remedy of lesson 02, the plain GAN included, gets a grid of three settings: the shared
default (lesson 01's optimizer, Adam with learning rate 1e-3 and betas (0.5, 0.999), one D step
per G step, and the remedy at its usual strength), then its paper's setting and one more from
the same paper or around it. Every setting trains on the same seeds for the same number of G
steps. A remedy's **best** setting has the most modes covered on average (ties: the higher
high-quality fraction). Where a best setting takes more D steps per G step than the default,
its **control** is the plain GAN with the very same optimizer and D steps, so that the gain of
the remedy is not confused with the gain of training D more.

``benchmarks/mode_collapse_tuning.py`` runs the grid and writes every setting and every seed to
``vgan_course/recorded/02_tuning.json``; :func:`recorded` reads it back (the lesson does, on Colab
too), :func:`tuning_table` and :func:`format_tuning_table` turn it into the lesson's table, and
:func:`long_run_finals` reads its long runs (sections 6.5 and 6.6 of the lesson).
"""

from __future__ import annotations

import json
import statistics
from importlib import resources

from .recipes import REMEDIES, Recipe

# Optimizer settings from the papers (Adam for both players; d_steps: D steps per G step)
DCGAN = dict(lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999))  # Radford et al. 2016; setting C of Miyato et al. 2018
SN_GAN = dict(lr_g=2e-4, lr_d=2e-4, betas=(0.0, 0.9), d_steps=5)  # Miyato et al. 2018, hinge-loss experiments
WGAN_GP = dict(lr_g=1e-4, lr_d=1e-4, betas=(0.0, 0.9), d_steps=5)  # Gulrajani et al. 2017, Algorithm 1
WGAN_GP_TOY = dict(lr_g=1e-4, lr_d=1e-4, betas=(0.5, 0.9), d_steps=5)  # their released code for 2-D data
R1_CODE = dict(lr_g=1e-4, lr_d=1e-4, betas=(0.0, 0.99))  # Mescheder et al. 2018's RMSProp, as Adam with beta1 = 0
PGGAN = dict(lr_g=1e-3, lr_d=1e-3, betas=(0.0, 0.99))  # Karras et al. 2018
SAGAN = dict(lr_g=1e-4, lr_d=4e-4, betas=(0.0, 0.9))  # Zhang et al. 2019's two time-scale setting

# remedy -> its grid: (label, changes to the remedy's default recipe); the first is the shared default
GRID = {
    "plain GAN": [("shared default", {}), ("DCGAN's Adam", DCGAN), ("SN-GAN's Adam, 5 D steps", SN_GAN)],
    "L2 weight decay": [("shared default, 1e-4", {}), ("1e-5", dict(weight_decay=1e-5)),
                        ("1e-3", dict(weight_decay=1e-3))],
    "L1 penalty": [("shared default, 1e-4", {}), ("1e-5", dict(l1_weight=1e-5)), ("1e-3", dict(l1_weight=1e-3))],
    "two time-scale (TTUR)": [("shared default, G 2.5e-4 / D 1e-3", {}), ("G 1e-4 / D 3e-4", dict(lr_g=1e-4, lr_d=3e-4)),
                              ("SAGAN's, G 1e-4 / D 4e-4, betas (0, 0.9)", SAGAN)],
    "spectral norm + hinge": [("shared default", {}), ("DCGAN's Adam (Miyato's setting C)", DCGAN),
                              ("SN-GAN's Adam, 5 D steps", SN_GAN)],
    "WGAN-GP": [("shared default, lambda 10, 1 critic step", {}), ("the paper's: 5 critic steps, lambda 10", WGAN_GP),
                ("the 2-D code's: 5 critic steps, lambda 0.1", {**WGAN_GP_TOY, "gradient_penalty": 0.1})],
    "R1 penalty": [("shared default, gamma 10", {}), ("gamma 1", dict(r1_gamma=1.0)),
                   ("the paper's code: lr 1e-4, betas (0, 0.99), gamma 10", R1_CODE)],
    "minibatch std": [("shared default", {}), ("DCGAN's Adam", DCGAN), ("PGGAN's Adam (1e-3, betas (0, 0.99))", PGGAN)],
}
OPTIMIZER_FIELDS = ("lr_g", "lr_d", "betas", "d_steps")


def grid() -> dict[str, list[tuple[str, Recipe]]]:
    """remedy -> [(label, recipe)], the recipes named ``"remedy: label"``, the shared default first."""
    defaults = {recipe.name: recipe for recipe in REMEDIES}
    return {remedy: [(label, defaults[remedy].variant(f"{remedy}: {label}", **changes)) for label, changes in settings]
            for remedy, settings in GRID.items()}


def control_for(recipe: Recipe) -> Recipe | None:
    """The plain GAN with ``recipe``'s optimizer and D steps: the control of a setting that changes them
    besides adding its remedy. ``None`` where they are the shared default's, or where they are the whole remedy (TTUR)."""
    optimizer = {name: getattr(recipe, name) for name in OPTIMIZER_FIELDS}
    plain = Recipe("plain GAN", **optimizer)
    if plain == Recipe("plain GAN") or set(recipe.changes()) <= set(OPTIMIZER_FIELDS):
        return None
    return plain.variant(f"control: plain GAN with the optimizer of {recipe.name}")


def recorded(name: str = "02_tuning.json") -> dict:
    """The tuning results the benchmark recorded, shipped inside the package (so Colab has them)."""
    text = resources.files("vgan_course").joinpath("recorded", name).read_text(encoding="utf-8")
    return json.loads(text)


def progress(record: dict) -> dict[str, tuple[int, int]]:
    """remedy -> (runs recorded, runs its grid needs: settings x seeds). The benchmark resumes where it stopped,
    so a record can be partial; only the remedies with every run recorded enter :func:`tuning_table`."""
    runs, seeds = record["grid"]["runs"], record["grid"]["seeds"]
    return {remedy: (sum(r["remedy"] == remedy and r["seed"] in seeds for r in runs), len(settings) * len(seeds))
            for remedy, settings in GRID.items()}


def _summary(runs: list[dict]) -> dict:
    modes = [r["modes_covered"] for r in runs]
    return {"seeds": len(runs), "modes_mean": statistics.mean(modes), "modes_min": min(modes), "modes_max": max(modes),
            "all_modes_runs": sum(m == runs[0]["n_modes"] for m in modes),
            "quality_mean": statistics.mean(r["high_quality"] for r in runs),
            "near_mean": statistics.mean(r["modes_near"] for r in runs),
            "d_updates": runs[0]["d_updates"], "seconds_mean": statistics.mean(r["seconds"] for r in runs)}


def best_label(runs: list[dict], remedy: str) -> str:
    """The label of ``remedy``'s best setting in ``runs``: most modes covered on average, then the higher quality."""
    labels = list(dict.fromkeys(r["label"] for r in runs if r["remedy"] == remedy))
    if not labels:
        raise ValueError(f"no recorded runs of {remedy!r}; recorded remedies: {sorted({r['remedy'] for r in runs})}")
    summaries = {label: _summary([r for r in runs if r["remedy"] == remedy and r["label"] == label]) for label in labels}
    return max(labels, key=lambda label: (summaries[label]["modes_mean"], summaries[label]["quality_mean"]))


def tuning_table(record: dict) -> list[dict]:
    """Per remedy whose grid is fully recorded: its shared default, its best setting and, where the best setting
    changes the optimizer or the D steps, the control (plain GAN) if recorded."""
    runs, controls, rows = record["grid"]["runs"], record["grid"].get("controls", []), []
    for remedy in [remedy for remedy, (done, needed) in progress(record).items() if done >= needed]:
        default = GRID[remedy][0][0]
        best = best_label(runs, remedy)
        for which, label in [("default", default)] + ([("best", best)] if best != default else []):
            mine = [r for r in runs if r["remedy"] == remedy and r["label"] == label]
            rows.append({"remedy": remedy, "row": which if which == "default" else "best", "setting": label,
                         **_summary(mine)})
        control = [r for r in controls if r["for"] == f"{remedy}: {best}"]
        if control:
            rows.append({"remedy": remedy, "row": "control", "setting": "plain GAN, the same optimizer and D steps",
                         **_summary(control)})
    return rows


def long_run_finals(record: dict, section: str) -> dict[str, dict[int, int]]:
    """run name -> {seed: what it covers at the end} from a long-run section of the record: modes of
    the ring for ``"longer"``, digit classes (its last snapshot) for ``"digits"``; ``{}`` if not recorded."""
    if section not in ("longer", "digits"):
        raise ValueError(f"section must be 'longer' or 'digits', got {section!r}")
    finals: dict[str, dict[int, int]] = {}
    for run in record.get(section, {}).get("runs", []):
        end = run["modes_covered"] if section == "longer" else run["snapshots"][-1]["classes_covered"]
        finals.setdefault(run["name"], {})[run["seed"]] = end
    return finals


def format_tuning_table(rows: list[dict]) -> str:
    """The tuning table as fixed-width text: mean [min-max] modes over seeds, quality, cost."""
    lines = [f"{'remedy':<23}{'row':<9}{'setting':<52}{'modes':>13}{'all 8':>7}{'quality':>9}{'D updates':>11}{'s/run':>7}"]
    for r in rows:
        modes = f"{r['modes_mean']:.1f} [{r['modes_min']}-{r['modes_max']}]"
        lines.append(f"{r['remedy']:<23}{r['row']:<9}{r['setting'][:51]:<52}{modes:>13}"
                     f"{str(r['all_modes_runs']) + '/' + str(r['seeds']):>7}{r['quality_mean']:>9.2f}"
                     f"{r['d_updates']:>11}{r['seconds_mean']:>7.0f}")
    return "\n".join(lines)
