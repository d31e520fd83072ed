"""Lesson 06's prompt reader: right on real captioned clips, at chance with shuffled captions,
"unclear" on clips that do not move, and the same at 64 x 64."""

import pytest
import torch
import torch.nn.functional as F

from vgan_course import metrics
from vgan_course.data import captions
from vgan_course.metrics import prompts


def real(n=160, split="all", size=32, seed=0):
    return captions.captioned_digits(n, split, size=size, digit_split="test", generator=torch.Generator().manual_seed(seed))


def test_the_shipped_reader_is_right_on_real_clips_and_at_chance_with_shuffled_captions():
    clips = real()
    right = prompts.prompt_accuracy(clips.video, clips.digits, clips.motions)
    assert right["digit"] >= 0.97 and right["motion"] == 1.0 and right["both"] >= 0.97
    order = torch.randperm(len(clips), generator=torch.Generator().manual_seed(1))
    shuffled = prompts.prompt_accuracy(clips.video, clips.digits[order], clips.motions[order])
    assert shuffled["digit"] < 0.25 and shuffled["motion"] < 0.45 and shuffled["both"] < 0.1


def test_motion_reader_follows_its_rule():
    clips = real(64)
    assert torch.equal(prompts.read_motions(clips.video), clips.motions[:, 0])
    assert (prompts.read_motions(metrics.frozen(clips.video)) == -1).all(), "a still digit has no motion"
    slanted = torch.zeros(1, 16, 1, 32, 32) - 1
    for t in range(16):
        slanted[0, t, 0, 4 + t, 4 + t] = 1.0  # one bright pixel moving diagonally, 45 degrees
    assert prompts.read_motions(slanted).item() == -1


def test_reader_works_at_64_pixels():
    clips = real(32, size=64)
    assert torch.equal(prompts.read_motions(clips.video), clips.motions[:, 0])
    assert (prompts.read_digits(clips.video) == clips.digits[:, 0]).float().mean() >= 0.9


def test_reader_refuses_what_it_cannot_read():
    with pytest.raises(ValueError, match=r"clips must be \(n, time, 1, 32, 32\) or \(n, time, 1, 64, 64\)"):
        prompts.read_digits(torch.zeros(2, 16, 1, 48, 48))
    with pytest.raises(ValueError, match="need at least 8 frames"):
        prompts.read_motions(torch.zeros(2, 4, 1, 32, 32))
    with pytest.raises(ValueError, match="one digit and one motion per clip"):
        prompts.prompt_accuracy(torch.zeros(2, 16, 1, 32, 32), torch.zeros(3), torch.zeros(2))
    with pytest.raises(ValueError, match="must lie in"):
        prompts.read_digits(torch.full((2, 16, 1, 32, 32), 2.0))


def test_classifier_reads_a_digit_wherever_it_is():
    clips = real(64)
    shifted = torch.roll(F.pad(clips.video[:, 0], (4, 4, 4, 4), value=-1), shifts=(3, -2), dims=(-2, -1))[..., 4:-4, 4:-4]
    logits = prompts.moving_digit_classifier()(shifted)
    assert (logits.argmax(1) == clips.digits[:, 0]).float().mean() >= 0.9
