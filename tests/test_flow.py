"""Optical flow for real footage: Farneback estimation against the exact flow, and the occlusion mask."""

import pytest
import torch

from vgan_course import data
from vgan_course.data.flow import estimate_flow, occlusion_mask, warp


@pytest.mark.parametrize("size", [32, 64])
def test_estimated_flow_matches_the_exact_flow_of_moving_shapes(size):
    clips = data.moving_shapes(16, 4, size, 1, generator=torch.Generator().manual_seed(5))
    a, b, exact = clips.video[:, 1], clips.video[:, 2], clips.flow[:, 1]
    flow = estimate_flow(a, b)
    assert flow.shape == exact.shape and flow.dtype == torch.float32
    on_object = exact.norm(dim=1) > 0
    error = (flow - exact).norm(dim=1)[on_object].mean()
    assert error < 0.25 * exact.norm(dim=1)[on_object].mean(), "end-point error on the objects"
    # warping frame t+1 back with the estimated flow explains frame t far better than no motion
    assert (warp(b, flow) - a).abs().mean() < 0.5 * (b - a).abs().mean()


def test_occlusion_mask_keeps_consistent_flow_and_drops_the_rest():
    forward = torch.zeros(1, 2, 16, 16)
    forward[:, 0] = 2.0  # everything moves 2 px right
    assert occlusion_mask(forward, -forward)[..., 2:-2].eq(1).all()  # and comes back: consistent
    assert occlusion_mask(forward, torch.zeros_like(forward)).eq(0).all()  # no way back: occluded
    half = -forward.clone()
    half[..., 8:] = 0  # the backward flow is missing where the pixels land on the right half
    mask = occlusion_mask(forward, half)
    assert mask[..., :5].eq(1).all() and mask[..., 7:].eq(0).all()


def test_flow_inputs_are_checked():
    with pytest.raises(ValueError, match="same shape"):
        estimate_flow(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 9))
    with pytest.raises(ValueError, match="forward must have shape"):
        occlusion_mask(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 8))


def test_texture_mask_marks_flat_areas_untrusted():
    frames = -torch.ones(1, 3, 32, 32)  # black ...
    frames[..., 10:20, 10:20] = 1.0  # ... with one white square
    mask = data.texture_mask(frames)
    assert mask.shape == (1, 1, 32, 32)
    assert mask[0, 0, 15, 10] == 1 and mask[0, 0, 15, 9] == 1  # the square's edges
    assert mask[0, 0, 0, 0] == 0 and mask[0, 0, 15, 15] == 0  # flat black, flat white
    noise = torch.rand(1, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert data.texture_mask(noise).mean() == 1  # texture everywhere


def test_flow_on_a_flat_background_is_invented_and_the_texture_mask_drops_it():
    clips = data.two_style_clips(8, 2, generator=torch.Generator().manual_seed(0))
    a, b = clips.plain[:, 0], clips.plain[:, 1]
    flow = data.estimate_flow(a, b)
    error = (flow - clips.flow[:, 0]).norm(dim=1, keepdim=True)
    trusted = data.texture_mask(a)
    assert (error * (1 - trusted)).sum() / (1 - trusted).sum() > 1.5 * (error * trusted).sum() / trusted.sum()
