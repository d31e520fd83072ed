"""Every CLI mistake is one line on stderr and a non-zero exit, found before any long work (issue 25).

The commands run in this process (``cli.main``), so each case takes a fraction of a second; one
case runs the installed entry point to check the exit status the shell sees.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import torch

from vgan_course import cli, lesson_runs, profiles

REPO = Path(__file__).resolve().parents[1]
UNWRITABLE = "/proc/vgan-course-test"  # not even root can create files in /proc

MISTAKES = {
    "sync a missing path": (["sync", "nosuch"], r"nosuch: expected py:percent twins \(NAME\.py\) or folders of them"),
    "sync a notebook": (["sync", str(REPO / "notebooks" / "00_welcome.ipynb")], r"00_welcome.ipynb: expected py:percent twins"),
    "release an unknown assignment": (["release", "99", "--solutions", str(REPO / "solutions")],
                                      r"assignment '99': expected one notebook 99\*\.ipynb"),
    "release lessons as solutions": (["release", "--solutions", str(REPO / "notebooks")],
                                     r"00_welcome.ipynb has no graded cells"),
    "release to an unwritable folder": (["release", "01", "--solutions", str(REPO / "solutions"), "--out", UNWRITABLE],
                                        r"cannot write to /proc/vgan-course-test \(for assignments \(--out\)\)"),
    "release from a missing folder": (["release", "--solutions", "nosuch"], r"--solutions nosuch is not a folder"),
    "run to an unwritable notebook": (["run", str(REPO / "notebooks" / "00_welcome.ipynb"), "--out", UNWRITABLE + ".ipynb"],
                                      r"cannot write to /proc \(for the executed notebooks \(--out\)\)"),
    "run with unwritable checkpoints": (["run", str(REPO / "notebooks" / "00_welcome.ipynb"), "--runs", UNWRITABLE],
                                        r"cannot write to /proc/vgan-course-test \(for checkpoints \(--runs\)\)"),
    "run a missing lesson": (["run", "nosuch.ipynb"], r"no lesson at nosuch.ipynb"),
    "run with no jobs": (["run", str(REPO / "notebooks" / "00_welcome.py"), "--jobs", "0"], r"--jobs must be at least 1, got 0"),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_a_mistake_is_one_line_on_stderr(case, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, pattern = MISTAKES[case]
    started = time.perf_counter()
    code = cli.main(argv)
    seconds = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code != 0, f"{case}: exit status 0"
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"vgan-course {argv[0]}: ")
    assert re.search(pattern, err), err
    assert seconds < 20, f"{case}: {seconds:.0f} s before the mistake was reported"
    assert not any(tmp_path.iterdir()), f"{case}: something was written"


def test_the_shell_sees_the_exit_status(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vgan_course.cli", "sync", str(tmp_path / "nosuch")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0 and result.stderr.count("\n") == 1 and "expected py:percent twins" in result.stderr


def test_doctor_tells_the_truth_about_the_device(capsys, monkeypatch):
    wanted = "cuda:99" if torch.cuda.is_available() else "cuda"  # a device this machine does not have
    monkeypatch.setenv("VGAN_DEVICE", wanted)
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"device        ERROR: VGAN_DEVICE={wanted!r}" in out and not out.strip().endswith("ok"), out
    monkeypatch.setenv("VGAN_DEVICE", "cpu")  # the control: a device it has
    assert cli.main(["doctor"]) == 0
    assert "device        cpu (VGAN_DEVICE='cpu'): a tensor was made on it" in capsys.readouterr().out


@pytest.mark.parametrize("value, message", [
    ("gpu0", r"VGAN_DEVICE='gpu0' is not a device name"),
    ("cuda:99", r"VGAN_DEVICE='cuda:99' (asks for CUDA|is not usable)"),
])
def test_a_device_it_cannot_use_is_refused_before_training(monkeypatch, value, message):
    monkeypatch.setenv("VGAN_DEVICE", value)
    with pytest.raises(ValueError, match=message):
        profiles.settings(smoke={}, cpu={}, gpu={})


@pytest.mark.parametrize("value, message", [
    ("", r"VGAN_RUNS is set but empty"),
    ("  ", r"VGAN_RUNS is set but empty"),
    (UNWRITABLE, r"cannot write to /proc/vgan-course-test \(for checkpoints \(VGAN_RUNS\)\): /proc is not a writable folder"),
])
def test_the_runs_folder_is_checked_at_the_start(monkeypatch, capsys, value, message):
    monkeypatch.setenv("VGAN_RUNS", value)
    with pytest.raises(ValueError, match=message):
        profiles.run_dir("01_gan_basics")
    assert cli.main(["doctor"]) == 1
    assert "runs          ERROR: " in capsys.readouterr().out


def test_the_runs_folder_control(monkeypatch, tmp_path):
    monkeypatch.setenv("VGAN_RUNS", str(tmp_path / "new" / "runs"))  # not there yet, but can be made
    monkeypatch.setenv("VGAN_SEED", "0")
    assert profiles.run_dir("01_gan_basics") == tmp_path / "new" / "runs" / "01_gan_basics" / f"{profiles.current_profile()}-seed0"
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_an_executed_notebook_that_cannot_be_saved_is_kept_elsewhere(tmp_path):
    """The run is not lost: when ``--out`` fails after the run, the copy goes to a temporary file, named."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('ran')")]
    with pytest.raises(OSError, match=r"cannot write the executed notebook to .*; it was saved to (\S+\.ipynb)") as error:
        lesson_runs._save_executed(nb, Path(UNWRITABLE) / "done.ipynb")
    kept = Path(str(error.value).rsplit("saved to ", 1)[1])
    assert nbformat.read(kept, as_version=4).cells[0].source == "print('ran')"
    kept.unlink()
