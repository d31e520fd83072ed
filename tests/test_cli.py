import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vgan_course import cli


def test_doctor_reports_a_working_setup(capsys):
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "torch" in out and "moving digits: clips of shape (1, 16, 1, 32, 32)" in out and out.strip().endswith("ok")


def test_doctor_reports_a_bad_profile(capsys, monkeypatch):
    monkeypatch.setenv("VGAN_PROFILE", "turbo")
    assert cli.main(["doctor"]) == 1
    assert "ERROR: VGAN_PROFILE must be one of" in capsys.readouterr().out


def test_run_executes_a_notebook_headless(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint(os.environ['VGAN_PROFILE'])")]
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "done.ipynb"
    result = subprocess.run([sys.executable, "-m", "vgan_course.cli", "run", str(source), "--profile", "smoke", "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(out, as_version=4)
    assert executed.cells[0].outputs[0].text.strip() == "smoke"
    assert json.loads(source.read_text())["cells"][0]["outputs"] == []  # the source is untouched


def test_run_reports_a_missing_notebook(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vgan_course.cli", "run", str(tmp_path / "nope.ipynb")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no lesson at" in result.stderr and "Traceback" not in result.stderr


def test_run_checks_its_output_paths_before_running(tmp_path):
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), source)
    for out in ("/proc/x.ipynb", str(tmp_path / "a.txt" / "b.ipynb")):
        (tmp_path / "a.txt").write_text("a file, not a folder")
        result = subprocess.run([sys.executable, "-m", "vgan_course.cli", "run", str(source), "--out", out],
                                capture_output=True, text=True)
        assert result.returncode == 2 and "cannot write to" in result.stderr, result.stderr


def test_run_records_claims_of_several_seeds_and_keeps_going_past_a_failed_claim(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import os\nfrom vgan_course import claims\nseed = int(os.environ['VGAN_SEED'])\n"
        "claims.claim('99', 'seed is small', seed, at_most=0, assert_in_smoke=True)\n"
        "claims.record_table('99', 'seeds', [{'seed': seed}])")]
    source = tmp_path / "99_tiny.ipynb"
    nbformat.write(nb, source)
    record = tmp_path / "record.json"
    result = subprocess.run([sys.executable, "-m", "vgan_course.cli", "run", str(source), "--profile", "smoke",
                             "--seeds", "0", "1", "--jobs", "2", "--keep-going", "--record", str(record),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1  # seed 1 fails its claim
    runs = {r["seed"]: r for r in json.loads(record.read_text())}
    assert runs[0]["error"] is None and runs[0]["claims"][0]["holds"] and runs[0]["tables"]["seeds"] == [{"seed": 0}], result.stderr[-3000:]
    assert runs[1]["error"].startswith("claims failed: seed is small") and runs[1]["tables"]["seeds"] == [{"seed": 1}], result.stderr[-3000:]
    assert (tmp_path / "out" / "99_tiny-seed1.ipynb").exists()


def test_a_run_whose_claims_share_a_name_is_an_error():
    from vgan_course import claims, lesson_runs

    def made(name, holds=True):
        return claims.Claim("99", name, 1.0, 0.0, None, False, "cpu", 0, holds, True)

    assert lesson_runs.claim_problems([made("a"), made("b")]) is None
    assert lesson_runs.claim_problems([made("a"), made("b"), made("a")]) == "claims share a name (give each its own): a"
    assert lesson_runs.claim_problems([made("a", holds=False)]) == "claims failed: a"


def test_a_failed_run_is_reported_in_one_line_even_without_a_message():
    from vgan_course import lesson_runs

    assert lesson_runs.one_line(ValueError("first\nsecond")) == "ValueError: second"
    try:
        raise AssertionError  # what a bare `assert` raises outside pytest
    except AssertionError as error:
        assert lesson_runs.one_line(error).startswith("AssertionError (no message) at test_cli.py:")


def test_a_lesson_run_waits_for_the_kernel_in_short_polls():
    """A reply whose wake-up was lost is read at the next short poll; the cell's timeout still holds."""
    import asyncio
    import time
    from queue import Empty

    from vgan_course import lesson_runs

    class Channel:  # answers on the third poll; records how long each poll was allowed
        def __init__(self, answer_at: int):
            self.polls, self.answer_at = [], answer_at

        async def get_msg(self, timeout=None):
            self.polls.append(timeout)
            if len(self.polls) == self.answer_at:
                return {"msg_type": "execute_reply"}
            await asyncio.sleep(min(timeout, 0.01))
            raise Empty

    channel = Channel(answer_at=3)
    lesson_runs.wait_in_slices(channel, slice_seconds=0.05)
    assert asyncio.run(channel.get_msg(timeout=3600)) == {"msg_type": "execute_reply"}
    assert len(channel.polls) == 3 and max(channel.polls) <= 0.05
    silent = Channel(answer_at=10**9)
    lesson_runs.wait_in_slices(silent, slice_seconds=0.05)
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(silent.get_msg(timeout=0.2))
    assert 0.2 <= time.monotonic() - start < 1 and len(silent.polls) >= 4


def test_sync_writes_notebooks_from_twins(tmp_path):
    twin = tmp_path / "99_demo.py"
    twin.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 1\n")
    assert cli.sync_notebooks([tmp_path]) == [tmp_path / "99_demo.ipynb"]
    assert cli.sync_notebooks([tmp_path]) == []  # nothing changed, nothing written
    cells = nbformat.read(tmp_path / "99_demo.ipynb", as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code"] and cells[1].source == "x = 1"


def test_the_command_line_and_the_claims_import_no_torch():
    """`vgan-course sync`, a refused path and a lesson run's bookkeeping answer at once: importing
    PyTorch costs about 2 s of CPU, paid only by the commands that train or grade."""
    code = "import sys, vgan_course.cli, vgan_course.lesson_runs, vgan_course.claims; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
