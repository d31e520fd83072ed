"""Assignments and grading: release is reproducible, the corpus grades exactly as expected.

The corpus is built at test time from the released assignments (``make_grading_corpus.py``),
into a temporary folder; the cases that attack or break the grader are graded in the sandbox,
two submissions at once, the wrong answers in this process (:func:`grade_corpus`).
"""

import csv
import hashlib
import json
import shutil
import signal
import warnings
from pathlib import Path

import nbformat
import pytest
from make_grading_corpus import build_corpus, expected_path, expected_text

from vgan_course.grading import assignment, channel, child, compare, grader, runner
from vgan_course.grading.runner import Limits

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = {"01": "01_gan_basics", "02": "02_adversarial_objective", "03": "03_temporal_generators",
               "04": "04_video_style_transfer", "05": "05_video_restoration", "06": "06_controllable_clips"}
GRADED = {"01": "graded", "02": "graded_02", "03": "graded_03", "04": "graded_04",
          "05": "graded_05", "06": "graded_06"}  # the fixture that grades each corpus
EXPECTED_BY = {n: json.loads(expected_path(n).read_text()) for n in ASSIGNMENTS}
LIMITS = Limits(seconds=240, cell_seconds=3, memory_mb=2048, output_mb=5, scratch_mb=64, jobs=2)  # cells: CPU time; a busy machine only slows the wall clock


