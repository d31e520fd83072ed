"""The instructor's files: the gradebook keeps hand grades and notes, generated files are not
overwritten once edited, the student tree holds no solution. No submission runs here."""

import csv
import json
from pathlib import Path

import nbformat
import pytest

from vgan_course import cli
from vgan_course.grading import assignment, generated, gradebook, student_tree
from vgan_course.grading.grader import Result, not_graded

ROOT = Path(__file__).resolve().parents[1]
TASK = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
FULL = {"d_loss_tests": 2.0, "g_loss_tests": 2.0, "train_step_tests": 3.0, "up_block_tests": 2.0, "modes_tests": 2.0}


def results() -> list[Result]:
    """Three rows as the grader makes them: full marks, one lost point, a file that is not a notebook."""
    alice = Result("alice", {**FULL, "written_modes": None}, "graded", written={"written_modes": "Mode collapse."})
    bob = Result("bob", {**FULL, "up_block_tests": 1.5, "written_modes": None}, "graded",
                 ["up_block_tests: parameter count: expected 8224, got 8240"],
                 lost={"up_block_tests": ["parameter count: expected 8224, got 8240"]}, written={"written_modes": ""})
    return [alice, bob, not_graded("carol", TASK, "empty file")]


def write(tmp_path: Path, rows: list[Result] | None = None, force: bool = False) -> Path:
    (tmp_path / "submissions").mkdir(exist_ok=True)
    out = tmp_path / "grades.csv"
    rows = rows or results()
    book = gradebook.Gradebook.open(out, tmp_path / "feedback", TASK, tmp_path / "submissions",
                                    [r.student for r in rows], force)
    book.write(rows)
    return out


def read(out: Path) -> dict[str, dict]:
    return {r["student"]: r for r in csv.DictReader(out.open())}


def edit(out: Path, student: str, **values) -> None:
    rows = read(out)
    rows[student].update(values)
    header = list(next(iter(rows.values())))
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows.values())


def test_the_gradebook_has_a_row_and_a_feedback_file_per_student(tmp_path):
    out = write(tmp_path)
    rows = read(out)
    assert [rows[s]["total"] for s in ("alice", "bob", "carol")] == ["11", "10.5", "0"]
    assert rows["alice"]["written_modes"] == "pending" and rows["carol"]["status"] == "empty file"
    bob = (tmp_path / "feedback" / "bob.md").read_text()
    assert "### up_block_tests: 1.5 / 2" in bob and "- parameter count: expected 8224, got 8240" in bob
    assert "**Not graded:** empty file." in (tmp_path / "feedback" / "carol.md").read_text()
    assert json.loads(gradebook.record_path(out).read_text())["rows"]["bob"]["up_block_tests"] == "1.5"
    assert not list(tmp_path.rglob("*.tmp"))  # written through temporary files, then renamed


def test_regrading_keeps_hand_points_own_columns_notes_and_absent_students(tmp_path):
    out = write(tmp_path)
    edit(out, "alice", written_modes="1.5")
    with open(out) as f:  # the instructor adds a column of their own, and a student who handed in late
        lines = f.read().splitlines()
    lines = [lines[0] + ",late"] + [line + ",yes" if line.startswith("bob") else line + "," for line in lines[1:]]
    lines.append("dave,2,2,3,2,2,2,13,11,2,graded,,")
    out.write_text("\n".join(lines) + "\n")
    record = json.loads(gradebook.record_path(out).read_text())
    record["rows"]["dave"] = {c: v for c, v in zip(next(csv.reader([lines[0]])), next(csv.reader([lines[-1]])))
                              if c in ("d_loss_tests", "g_loss_tests", "train_step_tests", "up_block_tests",
                                       "modes_tests", "max_auto", "max_manual", "status", "reasons")}
    gradebook.record_path(out).write_text(json.dumps(record))
    notes = tmp_path / "feedback" / "alice.md"
    notes.write_text(notes.read_text() + "See me about the second paragraph.\n")
    write(tmp_path)
    rows = read(out)
    assert rows["alice"]["written_modes"] == "1.5" and rows["alice"]["total"] == "12.5"
    assert rows["bob"]["late"] == "yes" and rows["dave"]["total"] == "13"  # dave was not re-graded: kept
    text = notes.read_text()
    assert "(graded by hand, 2 points): 1.5" in text and "+ 1.5 / 2 graded by hand" in text
    assert text.endswith("See me about the second paragraph.\n")


def test_regrading_refuses_to_overwrite_edited_grades_unless_forced(tmp_path):
    out = write(tmp_path)
    edit(out, "bob", up_block_tests="2")
    with pytest.raises(gradebook.GradebookError, match=r"bob, up_block_tests: '2' where the grader wrote '1.5'"):
        write(tmp_path)
    write(tmp_path, force=True)
    assert read(out)["bob"]["up_block_tests"] == "1.5"
    assert read(Path(f"{out}.bak"))["bob"]["up_block_tests"] == "2"  # the hand edit is kept aside


