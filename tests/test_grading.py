"""Assignments and grading: release is reproducible, the corpus grades exactly as expected."""

import csv
import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from vgan_course.grading import assignment, grader

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "grading_corpus" / "01"
EXPECTED = json.loads((ROOT / "tests" / "grading_corpus" / "01_expected.json").read_text())
LIMITS = grader.Limits(seconds=45, cell_seconds=6, memory_mb=2048, output_mb=5, jobs=2)


@pytest.mark.parametrize("solution", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_assignments_are_what_release_writes_now(solution):
    released = nbformat.writes(assignment.release(assignment.load(solution))) + "\n"
    committed = ROOT / "assignments" / solution.name
    assert committed.exists(), f"run `vgan-course release` to create {committed.relative_to(ROOT)}"
    assert committed.read_text() == released, f"{committed.name} differs from its solution: run `vgan-course release`"


def test_release_removes_solutions_and_hidden_tests():
    task = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
    student = assignment.release(task)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "probe(" not in text.replace("import probe", "")
    assert text.count("raise NotImplementedError()") == 5 and "YOUR ANSWER HERE" in text
    checks = [c for c in student.cells if assignment.meta(c).get("grade_id", "").endswith("_check")]
    assert len(checks) == 5 and all("raises-exception" in c.metadata.get("tags", []) for c in checks)
    assert [p.grade_id for p in task.parts] == ["d_loss_tests", "g_loss_tests", "train_step_tests", "up_block_tests",
                                                "modes_tests", "written_modes"]
    assert (task.auto_points, task.manual_points) == (11, 2)


def test_solution_metadata_errors_are_clear(tmp_path):
    nb = nbformat.read(ROOT / "solutions" / "01_gan_basics.ipynb", as_version=4)
    test_cell = next(c for c in nb.cells if assignment.meta(c).get("grade_id") == "d_loss_tests")
    del test_cell.metadata["nbgrader"]["points"]
    nbformat.write(nb, tmp_path / "01_broken.ipynb")
    with pytest.raises(ValueError, match="graded cell 'd_loss_tests' has no points"):
        assignment.load(tmp_path / "01_broken.ipynb")
    with pytest.raises(ValueError, match="expected one notebook 07"):
        assignment.find_solution("07", ROOT / "solutions")


def test_compare_says_expected_and_got():
    import torch

    assert grader.compare(torch.ones(3), torch.ones(3) + 1e-7) is None
    assert grader.compare(torch.ones(3), torch.ones(2)) == "expected shape (3,), got (2,)"
    assert grader.compare(torch.tensor(1.5), torch.tensor(2.0)) == "expected 1.5, got 2"
    assert grader.compare(torch.tensor(float("inf")), torch.tensor(float("inf"))) is None
    assert grader.compare(torch.tensor(float("nan")), torch.tensor(1.0)) is not None
    assert grader.compare((1, 2), [1, 3]) == "item 1: expected 2, got 3"
    assert grader.compare(3, True) == "expected a number, got True"
    assert grader.compare(["Conv"], ["Conv", "ReLU"]).startswith("expected 1 items")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the whole corpus once (both cores), checking that no file is touched."""
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in CORPUS.rglob("*") if p.is_file()}
    solution = ROOT / "solutions" / "01_gan_basics.ipynb"
    solution_hash = hashlib.sha256(solution.read_bytes()).hexdigest()
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    results = grader.grade_folder(CORPUS, assignment.load(solution), out, limits=LIMITS)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in CORPUS.rglob("*") if p.is_file()}
    assert after == before, "grading modified a submission"
    assert hashlib.sha256(solution.read_bytes()).hexdigest() == solution_hash, "a submission changed the solution"
    return {r.student: r for r in results}, out


def test_every_submission_gets_a_row(graded):
    results, out = graded
    assert set(results) == set(EXPECTED)
    rows = list(csv.DictReader(out.open()))
    assert [r["student"] for r in rows] == sorted(EXPECTED)
    assert all(r["written_modes"] == "pending" and r["max_auto"] == "11" for r in rows)
    assert (out.parent / "feedback" / "correct.md").exists()


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_corpus_grades_exactly_as_expected(graded, student):
    result = graded[0][student]
    expected = EXPECTED[student]
    got = {part: points for part, points in result.points.items() if points is not None}
    assert got == pytest.approx(expected["points"], abs=0.01), f"{student}: {result.reasons}"
    reasons = " | ".join(result.reasons)
    for word in expected["reason_words"]:
        assert word in reasons, f"{student}: expected {word!r} in the reasons, got: {reasons}"
    if sum(expected["points"].values()) < 11:
        assert reasons, f"{student} lost points without a reason"


def test_hostile_submissions_gain_nothing(graded):
    results = graded[0]
    for student in ("redefines_checks", "fake_results", "reads_solutions"):
        assert results[student].total == 0, f"{student}: {results[student].reasons}"


def test_feedback_shows_the_written_answer_for_hand_grading(graded):
    feedback = "\n".join(graded[0]["correct"].feedback)
    assert "written_modes (graded by hand, 2 points): pending" in feedback and "> The generator is rewarded" in feedback


def test_regrading_gives_the_same_csv(graded, tmp_path):
    subset = tmp_path / "subset"
    subset.mkdir()
    for name in ("correct.ipynb", "bias_in_block.ipynb", "empty.ipynb"):
        (subset / name).write_bytes((CORPUS / name).read_bytes())
    task = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    grader.grade_folder(subset, task, first, limits=LIMITS)
    grader.grade_folder(subset, task, second, limits=LIMITS)
    rows = {r["student"]: r for r in csv.DictReader(first.open())}
    assert first.read_text() == second.read_text()
    assert rows["correct"]["total"] == "11" and rows["bias_in_block"]["total"] == "10.5"
    assert rows["bias_in_block"]["total"] == str(graded[0]["bias_in_block"].total).rstrip("0").rstrip(".")


def test_grade_command_errors(tmp_path, capsys):
    from vgan_course import cli

    assert cli.main(["grade", str(tmp_path), "--assignment", "01", "--solutions", str(ROOT / "solutions")]) == 1
    assert "is empty" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path / "nope"), "--assignment", "01", "--solutions", str(ROOT / "solutions")]) == 1
    assert "not a folder" in capsys.readouterr().err


def test_a_fresh_assignment_fails_only_with_not_implemented_error():
    """What a student sees before writing anything: each check stops at NotImplementedError."""
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "assignments" / "01_gan_basics.ipynb", as_version=4)
    NotebookClient(nb, allow_errors=True, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(ROOT / "assignments")}}).execute()
    errors = {c.metadata.get("nbgrader", {}).get("grade_id"): o["ename"]
              for c in nb.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "error"}
    assert errors == {f"{part}_check": "NotImplementedError" for part in ("d_loss", "g_loss", "train_step", "up_block", "modes")}


def test_the_guard_refuses_protected_reads_outside_writes_and_programs(tmp_path):
    import subprocess
    import sys

    secret, work = tmp_path / "secret", tmp_path / "work"
    secret.mkdir()
    work.mkdir()
    (secret / "answers.txt").write_text("42")
    script = f"""
from vgan_course.grading import guard
guard.install({str(work)!r}, [{str(secret)!r}])
import os, subprocess
def refused(action):
    try:
        action()
    except guard.GuardError as error:
        return True
    return False
print(refused(lambda: open({str(secret / 'answers.txt')!r}).read()),
      refused(lambda: os.listdir({str(secret)!r})),
      refused(lambda: open({str(tmp_path / 'outside.txt')!r}, 'w')),
      refused(lambda: subprocess.run(['true'])),
      refused(lambda: open({str(work / 'mine.txt')!r}, 'w').write('ok')),
      refused(lambda: open(os.__file__).read(100)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=work)
    assert out.stdout.split() == ["True", "True", "True", "True", "False", "False"], out.stderr
