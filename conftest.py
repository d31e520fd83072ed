"""Test-suite settings shared by the unit tests and the notebook runs (nbval).

Set before any kernel or worker starts, so every notebook runs in the ``smoke`` profile, with
one torch thread per pytest worker (two workers on two cores, not four threads fighting),
and with checkpoints in a fresh temporary folder (never a student's ``runs/``).
"""

import os
import tempfile

os.environ.setdefault("VGAN_PROFILE", "smoke")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("VGAN_RUNS", tempfile.mkdtemp(prefix="vgan-runs-"))
os.environ.setdefault("MPLBACKEND", "Agg")  # unit tests plot without a screen; kernels use inline

# The grading corpus holds deliberately broken and hostile notebooks: graded by
# tests/test_grading.py inside the grader's guard, never executed by nbval.
collect_ignore_glob = ["tests/grading_corpus/*", "tests/grading_corpus/*/*"]