@pytest.mark.parametrize("solution", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_assignments_are_what_release_writes_now(solution):
    released = assignment.released_text(assignment.load(solution))
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


def test_assignment_02_has_the_parts_the_lesson_grades():
    task = assignment.load(ROOT / "solutions" / "02_adversarial_objective.ipynb")
    assert [(p.grade_id, p.answer_names) for p in task.parts] == [
        ("ns_losses_tests", ["nonsaturating_losses"]), ("hinge_losses_tests", ["hinge_losses"]),
        ("gp_tests", ["gradient_penalty"]), ("r1_tests", ["r1_penalty"]), ("written_ablation", [])]
    assert (task.auto_points, task.manual_points) == (9, 2)


def test_assignment_03_has_the_parts_the_lesson_grades():
    task = assignment.load(ROOT / "solutions" / "03_temporal_generators.ipynb")
    assert [(p.grade_id, p.answer_names) for p in task.parts] == [
        ("motion_tests", ["motion_codes", "mocogan_latents"]), ("block_tests", ["Conv2Plus1d", "conv2plus1d_parameters"]),
        ("frames_tests", ["sample_frames"]), ("fd_tests", ["frechet_distance"]), ("written_results", [])]
    assert (task.auto_points, task.manual_points) == (11, 2)


def solution_namespace(name: str) -> dict:
    """What the solution's set-up and answer cells define (run here, without the checks)."""
    task = assignment.load(ROOT / "solutions" / f"{name}.ipynb")
    ns: dict = {}
    for c in task.notebook.cells:
        if c.cell_type == "code" and (assignment.meta(c).get("grade_id") == "setup" or assignment.meta(c).get("solution")):
            exec(c.source, ns)
    return ns


def test_solution_03_agrees_with_the_package():
    """The grader's expected values come from the solution: it must agree with the package the lesson uses."""
    import torch

    from vgan_course.metrics import frechet_distance as package_fd
    from vgan_course.models import video

    ns = solution_namespace("03_temporal_generators")
    torch.manual_seed(0)
    model = video.MoCoGANGenerator(content_dim=6, motion_dim=5).eval()
    content, noise = torch.randn(3, 6), torch.randn(3, 7, 5)
    with torch.no_grad():
        codes = ns["motion_codes"](model.gru, noise)
        assert torch.allclose(codes, model.motion_codes(noise))
        frames = model.image(ns["mocogan_latents"](content, codes).flatten(0, 1)).unflatten(0, (3, 7))
        assert torch.allclose(frames, model(content, noise), atol=1e-6)
        for stride in (1, 2):
            reference = video.Conv2Plus1d(3, 4, time_stride=stride)
            block = ns["Conv2Plus1d"](3, 4, time_stride=stride)
            block.load_state_dict(reference.state_dict())
            x = torch.randn(2, 3, 8, 8, 8)
            assert torch.allclose(block(x), reference(x), atol=1e-6)
            assert ns["conv2plus1d_parameters"](3, 4) == sum(p.numel() for p in reference.parameters())
    clips = torch.randn(4, 6, 1, 5, 5)
    assert torch.equal(ns["sample_frames"](clips, 3, torch.Generator().manual_seed(1)),
                       video.sample_frames(clips, 3, torch.Generator().manual_seed(1)))
    real, fake = torch.randn(200, 6) @ torch.randn(6, 6), torch.randn(150, 6) @ torch.randn(6, 6) + 0.5
    assert ns["frechet_distance"](real, fake) == pytest.approx(package_fd(real, fake), rel=1e-9)


def test_assignment_04_has_the_parts_the_lesson_grades():
    task = assignment.load(ROOT / "solutions" / "04_video_style_transfer.ipynb")
    assert [(p.grade_id, p.answer_names, p.points) for p in task.parts] == [
        ("warp_tests", ["warp"], 3), ("temporal_tests", ["temporal_loss"], 3), ("cycle_tests", ["cycle_consistency_loss"], 2),
        ("recycle_tests", ["recycle_loss"], 3), ("written_results", [], 2)]
    assert (task.auto_points, task.manual_points) == (11, 2)


def test_solution_04_agrees_with_the_package():
    """The grader's expected values come from the solution: it must agree with the package lesson 04 trains with."""
    import torch

    from vgan_course import data, losses, models

    ns = solution_namespace("04_video_style_transfer")
    torch.manual_seed(0)
    clips = data.two_style_clips(3, 3, 16, generator=torch.Generator().manual_seed(0))
    frame_t, frame_next, flow, visible = clips.styled[:, 0], clips.styled[:, 1], clips.flow[:, 0], clips.visible[:, 0]
    assert torch.allclose(ns["warp"](frame_next, flow), data.warp(frame_next, flow), atol=1e-5)
    random_flow = 3 * torch.randn(3, 2, 16, 16)
    assert torch.allclose(ns["warp"](frame_next, random_flow), data.warp(frame_next, random_flow), atol=1e-5)
    assert ns["temporal_loss"](frame_t, frame_next, flow, visible) == pytest.approx(
        losses.temporal_loss(frame_t, frame_next, flow, visible).item(), rel=1e-5, abs=1e-7)
    assert ns["cycle_consistency_loss"](clips.plain, clips.styled) == pytest.approx(
        losses.cycle_consistency_loss(clips.plain, clips.styled).item(), rel=1e-6)
    G_ab, G_ba, P_b = models.ResnetGenerator(3, 3, 4), models.ResnetGenerator(3, 3, 4), models.FramePredictor(3, 2, 4)
    with torch.no_grad():  # the recycle term exactly as style_transfer.style_transfer_step builds it
        fake_b = G_ab(clips.plain.flatten(0, 1)).unflatten(0, clips.plain.shape[:2])
        expected = losses.recycle_loss(clips.plain[:, 2], G_ba(P_b(fake_b[:, :2])))
        assert ns["recycle_loss"](clips.plain, G_ab, G_ba, P_b) == pytest.approx(expected.item(), rel=1e-5)


def test_assignment_05_has_the_parts_the_lesson_grades():
    task = assignment.load(ROOT / "solutions" / "05_video_restoration.ipynb")
    assert [(p.grade_id, p.answer_names, p.points) for p in task.parts] == [
        ("psnr_tests", ["psnr"], 2), ("upsampler_tests", ["PixelShuffleUpsampler"], 3),
        ("ping_pong_tests", ["ping_pong_sequence", "ping_pong_loss"], 3),
        ("srgan_loss_tests", ["adversarial_restoration_loss"], 3), ("written_tradeoff", [], 2)]
    assert (task.auto_points, task.manual_points) == (11, 2)


def test_solution_05_agrees_with_the_package():
    """The grader's expected values come from the solution: it must agree with the package lesson 05 trains with."""
    import torch

    from vgan_course import losses, metrics, models

    ns = solution_namespace("05_video_restoration")
    torch.manual_seed(0)
    clean = torch.rand(2, 4, 3, 8, 8) * 2 - 1  # clips, scored frame by frame as the lesson does
    noisy = (clean + 0.2 * torch.rand(2, 4, 1, 1, 1) * torch.randn_like(clean)).clamp(-1, 1)
    assert ns["psnr"](noisy.flatten(0, 1), clean.flatten(0, 1)) == pytest.approx(metrics.psnr(noisy, clean), abs=1e-4)
    for factor in (1, 2, 4):
        reference = models.PixelShuffleUpsampler(3, factor)
        mine = ns["PixelShuffleUpsampler"](3, factor)
        mine.load_state_dict(reference.state_dict())
        x = torch.rand(2, 3, 5, 6) * 2 - 1
        assert torch.allclose(mine(x), reference(x), atol=1e-6)
    with pytest.raises(ValueError):
        ns["PixelShuffleUpsampler"](3, 3)
    low = torch.rand(2, 5, 1, 4, 4)
    assert torch.equal(ns["ping_pong_sequence"](low), losses.ping_pong_sequence(low))
    outputs = torch.randn(2, 9, 1, 8, 8)
    assert ns["ping_pong_loss"](outputs).item() == pytest.approx(losses.ping_pong_loss(outputs).item(), rel=1e-6)
    for bad in (torch.zeros(2, 1, 3, 4, 4), torch.zeros(3, 4)):
        with pytest.raises(ValueError):
            ns["ping_pong_sequence"](bad)
    for bad in (torch.zeros(2, 4, 3, 4, 4), torch.zeros(2, 1, 3)):
        with pytest.raises(ValueError):
            ns["ping_pong_loss"](bad)
    output, target, logits = torch.rand(3, 1, 8, 8) * 2 - 1, torch.rand(3, 1, 8, 8) * 2 - 1, 4 * torch.randn(3)
    for weight in (0.0, 1e-3, 0.5):  # as restoration's training step calls it (1-D logits: one per frame)
        assert ns["adversarial_restoration_loss"](output, target, logits, weight).item() == pytest.approx(
            losses.adversarial_restoration_loss(output, target, logits, weight).item(), rel=1e-6)


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

    assert compare.compare(torch.ones(3), torch.ones(3) + 1e-7) is None
    assert compare.compare(torch.ones(3), torch.ones(2)) == "expected shape (3,), got (2,)"
    assert compare.compare(torch.tensor(1.5), torch.tensor(2.0)) == "expected 1.5, got 2"
    assert compare.compare(torch.tensor(float("inf")), torch.tensor(float("inf"))) is None
    assert compare.compare(torch.tensor(float("nan")), torch.tensor(1.0)) is not None
    assert compare.compare((1, 2), [1, 3]) == "item 1: expected 2, got 3"
    assert compare.compare(3, True) == "expected a number, got True"
    assert compare.compare(["Conv"], ["Conv", "ReLU"]).startswith("expected 1 items")


@pytest.fixture(scope="session")
def corpora(tmp_path_factory) -> dict[str, Path]:
    """Every assignment's corpus, built from the released assignments into a temporary folder."""
    root = tmp_path_factory.mktemp("corpora")
    built = {number: build_corpus(number, root / number) for number in ASSIGNMENTS}
    for number, expected in built.items():
        assert expected_text(expected) == expected_path(number).read_text(), (
            f"{expected_path(number).name} is not what make_grading_corpus.py defines: run it")
    return {number: root / number for number in ASSIGNMENTS}


def test_the_committed_expected_grades_are_the_corpus_spec(corpora):
    assert sorted(corpora) == sorted(ASSIGNMENTS)  # the fixture compared each NN_expected.json


# What a submission does to the grader's process or files (crashes, exits, endless loops, floods of
# output, the channel, the solution, a bad file) is graded in the sandbox: assignment 01's corpus
# holds every such case. The later corpora send only `correct`, `reads_solutions` (which could read
# the solution anywhere else) and `not_a_notebook` (refused before anything runs) there. Every other
# case (a wrong formula, a missing check, a blank answer, a syntax error, a moved cell, and after 01
# an endless loop, which the cell's CPU limit stops here too) is graded by the same code with the
# child's loop run in this process, which saves starting Python and importing torch for each case
# (about 2.5 s of CPU). `correct` is graded both ways, as a control.
IN_THE_SANDBOX_01 = {"correct", "reads_solutions", "infinite_loop", "not_a_notebook",
                     "edits_solutions", "empty", "endless_swallowing_loop", "fake_results", "folder_student",
                     "huge_output", "invalid_json", "kernel_crash", "not_nbformat", "os_exit", "redefines_checks",
                     "sys_exit"}
IN_THE_SANDBOX_LATER = {"correct", "reads_solutions", "not_a_notebook"}


def in_the_sandbox(number: str) -> set[str]:
    """The cases of assignment ``number``'s corpus that are graded in the sandbox."""
    return IN_THE_SANDBOX_01 if number == "01" else IN_THE_SANDBOX_LATER


def run_here(cells: list[dict], limits: Limits, sandboxed: bool = False, private=()) -> runner.Run:
    """:func:`runner.run_cells` for our own trusted cases: :func:`child.run` in this process."""
    sent: list[bytes] = []

    class Collect:
        def send(self, kind, **fields):
            sent.append(channel.pack(kind, **fields))

    previous = signal.getsignal(signal.SIGPROF)
    try:
        with warnings.catch_warnings():  # what a wrong answer makes PyTorch say is for its grade, not for pytest
            warnings.simplefilter("ignore")
            child.run({"cells": cells, "cell_seconds": limits.cell_seconds}, Collect())
    finally:
        signal.signal(signal.SIGPROF, previous)
    records, intact = channel.unpack(b"".join(sent))
    return runner.Run(records, 0, False, False, garbled=not intact)


def grade_corpus(number: str, corpora: dict, tmp_path_factory, request):
    """Grade one assignment's corpus, checking that no file is touched: the cases of
    :func:`in_the_sandbox` in the sandbox (two at once), the others here, one by one."""
    request.getfixturevalue("sandbox_available")
    corpus = corpora[number]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus.rglob("*") if p.is_file()}
    solution = ROOT / "solutions" / f"{ASSIGNMENTS[number]}.ipynb"
    solution_hash = hashlib.sha256(solution.read_bytes()).hexdigest()
    task = assignment.load(solution)
    folder = tmp_path_factory.mktemp(f"grades{number}")
    sandboxed = folder / "submissions"
    sandboxed.mkdir()
    for path in corpus.iterdir():
        if grader.student_id(path) in in_the_sandbox(number):
            (shutil.copytree if path.is_dir() else shutil.copy)(path, sandboxed / path.name)
    out = folder / "grades.csv"
    results = {r.student: r for r in grader.grade_folder(sandboxed, task, out, limits=LIMITS)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grader, "run_cells", run_here)
        patch.setenv("VGAN_SEED", "0")
        patch.chdir(tmp_path_factory.mktemp(f"home{number}"))
        reference = grader.reference_values(task, LIMITS, False, [])
        for path in sorted(corpus.iterdir()):
            student = grader.student_id(path)
            if student not in in_the_sandbox(number) or student == "correct":
                results[student + (" (here)" if student == "correct" else "")] = grader.grade_one(
                    student, path, task, reference, LIMITS, sandboxed=False)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus.rglob("*") if p.is_file()}
    assert after == before, "grading modified a submission"
    assert hashlib.sha256(solution.read_bytes()).hexdigest() == solution_hash, "a submission changed the solution"
    return results, out