def test_regrading_refuses_an_edited_feedback_file_unless_forced(tmp_path):
    write(tmp_path)
    feedback = tmp_path / "feedback" / "bob.md"
    feedback.write_text(feedback.read_text().replace("1.5 / 2", "2 / 2"))
    with pytest.raises(gradebook.GradebookError, match="bob.md was edited above its notes line"):
        write(tmp_path)
    write(tmp_path, force=True)
    assert "1.5 / 2" in feedback.read_text() and "2 / 2" in Path(f"{feedback}.bak").read_text()


@pytest.mark.parametrize("value", ["abc", "3", "-1"])
def test_a_bad_hand_grade_is_named(tmp_path, value):
    out = write(tmp_path)
    edit(out, "alice", written_modes=value)
    with pytest.raises(gradebook.GradebookError, match=f"alice, written_modes: '{value}' is not a number of points "
                                                       "from 0 to 2, nor 'pending'"):
        write(tmp_path, force=True)


def test_a_csv_that_is_not_this_gradebook_is_refused(tmp_path):
    (tmp_path / "grades.csv").write_text("name,score\nalice,3\n")
    with pytest.raises(gradebook.GradebookError, match="no 'student' column"):
        write(tmp_path)
    (tmp_path / "grades.csv").write_text("student,score\nalice,3\n")
    with pytest.raises(gradebook.GradebookError, match="grades.record.json does not"):
        write(tmp_path)


@pytest.fixture()
def one_submission(tmp_path, monkeypatch) -> Path:
    """A folder holding one submission; the test fails if any notebook runs."""
    from vgan_course.grading import grader

    def no_grading(*args, **kwargs):
        raise AssertionError("grading started before the command line was checked")

    monkeypatch.setattr(grader, "reference_values", no_grading)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "alice.ipynb").write_text("{}")
    return submissions


def refusal(capsys, submissions: Path, *flags: str) -> str:
    """``grade`` with ``flags`` exits 1 with one line on stderr; returns that line."""
    code = cli.main(["grade", str(submissions), "--assignment", "01", "--solutions", str(ROOT / "solutions"), *flags])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1, err
    return err


def test_bad_paths_are_refused_before_grading(tmp_path, capsys, one_submission):
    (tmp_path / "a_file").write_text("")
    cases = {"is a folder": ["--out", str(tmp_path)],
             "does not exist": ["--out", str(tmp_path / "missing" / "grades.csv")],
             "inside the submissions folder": ["--out", str(one_submission / "grades.csv")],
             "is not a folder": ["--out", str(tmp_path / "grades.csv"), "--feedback", str(tmp_path / "a_file")]}
    for words, flags in cases.items():
        assert words in refusal(capsys, one_submission, *flags)


@pytest.mark.parametrize("flags, words", [(["--timeout", "-5"], "--timeout must be at least 1 s"),
                                           (["--timeout", "nan"], "--timeout must be"),
                                           (["--cell-timeout", "0"], "--cell-timeout must be at least 1 s"),
                                           (["--memory-mb", "10"], "--memory-mb must be at least 1024 MB"),
                                           (["--scratch-mb", "0"], "--scratch-mb must be at least 16 MB"),
                                           (["--jobs", "0"], "--jobs must be at least 1")])
def test_impossible_limits_are_refused_before_grading(tmp_path, capsys, one_submission, flags, words):
    """Not blamed on the solution: no run starts, the message names the flag and the value given."""
    err = refusal(capsys, one_submission, "--out", str(tmp_path / "grades.csv"), *flags)
    assert words in err and flags[1] in err and "solution" not in err
    assert not (tmp_path / "grades.csv").exists()


@pytest.mark.parametrize("args, words", [(["sync", "nosuch"], "nosuch: expected py:percent twins"),
                                          (["release", "99"], "expected one notebook 99*.ipynb"),
                                          (["release", "--solutions", "notebooks"], "has no graded cells"),
                                          (["release", "01", "--out", "/proc/x"], "cannot write to /proc/x"),
                                          (["release", "--student-dir", "/proc/x"], "cannot write /proc/x")])
def test_release_and_sync_mistakes_are_one_line(args, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the default --solutions; a mistaken release must not write assignments/ here
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "assignments").iterdir()}
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert {p: p.stat().st_mtime_ns for p in (ROOT / "assignments").iterdir()} == before


def stamped_assignment(tmp_path: Path) -> Path:
    target = tmp_path / "01_gan_basics.ipynb"
    target.write_text(assignment.released_text(TASK))
    return target


