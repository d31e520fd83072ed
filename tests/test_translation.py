"""Lesson 04's networks, losses and temporal metrics: shapes, exact values, and what they must notice."""

import pytest
import torch

from vgan_course import data, losses, metrics, models


def test_translation_networks_shapes():
    frames = torch.randn(2, 3, 32, 32)
    out = models.ResnetGenerator(width=8, blocks=2)(frames)
    assert out.shape == (2, 3, 32, 32) and out.abs().max() <= 1
    assert models.PatchDiscriminator(width=8)(frames).shape == (2, 1, 2, 2)
    assert models.PatchDiscriminator(width=8)(torch.randn(1, 3, 64, 64)).shape == (1, 1, 6, 6)
    assert models.FramePredictor(width=8)(torch.randn(2, 2, 3, 32, 32)).shape == (2, 3, 32, 32)
    with pytest.raises(ValueError, match="multiples of 4"):
        models.ResnetGenerator(width=8)(torch.randn(1, 3, 30, 30))
    with pytest.raises(ValueError, match=r"previous must be \(batch, 2, 3, h, w\)"):
        models.FramePredictor(width=8)(torch.randn(2, 3, 3, 32, 32))


def test_cycle_and_recycle_losses_are_mean_absolute_errors():
    x = torch.zeros(2, 3, 4, 4)
    assert losses.cycle_consistency_loss(x, x + 0.5) == pytest.approx(0.5)
    assert losses.recycle_loss(x, x - 0.25) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="same shape"):
        losses.cycle_consistency_loss(x, x[:1])


def test_temporal_loss_is_zero_for_motion_that_follows_the_flow():
    clips = data.two_style_clips(8, 3, 32, generator=torch.Generator().manual_seed(0))
    a, b = clips.styled[:, 0], clips.styled[:, 1]
    flow, visible = clips.flow[:, 0], clips.visible[:, 0]
    following = losses.temporal_loss(a, b, flow, visible)
    flickering = losses.temporal_loss(a, -b, flow, visible)  # the style of frame t+1 inverted
    assert following < 0.02 * flickering
    # the mask decides which pixels count
    assert losses.temporal_loss(a, b, flow, torch.zeros_like(visible)) == 0
    with pytest.raises(ValueError, match="visible"):
        losses.temporal_loss(a, b, flow, visible[:, :, :-1])


def test_warping_error_and_tof_see_flicker():
    clips = data.two_style_clips(8, 6, 32, generator=torch.Generator().manual_seed(1))
    flicker = clips.styled.clone()
    flicker[:, 1::2] = flicker[:, 1::2].flip(2)  # every other frame with its colour channels swapped
    steady = metrics.warping_error(clips.styled, clips.flow, clips.visible)
    assert metrics.warping_error(flicker, clips.flow, clips.visible) > 5 * steady
    assert metrics.warping_error(clips.styled, clips.flow, torch.ones_like(clips.visible)) > steady  # occlusions count
    # tOF (the course's convention: TecoGAN's crop keeps nothing of 32 x 32 frames): the styled clip moves
    # like the plain one; a clip shaken by one pixel every other frame does not
    shaken = clips.styled.clone()
    shaken[:, 1::2] = shaken[:, 1::2].roll(2, dims=-1)
    assert (metrics.tof(clips.styled, clips.plain, convention="course")
            < 0.5 * metrics.tof(shaken, clips.plain, convention="course"))
    with pytest.raises(ValueError, match="flow must be"):
        metrics.warping_error(clips.styled, clips.flow[:, :-1], clips.visible)
