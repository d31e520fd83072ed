"""PSNR and SSIM on the course's [-1, 1] frames (their references: tests/test_metric_references.py), and lesson 04's style classifier and style FD."""

import math

import pytest
import torch

from vgan_course import data, metrics
from vgan_course.metrics import style


def test_psnr_is_the_mean_of_per_frame_psnr_on_the_course_range():
    g = torch.Generator().manual_seed(0)
    target = torch.rand(2, 3, 3, 16, 16, generator=g) * 2 - 1
    output = (target + 0.1 * torch.randn(target.shape, generator=g)).clamp(-1, 1)
    mse = ((output - target) ** 2).flatten(0, 1).mean(dim=(1, 2, 3))
    assert metrics.psnr(output, target) == pytest.approx(float((10 * torch.log10(4 / mse)).mean()), rel=1e-5)
    shifted = (target + 0.5).clamp(-1, 1)  # a larger error is a lower PSNR
    assert metrics.psnr(shifted, target) < metrics.psnr(output, target)


def test_ssim_is_one_for_identical_frames_and_drops_with_noise():
    g = torch.Generator().manual_seed(1)
    frames = data.two_style_clips(2, 3, generator=g).styled
    assert metrics.ssim(frames, frames) == pytest.approx(1.0, abs=1e-5)
    noisy = (frames + 0.3 * torch.randn(frames.shape, generator=g)).clamp(-1, 1)
    assert 0 < metrics.ssim(noisy, frames) < 0.9
    flat = frames.flatten(0, 1)  # frames and clips give the same number
    assert metrics.ssim(noisy.flatten(0, 1), flat) == pytest.approx(metrics.ssim(noisy, frames), rel=1e-5)


def test_fidelity_checks_shapes_and_range():
    x = torch.zeros(2, 3, 8, 8)
    with pytest.raises(ValueError, match="of one shape"):
        metrics.psnr(x, torch.zeros(2, 3, 8, 4))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        metrics.ssim(x + 5, x)


def test_style_classifier_tells_b_from_a_and_from_near_misses():
    clips = data.two_style_clips(16, 4, split="test", generator=torch.Generator().manual_seed(2))
    assert metrics.style_accuracy(clips.styled) >= 0.95
    assert metrics.style_accuracy(clips.plain) <= 0.05
    frames = clips.styled.flatten(0, 1)
    assert metrics.style_accuracy(style.blur(frames)) <= 0.1  # B's colours without its stripes
    assert metrics.style_accuracy(frames[:, [2, 0, 1]]) <= 0.1  # B's stripes in the wrong colours
    assert metrics.style_classifier() is metrics.style_classifier()  # loaded once, cached


def test_style_fd_has_a_low_floor_and_separates_a_from_b():
    first = data.two_style_clips(32, 4, split="test", generator=torch.Generator().manual_seed(3))
    second = data.two_style_clips(32, 4, split="test", generator=torch.Generator().manual_seed(4))
    floor = metrics.style_fd(first.styled, second.styled)
    assert floor < 1
    assert metrics.style_fd(first.plain, second.styled) > 100 * max(floor, 0.01)
    assert metrics.style_fd(style.blur(first.styled.flatten(0, 1)), second.styled) > 10 * max(floor, 0.01)
    assert math.isfinite(floor)
    with pytest.raises(ValueError, match=r"\(batch, 3, height, width\)"):
        metrics.style_fd(torch.zeros(4, 1, 32, 32), second.styled)
