"""Lesson 02's mode-collapse experiments: the remedies, their fair comparison, and the verdicts.

- :mod:`.recipes`: :class:`Recipe` (one way to train lesson 01's 2-D GAN), ``REMEDIES``,
  :func:`train_2d`, :func:`ablation` (parallel over seeds), :func:`summarise`, :func:`format_table`;
- :mod:`.tuning`: every remedy at its own paper's settings with the same small tuning budget,
  and the recorded results of that tuning (:func:`recorded`, :func:`tuning_table`);
- :mod:`.digits`: the multi-scale generator (MSG-GAN) against lesson 01's DCGAN on digits,
  with the modes (digit classes) counted by the course's classifier.
"""

from .recipes import OBJECTIVES, REMEDIES, Recipe, Run2D, ablation, build, format_table, summarise, train_2d
from .digits import ARCHITECTURES, DIGIT_SETTINGS, DigitRun, build_digit_gan, score_as_dict, train_digit_gan
from .tuning import (GRID, best_label, control_for, format_tuning_table, grid, long_run_finals, progress, recorded,
                     tuning_table)

__all__ = ["ARCHITECTURES", "DIGIT_SETTINGS", "DigitRun", "GRID", "OBJECTIVES", "REMEDIES", "Recipe", "Run2D", "ablation",
           "best_label", "build", "build_digit_gan", "control_for", "format_table", "format_tuning_table", "grid",
           "long_run_finals", "progress", "recorded", "score_as_dict", "summarise", "train_2d", "train_digit_gan", "tuning_table"]
