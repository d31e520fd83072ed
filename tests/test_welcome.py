"""Lesson 00's syllabus follows the lessons present, and its "Try it" check fails a wrong answer."""

import re
from pathlib import Path

import jupytext
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
WELCOME = ROOT / "notebooks" / "00_welcome.py"


def test_syllabus_marks_coming_exactly_the_lessons_not_in_the_repository():
    present = {p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py")}
    rows = re.findall(r"^# \| (\d\d) \| ([^|]+) \|", WELCOME.read_text(), re.M)
    assert {number for number, _ in rows} >= present, "every lesson present has a row in the syllabus"
    for number, name in rows:
        assert ("(coming)" in name) == (number not in present), \
            f"lesson {number} ({name.strip()}): '(coming)' iff notebooks/{number}_*.py does not exist"


def _check_cell() -> str:
    return next(c.source for c in jupytext.read(WELCOME).cells if c.source.startswith("# check: a frozen clip"))


def _run_check(frame_difference) -> None:
    exec(_check_cell(), {"torch": torch, "frame_difference": frame_difference})


def test_try_it_is_left_to_the_student_and_its_check_tells_right_from_wrong(capsys):
    lesson = jupytext.read(WELCOME)
    given = next(c.source for c in lesson.cells if c.source.startswith("def frame_difference("))
    assert "raise NotImplementedError" in given, "the body of frame_difference is the student's to write"
    namespace = {"torch": torch}
    exec(given, namespace)
    _run_check(namespace["frame_difference"])
    assert "not written yet" in capsys.readouterr().out
    _run_check(lambda v: (v[:, 1:] - v[:, :-1]).abs().mean(dim=(1, 2, 3, 4)))
    assert "Success!" in capsys.readouterr().out
    for wrong in (lambda v: (v[:, 1:] - v[:, :-1]).mean(dim=(1, 2, 3, 4)),  # no absolute value
                  lambda v: (v[:, 1:] - v[:, :-1]).abs().mean(),  # one number for the whole batch
                  lambda v: v.abs().mean(dim=(1, 2, 3, 4))):  # no difference at all
        with pytest.raises(AssertionError):
            _run_check(wrong)
