"""Assignment 06: the grader's expected values come from the solution, so the solution must agree
with the package that lesson 06 uses, on inputs the check cells do not use."""

from pathlib import Path

import pytest
import torch

from vgan_course import models
from vgan_course.methods import controllable_clips
from vgan_course.data import captions
from vgan_course.grading import assignment
from vgan_course.metrics import detection, prompts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solution():
    """What the solution's set-up and answer cells define (run here, without the checks)."""
    task = assignment.load(ROOT / "solutions" / "06_controllable_clips.ipynb")
    ns: dict = {}
    for cell in task.notebook.cells:
        meta = assignment.meta(cell)
        if cell.cell_type == "code" and (meta.get("grade_id") == "setup" or meta.get("solution")):
            exec(cell.source, ns)
    return ns


def test_assignment_06_has_the_parts_the_lesson_grades():
    task = assignment.load(ROOT / "solutions" / "06_controllable_clips.ipynb")
    assert [(p.grade_id, p.answer_names) for p in task.parts] == [
        ("tokenizer_tests", ["tokenize"]), ("projection_tests", ["projection_logit"]),
        ("matching_tests", ["matching_aware_loss"]), ("motion_tests", ["read_motion"]),
        ("spectrum_tests", ["spectrum_profile"]), ("written_detection", [])]
    assert (task.auto_points, task.manual_points) == (11, 2)


def test_solution_vocabulary_is_the_package_one(solution):
    assert solution["VOCABULARY"] == captions.VOCABULARY and solution["MOTIONS"] == captions.MOTIONS


def test_solution_tokenizer_agrees_with_the_package(solution):
    for d, m in captions.combinations("all"):
        prompt = captions.caption_text((d, m))
        assert torch.equal(solution["tokenize"](prompt), captions.tokenize(prompt)[0])
    two = "digit 8 moves up and digit 1 moves left"
    assert torch.equal(solution["tokenize"](two), captions.tokenize(two)[0])
    for bad in ("digit 3 moves", "digit 3 moves left and digit", "digit ten moves up", "digit 3 moves left digit 4 moves up"):
        with pytest.raises(ValueError):
            captions.tokenize(bad)
        with pytest.raises(ValueError, match="vocabulary"):
            solution["tokenize"](bad)


def test_solution_projection_and_loss_agree_with_the_package(solution):
    torch.manual_seed(0)
    head = models.ProjectionHead(5, 3)
    features, condition = torch.randn(4, 5, 3, 4, 4), torch.randn(4, 3)
    assert torch.allclose(solution["projection_logit"](features, condition, head.psi, head.project),
                          head(features, condition), atol=1e-5)
    logits = torch.randn(3, 8) * 4
    for w in (0.0, 0.3, 0.5, 1.0):
        assert torch.isclose(solution["matching_aware_loss"](*logits, w), controllable_clips.matching_aware_loss(*logits, w))


def test_solution_readers_agree_with_the_package(solution):
    clips = captions.captioned_digits(48, "all", generator=torch.Generator().manual_seed(7)).video
    noisy = (clips + 0.3 * torch.randn(clips.shape, generator=torch.Generator().manual_seed(8))).clamp(-1, 1)
    for video in (clips, noisy, clips[:, :8]):
        assert torch.equal(solution["read_motion"](video), prompts.read_motions(video))
    frames = torch.rand(6, 1, 32, 32) * 2 - 1
    assert torch.allclose(solution["spectrum_profile"](frames), detection.spectrum_profile(frames), atol=1e-5)
    odd = torch.rand(2, 3, 17, 17) * 2 - 1
    assert torch.allclose(solution["spectrum_profile"](odd), detection.spectrum_profile(odd), atol=1e-5)