def test_release_refuses_to_overwrite_an_edited_assignment_unless_forced(tmp_path, capsys):
    target = stamped_assignment(tmp_path)
    args = ["release", "01", "--solutions", str(ROOT / "solutions"), "--out", str(tmp_path)]
    assert cli.main(args) == 0 and "(unchanged)" in capsys.readouterr().out
    nb = nbformat.read(target, as_version=4)
    nb.cells[0].source += "\nA typo fixed by hand."
    nbformat.write(nb, target)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "01_gan_basics.ipynb was edited since generated" in err and err.count("\n") == 1
    assert "A typo fixed by hand." in target.read_text()  # nothing was written
    assert cli.main([*args, "--force"]) == 0 and target.read_text() == assignment.released_text(TASK)


def test_sync_stamps_notebooks_and_refuses_to_overwrite_an_edited_one(tmp_path, capsys):
    twin = tmp_path / "99_demo.py"
    twin.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 1\n")
    notebook = tmp_path / "99_demo.ipynb"
    assert cli.main(["sync", str(tmp_path)]) == 0
    stamp = json.loads(notebook.read_text())["metadata"]["vgan_course"]["generated"]
    assert stamp["by"] == "vgan-course sync from 99_demo.py" and not generated.edited(notebook, notebook.read_text())
    twin.write_text(twin.read_text().replace("x = 1", "x = 2"))
    assert cli.main(["sync", str(tmp_path)]) == 0 and '"x = 2"' in notebook.read_text()  # unedited: regenerated
    nb = json.loads(notebook.read_text())
    nb["cells"][1]["source"] = "x = 3  # edited in Jupyter"
    notebook.write_text(json.dumps(nb))
    twin.write_text(twin.read_text().replace("x = 2", "x = 4"))
    capsys.readouterr()
    assert cli.main(["sync", str(tmp_path)]) == 1 and "edited since generated" in capsys.readouterr().err
    assert "edited in Jupyter" in notebook.read_text()
    assert cli.main(["sync", str(tmp_path), "--force"]) == 0 and '"x = 4"' in notebook.read_text()


def test_an_unstamped_notebook_is_replaced_only_if_it_differs_by_the_stamp(tmp_path):
    import jupytext

    twin = tmp_path / "99_demo.py"
    twin.write_text("# %%\nx = 1\n")
    notebook = tmp_path / "99_demo.ipynb"
    nb = jupytext.read(twin)
    nb.cells[0].id = "cell-000"
    notebook.write_text(jupytext.writes(nb, fmt="ipynb"))  # as sync wrote it before stamps existed
    assert cli.sync_notebooks([tmp_path]) == [notebook]
    nb.cells[0].source = "x = 5"
    notebook.write_text(jupytext.writes(nb, fmt="ipynb"))
    with pytest.raises(generated.EditedError):
        cli.sync_notebooks([tmp_path])


def test_the_student_tree_holds_the_course_and_no_solution(tmp_path, capsys):
    out = tmp_path / "student"
    assert cli.main(["release", "--student-dir", str(out), "--solutions", str(ROOT / "solutions")]) == 0
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"README.md", "pyproject.toml", "notebooks/01_gan_basics.ipynb", "assignments/05_video_restoration.ipynb",
            "vgan_course/checkpoints/manifest.json", "vgan_course/grading/child.py"} <= files
    assert not any(f.split("/")[0] in ("solutions", "tests", "benchmarks", ".git", ".ci") for f in files)
    for name in files:
        if name.endswith((".ipynb", ".py")) and not name.startswith("vgan_course/grading/"):
            text = (out / name).read_text()
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, name
    assert (out / "assignments" / "01_gan_basics.ipynb").read_text() == assignment.released_text(TASK)
    manifest = json.loads((out / "vgan_course" / "checkpoints" / "manifest.json").read_text())
    assert all((out / "vgan_course" / "checkpoints" / f"{name}.pt").exists() for name in manifest)
    readme = out / "README.md"
    readme.write_text(readme.read_text() + "\nOffice hours: Tuesday.\n")
    assert cli.main(["release", "--student-dir", str(out), "--solutions", str(ROOT / "solutions")]) == 1
    assert "README.md was edited since generated" in capsys.readouterr().err
    stray = tmp_path / "elsewhere"
    stray.mkdir()
    (stray / "thesis.tex").write_text("mine")
    assert cli.main(["release", "--student-dir", str(stray), "--solutions", str(ROOT / "solutions")]) == 1
    assert "is not empty" in capsys.readouterr().err and (stray / "thesis.tex").read_text() == "mine"


def test_student_tree_files_are_listed_without_writing(tmp_path):
    files = student_tree.student_files(ROOT / "solutions")
    assert "assignments/01_gan_basics.ipynb" in files and not any(name.startswith("solutions/") for name in files)