@pytest.fixture(scope="module")
def graded(corpora, tmp_path_factory, request):
    return grade_corpus("01", corpora, tmp_path_factory, request)


@pytest.fixture(scope="module")
def graded_02(corpora, tmp_path_factory, request):
    return grade_corpus("02", corpora, tmp_path_factory, request)


@pytest.fixture(scope="module")
def graded_03(corpora, tmp_path_factory, request):
    return grade_corpus("03", corpora, tmp_path_factory, request)


@pytest.fixture(scope="module")
def graded_04(corpora, tmp_path_factory, request):
    return grade_corpus("04", corpora, tmp_path_factory, request)


@pytest.fixture(scope="module")
def graded_05(corpora, tmp_path_factory, request):
    return grade_corpus("05", corpora, tmp_path_factory, request)


@pytest.fixture(scope="module")
def graded_06(corpora, tmp_path_factory, request):
    return grade_corpus("06", corpora, tmp_path_factory, request)


@pytest.mark.parametrize("number, written, max_auto", [("01", "written_modes", "11"), ("02", "written_ablation", "9"),
                                                         ("03", "written_results", "11"), ("04", "written_results", "11"),
                                                         ("05", "written_tradeoff", "11"),
                                                         ("06", "written_detection", "11")])
def test_every_submission_gets_a_row(request, number, written, max_auto):
    results, out = request.getfixturevalue(GRADED[number])
    assert set(results) == set(EXPECTED_BY[number]) | {"correct (here)"}
    rows = list(csv.DictReader(out.open()))
    assert [r["student"] for r in rows] == sorted(set(EXPECTED_BY[number]) & in_the_sandbox(number))
    assert all(r[written] == "pending" and r["max_auto"] == max_auto for r in rows)
    assert (out.parent / "feedback" / "correct.md").exists()


