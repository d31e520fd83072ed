"""Test-suite settings shared by the unit tests and the notebook runs (nbval).

Set before any kernel or worker starts, so every notebook runs in the ``smoke`` profile, with
one torch thread per pytest worker (two workers on two cores, not four threads fighting),
and with checkpoints in a fresh temporary folder (never a student's ``runs/``).
"""

import os
import re
import tempfile

import pytest

os.environ.setdefault("VGAN_PROFILE", "smoke")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("VGAN_RUNS", tempfile.mkdtemp(prefix="vgan-runs-"))
os.environ.setdefault("MPLBACKEND", "Agg")  # unit tests plot without a screen; kernels use inline

# The grading corpus is built at test time into a temporary folder; should one be written here
# (tests/make_grading_corpus.py --out tests/grading_corpus), its deliberately broken and hostile
# notebooks are graded in the sandbox by tests/test_grading.py, never executed by nbval.
collect_ignore_glob = ["tests/grading_corpus/*", "tests/grading_corpus/*/*"]


@pytest.fixture(scope="session")
def sandbox_available():
    """For tests that grade in the sandbox: skipped where bubblewrap cannot start one (say why),
    unless VGAN_REQUIRE_SANDBOX=1 (CI sets it: there, a missing sandbox is a failure)."""
    from vgan_course.grading import sandbox

    try:
        return sandbox.check()
    except sandbox.SandboxUnavailable as error:
        if os.environ.get("VGAN_REQUIRE_SANDBOX") == "1":
            raise
        pytest.skip(f"grading cannot be sandboxed here: {error}")


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` (the Makefile's), but the grading corpora one assignment at a time: every
    test file and notebook still runs whole in one worker, while tests/test_grading.py, the slowest
    file, spreads its assignments (tests named ``...[0N...]``) over the workers."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class GradingCorporaApart(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            number = re.search(r"::[^\[]*\[(0\d)", nodeid) if scope.endswith("test_grading.py") else None
            return f"{scope}::{number.group(1)}" if number else scope

    return GradingCorporaApart(config, log)
