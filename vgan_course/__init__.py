"""vgan-course: the helper package of a course on GANs for short video.

Modules, by concern (each lesson imports what it needs):

- :mod:`~vgan_course.profiles`: smoke/cpu/gpu settings, seeds, device, measured claims;
- :mod:`~vgan_course.data`: synthetic worlds (2-D mixtures, digits, moving digits and shapes);
- :mod:`~vgan_course.models`: generators and discriminators, by family;
- :mod:`~vgan_course.losses`: adversarial objectives and penalties;
- :mod:`~vgan_course.train`: the adversarial training loop and checkpoints;
- :mod:`~vgan_course.mode_collapse`: lesson 02's mode-collapse recipes, their tuning with equal budgets,
  and the multi-scale generator on digits;
- :mod:`~vgan_course.metrics`: mode coverage, digit classifier scores;
- :mod:`~vgan_course.viz`: grids, film-strips, inline video, GIF/MP4 export;
- :mod:`~vgan_course.cli`: the ``vgan-course`` command.

Videos are ``(batch, time, channels, height, width)`` floats in [-1, 1] everywhere.
"""

__version__ = "0.1.0"