@pytest.mark.parametrize("number, student", [(n, s) for n in ASSIGNMENTS for s in [*sorted(EXPECTED_BY[n]), "correct (here)"]])
def test_corpus_grades_exactly_as_expected(request, number, student):
    result = request.getfixturevalue(GRADED[number])[0][student]
    expected = EXPECTED_BY[number][student.removesuffix(" (here)")]
    got = {part: points for part, points in result.points.items() if points is not None}
    assert got == pytest.approx(expected["points"], abs=0.01), f"{student}: {result.reasons}"
    reasons = " | ".join(result.reasons)
    for word in expected["reason_words"]:
        assert word in reasons, f"{student}: expected {word!r} in the reasons, got: {reasons}"
    full = sum(EXPECTED_BY[number]["correct"]["points"].values())
    if sum(expected["points"].values()) < full:
        assert reasons, f"{student} lost points without a reason"


@pytest.mark.parametrize("number", ASSIGNMENTS)
def test_hostile_submissions_gain_nothing(request, number):
    results = request.getfixturevalue(GRADED[number])[0]
    hostile = ("redefines_checks", "fake_results", "reads_solutions") if number == "01" else ("reads_solutions",)
    for student in hostile:
        assert results[student].total == 0, f"{student}: {results[student].reasons}"


