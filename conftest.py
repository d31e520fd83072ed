"""Test-suite settings shared by the unit tests and the notebook runs (nbval).

Set before any kernel or worker starts, so every notebook runs in the ``smoke`` profile, with
one torch thread per pytest worker (two workers on two cores, not four threads fighting),
and with checkpoints in a fresh temporary folder (never a student's ``runs/``).
"""

import os
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


def pytest_collection_modifyitems(items):
    """Keep together what must run in one worker (``--dist loadgroup``, see the Makefile): a notebook's
    cells, a test file's module-scoped fixtures; but grade each assignment's corpus apart, so that
    the grading tests, the slowest file, spread over the workers."""
    for item in items:
        group = str(item.path)
        number = getattr(item, "callspec", None) and item.callspec.params.get("number")
        graded = [name for name in getattr(item, "fixturenames", ()) if name.startswith("graded")]
        if item.path.name == "test_grading.py" and (number or graded):
            group = f"grading {number or (graded[0].removeprefix('graded').lstrip('_') or '01')}"
        item.add_marker(pytest.mark.xdist_group(group))
