import math

import pytest
import torch

from vgan_course import data


def test_ring_has_distinct_equally_spaced_modes():
    ring = data.ring_of_gaussians(8, radius=2.0)
    assert ring.means.shape == (8, 2)
    distances = torch.cdist(ring.means, ring.means) + torch.eye(8) * 100
    assert torch.allclose(distances.min(dim=1).values, torch.full((8,), 2 * 2.0 * math.sin(math.pi / 8)), atol=1e-5)
    assert torch.allclose(ring.means.norm(dim=1), torch.full((8,), 2.0))


def test_grid_of_25_is_centred_and_regular():
    grid = data.grid_of_gaussians(5, spacing=2.0)
    assert grid.means.shape == (25, 2)
    assert torch.allclose(grid.means.mean(0), torch.zeros(2), atol=1e-6)
    assert sorted(set(grid.means[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]


def test_mixture_samples_are_seeded_and_near_modes():
    ring = data.ring_of_gaussians()
    a = ring.sample(500, generator=torch.Generator().manual_seed(1))
    b = ring.sample(500, generator=torch.Generator().manual_seed(1))
    assert a.shape == (500, 2) and torch.equal(a, b)
    assert torch.cdist(a, ring.means).min(dim=1).values.max() < 6 * ring.std
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        ring.sample(0)


def test_digit_images_range_and_splits():
    images, labels = data.digit_images(32)
    assert images.shape == (1797, 1, 32, 32) and labels.shape == (1797,)
    assert images.min() == -1 and images.max() <= 1
    from vgan_course.data.digits import _split_indices

    train, test = set(_split_indices(1797, "train").tolist()), set(_split_indices(1797, "test").tolist())
    assert not train & test and len(train | test) == 1797 and len(test) == 297
    assert len(data.digit_images(32, split="test")[0]) == 297
    with pytest.raises(ValueError, match="split must be"):
        data.digit_images(32, split="validation")


@pytest.mark.parametrize("make, channels", [(data.moving_digits, 1), (data.moving_shapes, 3)])
def test_clips_shapes_ranges_and_labels(make, channels):
    clips = make(3, 12, 32, 2, generator=torch.Generator().manual_seed(0))
    assert clips.video.shape == (3, 12, channels, 32, 32)
    assert clips.video.min() >= -1 and clips.video.max() <= 1 + 1e-6
    assert clips.labels.shape == (3, 2)
    assert clips.positions.shape == clips.velocities.shape == (3, 12, 2, 2)
    assert clips.flow.shape == (3, 11, 2, 32, 32)
    assert (clips.positions >= 0).all() and (clips.positions <= 32).all()
    speed = clips.velocities.norm(dim=-1)
    assert ((speed >= 1.0 - 1e-4) & (speed <= 2.5 + 1e-4)).all()


@pytest.mark.parametrize("make", [data.moving_digits, data.moving_shapes])
def test_clips_are_deterministic_under_a_seed(make):
    a = make(2, 8, generator=torch.Generator().manual_seed(5))
    b = make(2, 8, generator=torch.Generator().manual_seed(5))
    c = make(2, 8, generator=torch.Generator().manual_seed(6))
    assert torch.equal(a.video, b.video) and torch.equal(a.flow, b.flow)
    assert not torch.equal(a.video, c.video)


def test_positions_follow_velocities_between_bounces():
    clips = data.moving_digits(16, 16, generator=torch.Generator().manual_seed(2))
    step = clips.positions[:, 1:] - clips.positions[:, :-1]
    same_direction = (torch.sign(clips.velocities[:, :-1]) == torch.sign(clips.velocities[:, 1:])).all(-1)
    assert torch.allclose(step[same_direction], clips.velocities[:, :-1][same_direction], atol=1e-4)


@pytest.mark.parametrize("make", [data.moving_digits, data.moving_shapes])
def test_flow_warps_the_next_frame_onto_this_one(make):
    clips = make(8, 10, 32, 1, generator=torch.Generator().manual_seed(3))
    warp_error, plain_error = [], []
    for t in range(9):
        moving = clips.flow[:, t].abs().sum(1, keepdim=True) > 0
        warped = data.warp(clips.video[:, t + 1], clips.flow[:, t])
        warp_error.append((warped - clips.video[:, t]).abs()[moving.expand_as(warped)].mean())
        plain_error.append((clips.video[:, t + 1] - clips.video[:, t]).abs()[moving.expand_as(warped)].mean())
    assert torch.stack(warp_error).mean() < 0.3 * torch.stack(plain_error).mean()


def test_warp_by_a_known_shift():
    frame = torch.zeros(1, 1, 8, 8)
    frame[0, 0, 3, 4] = 1.0
    flow = torch.zeros(1, 2, 8, 8)
    flow[:, 0] = 1.0  # every pixel reads one pixel to its right
    assert data.warp(frame, flow)[0, 0, 3, 3] == 1.0
    with pytest.raises(ValueError, match="flow must have shape"):
        data.warp(frame, torch.zeros(1, 2, 4, 4))


def test_bad_clip_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="n_frames must be an integer >= 2"):
        data.moving_digits(2, n_frames=1)
    with pytest.raises(ValueError, match="number of objects must be 1, 2 or 3"):
        data.moving_shapes(2, n_shapes=5)
    with pytest.raises(ValueError, match="speed must be"):
        data.moving_digits(2, speed=(3.0, 1.0))
    with pytest.raises(ValueError, match="batch_size"):
        data.moving_digits(0)


def test_clips_at_64x64():
    clips = data.moving_digits(2, 8, 64, 1)
    assert clips.video.shape == (2, 8, 1, 64, 64)