@pytest.mark.parametrize("number", ["01"])  # scheduled with assignment 01's corpus (conftest.py)
def test_feedback_shows_the_written_answer_for_hand_grading(number, graded):
    feedback = (graded[1].parent / "feedback" / "correct.md").read_text()
    assert "written_modes (graded by hand, 2 points): pending" in feedback and "> The generator is rewarded" in feedback


@pytest.mark.parametrize("number", ["01"])  # scheduled with assignment 01's corpus (conftest.py)
def test_regrading_keeps_hand_grades_and_notes(number, graded, corpora, tmp_path):  # graded: sandbox_available
    subset = tmp_path / "subset"
    subset.mkdir()
    for name in ("correct.ipynb", "bias_in_block.ipynb", "empty.ipynb"):
        (subset / name).write_bytes((corpora["01"] / name).read_bytes())
    task = assignment.load(ROOT / "solutions" / "01_gan_basics.ipynb")
    out = tmp_path / "grades.csv"
    grader.grade_folder(subset, task, out, limits=LIMITS)
    first = {r["student"]: r for r in csv.DictReader(out.open())}
    assert first["correct"]["total"] == "11" and first["bias_in_block"]["total"] == "10.5"
    assert first["bias_in_block"]["total"] == f"{graded[0]['bias_in_block'].total:g}"
    first["correct"]["written_modes"] = "1.5"  # the instructor grades by hand, and writes a note
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, list(first["correct"]))
        writer.writeheader()
        writer.writerows(first.values())
    note = tmp_path / "feedback" / "correct.md"
    note.write_text(note.read_text() + "Well argued; cite the seeds next time.\n")
    grader.grade_folder(subset, task, out, limits=LIMITS)
    second = {r["student"]: r for r in csv.DictReader(out.open())}
    assert second["correct"]["written_modes"] == "1.5" and second["correct"]["total"] == "12.5"
    assert second["bias_in_block"] == first["bias_in_block"] and second["empty"] == first["empty"]
    feedback = note.read_text()
    assert "(graded by hand, 2 points): 1.5" in feedback and feedback.endswith("cite the seeds next time.\n")


def test_grade_command_errors(tmp_path, capsys):
    from vgan_course import cli

    assert cli.main(["grade", str(tmp_path), "--assignment", "01", "--solutions", str(ROOT / "solutions")]) == 1
    assert "is empty" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path / "nope"), "--assignment", "01", "--solutions", str(ROOT / "solutions")]) == 1
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("number, parts", [("01", ("d_loss", "g_loss", "train_step", "up_block", "modes")),
                                           ("02", ("ns_losses", "hinge_losses", "gp", "r1")),
                                           ("03", ("motion", "block", "frames", "fd")),
                                           ("04", ("warp", "temporal", "cycle", "recycle")),
                                           ("05", ("psnr", "upsampler", "ping_pong", "srgan_loss")),
                                           ("06", ("tokenizer", "projection", "matching", "motion", "spectrum"))])
def test_a_fresh_assignment_fails_only_with_not_implemented_error(number, parts):
    """What a student sees before writing anything: each check stops at NotImplementedError."""
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "assignments" / f"{ASSIGNMENTS[number]}.ipynb", as_version=4)
    NotebookClient(nb, allow_errors=True, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(ROOT / "assignments")}}).execute()
    errors = {c.metadata.get("nbgrader", {}).get("grade_id"): o["ename"]
              for c in nb.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "error"}
    assert errors == {f"{part}_check": "NotImplementedError" for part in parts}
