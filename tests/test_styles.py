"""The two-style world of lesson 04: paired truth, exact flow and occlusion that agree with the pixels."""

import torch
import torch.nn.functional as F

from vgan_course import data
from vgan_course.data.styles import two_style_clips


def footprint(clips):
    """Ink of each frame ``(B, T, 1, H, W)`` in [0, 1], dilated by one pixel (fill and outline)."""
    ink = (clips.plain[:, :, :1] + 1) / 2
    return F.max_pool2d(ink.flatten(0, 1), 3, 1, 1).unflatten(0, ink.shape[:2]), ink


def masked_warping_error(video, flow, visible):
    """Mean |frame_t - warp(frame_t+1, flow_t)| over the pixels visible in both frames."""
    a, b = video[:, :-1].flatten(0, 1), video[:, 1:].flatten(0, 1)
    error = (data.warp(b, flow.flatten(0, 1)) - a).abs().mean(dim=1, keepdim=True)
    mask = visible.flatten(0, 1)
    return float((error * mask).sum() / mask.sum())


def test_shapes_ranges_and_determinism():
    clips = two_style_clips(4, 8, 32, generator=torch.Generator().manual_seed(1))
    assert clips.plain.shape == clips.styled.shape == (4, 8, 3, 32, 32) and len(clips) == 4
    assert clips.flow.shape == (4, 7, 2, 32, 32) and clips.visible.shape == (4, 7, 1, 32, 32)
    for video in (clips.plain, clips.styled):
        assert video.min() >= -1 and video.max() <= 1
    assert torch.equal(clips.plain[:, :, 0], clips.plain[:, :, 2]), "domain A is grey"
    again = two_style_clips(4, 8, 32, generator=torch.Generator().manual_seed(1))
    assert torch.equal(clips.styled, again.styled) and torch.equal(clips.labels, again.labels)


def test_the_styled_truth_moves_with_the_exact_flow():
    clips = two_style_clips(16, 8, 32, generator=torch.Generator().manual_seed(2))
    moving = (clips.styled[:, 1:] - clips.styled[:, :-1]).abs().mean()
    assert masked_warping_error(clips.styled, clips.flow, clips.visible) < 0.35 * moving
    # the background is one static pattern: far from the digit it never changes
    far = (footprint(clips)[0] < 1e-3).all(dim=1, keepdim=True).expand_as(clips.styled)
    assert (clips.styled[:, 1:] - clips.styled[:, :-1])[far[:, 1:]].abs().max() < 0.01


def test_occlusion_marks_background_the_digit_covers_next():
    clips = two_style_clips(8, 6, 32, generator=torch.Generator().manual_seed(3))
    occluded = clips.visible == 0  # (B, T-1, 1, H, W)
    assert occluded.any() and clips.visible.mean() > 0.9, "a few pixels, not most"
    still = clips.flow.abs().sum(dim=2, keepdim=True) == 0
    assert still[occluded].all(), "an occluded pixel is background at frame t"
    change = (clips.styled[:, 1:] - clips.styled[:, :-1]).abs().mean(dim=2, keepdim=True)
    # there the next frame shows the digit instead: the pixel changes, unlike visible background
    assert change[occluded].mean() > 10 * change[still & ~occluded].mean()
    dilated, ink = footprint(clips)
    assert (still[ink[:, :-1] > 0.5] == 0).all(), "the digit's pixels carry its motion"
