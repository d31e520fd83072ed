"""Lesson 06's captioned world: held-out combinations, clips that do what their captions say, the
prompt grammar and its errors, and the sounds of section 4."""

import math

import pytest
import torch

from vgan_course import metrics
from vgan_course.data import captions


def test_held_out_combinations_leave_every_digit_and_motion_in_training():
    seen, held_out, every = (captions.combinations(s) for s in ("seen", "held-out", "all"))
    assert (len(seen), len(held_out), len(every)) == (30, 10, 40)
    assert not set(seen) & set(held_out) and set(seen) | set(held_out) == set(every)
    assert {d for d, _ in seen} == set(range(10)) and {m for _, m in seen} == set(captions.MOTIONS)
    assert {d for d, _ in held_out} == set(range(10))  # one held-out motion per digit
    with pytest.raises(ValueError, match="split must be one of"):
        captions.combinations("train")


@pytest.mark.parametrize("size", [32, 64])
def test_clips_move_as_their_captions_say(size):
    clips = captions.captioned_digits(64, "all", size=size, generator=torch.Generator().manual_seed(0))
    assert clips.video.shape == (64, 16, 1, size, size) and -1 <= clips.video.min() and clips.video.max() <= 1
    assert clips.tokens.shape == (64, captions.MAX_TOKENS) and len(clips.captions) == 64
    travel = clips.positions[:, -1, 0] - clips.positions[:, 0, 0]  # (n, 2) in pixels
    for caption, d, m, step in zip(clips.captions, clips.digits[:, 0], clips.motions[:, 0], travel):
        motion = captions.MOTIONS[int(m)]
        assert caption == f"digit {int(d)} moves {motion}"
        direction = torch.tensor(captions.DIRECTIONS[motion])
        speed = float(step @ direction) / 15 * 32 / size  # pixels per frame at 32 x 32
        assert captions.SPEED[0] - 1e-4 <= speed <= captions.SPEED[1] + 1e-4
        assert torch.allclose(step - (step @ direction) * direction, torch.zeros(2), atol=1e-4), "no sideways drift"
    half = size / 4
    assert clips.positions.min() >= half - 1e-4 and clips.positions.max() <= size - half + 1e-4, "digits stay whole"
    ink = metrics.centroids(clips.video)  # the frames show the digit where the positions say
    assert torch.allclose(ink[:, -1] - ink[:, 0], travel, atol=0.05 * size / 32)


def test_splits_draw_only_their_combinations_and_seeds_repeat():
    held = captions.captioned_digits(200, "held-out", generator=torch.Generator().manual_seed(1))
    pairs = {(int(d), captions.MOTIONS[int(m)]) for d, m in zip(held.digits[:, 0], held.motions[:, 0])}
    assert pairs <= captions.HELD_OUT and len(pairs) == 10
    again = captions.captioned_digits(200, "held-out", generator=torch.Generator().manual_seed(1))
    assert torch.equal(held.video, again.video) and held.captions == again.captions


def test_two_clause_captions_draw_both_digits():
    clips = captions.captioned_digits(8, clauses=2, generator=torch.Generator().manual_seed(2))
    assert clips.digits.shape == (8, 2) and clips.positions.shape == (8, 16, 2, 2)
    first = clips.captions[0].split(" and ")
    assert len(first) == 2 and first[1] == f"digit {int(clips.digits[0, 1])} moves {captions.MOTIONS[int(clips.motions[0, 1])]}"
    assert (clips.tokens[:, -1] != 0).all(), "two clauses fill all nine tokens"
    with pytest.raises(ValueError, match="clauses must be 1 or 2"):
        captions.captioned_digits(2, clauses=3)


def test_prompts_parse_and_tokenize():
    assert captions.parse_prompt("  Digit 3 moves LEFT. ") == [(3, "left")]
    assert captions.parse_prompt("digit 3 moves left, and digit 5 moves down") == [(3, "left"), (5, "down")]
    ids = captions.tokenize(["digit 3 moves left", "digit 3 moves left and digit 5 moves down"])
    assert ids.shape == (2, 9) and ids.dtype == torch.long
    words = [captions.VOCABULARY[i] for i in ids[1]]
    assert words == ["digit", "3", "moves", "left", "and", "digit", "5", "moves", "down"]
    assert ids[0, 4:].eq(0).all(), "one clause is padded with <pad> (0)"
    assert torch.equal(captions.tokenize("digit 3 moves left"), ids[:1])


@pytest.mark.parametrize("prompt, message", [
    ("digit 12 moves left", "a digit must be one of 0-9, got 12"),
    ("digit -1 moves up", "a digit must be one of 0-9"),
    ("digit 3 jumps left", "unknown word"),
    ("digit 3 moves <pad>", "unknown word"),
    ("moves digit 3 left", "does not follow the grammar"),
    ("digit 3 moves left and", "does not follow the grammar"),
    ("digit 3 moves left digit 4 moves up", "does not follow the grammar"),
    ("digit 1 moves up and digit 2 moves up and digit 3 moves up", "does not follow the grammar"),
    ("", "does not follow the grammar"),
])
def test_bad_prompts_get_one_error_that_lists_the_vocabulary(prompt, message):
    with pytest.raises(ValueError, match=message) as error:
        captions.tokenize(prompt)
    assert "the vocabulary is: digit, moves, and, the digits 0-9, and the motions left, right, up, down" in str(error.value)


def test_a_prompt_must_be_text():
    with pytest.raises(ValueError, match="a prompt must be a string, got int"):
        captions.parse_prompt(3)
    with pytest.raises(ValueError, match="at least one prompt"):
        captions.tokenize([])


def test_sounds_count_the_digit_in_beeps_at_the_motions_pitch():
    digits, motions = torch.tensor([0, 3, 9, 5]), torch.tensor([0, 1, 2, 3])
    sounds = captions.caption_sound(digits, motions, torch.Generator().manual_seed(0))
    assert sounds.shape == (4, captions.SAMPLE_RATE) and sounds.abs().max() <= 1
    window = round(0.01 * captions.SAMPLE_RATE)  # 10 ms of energy
    energy = sounds.pow(2).unfold(1, window, window).mean(dim=2)
    loud = energy > 0.05 * energy.max(dim=1, keepdim=True).values
    beeps = (loud[:, 1:] & ~loud[:, :-1]).sum(dim=1) + loud[:, 0].long()
    assert beeps.tolist() == (digits + 1).tolist()
    spectrum = torch.fft.rfft(sounds).abs()
    peak = spectrum.argmax(dim=1).float() * captions.SAMPLE_RATE / sounds.shape[1]
    for hz, m in zip(peak, motions):
        assert math.isclose(float(hz), captions.PITCH[captions.MOTIONS[int(m)]], rel_tol=0.04)
    with pytest.raises(ValueError, match="digits must lie in 0-9"):
        captions.caption_sound(torch.tensor([10]), torch.tensor([0]))
