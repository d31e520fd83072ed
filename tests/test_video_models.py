"""Lesson 03's video models: shapes, the content/motion split, the (2+1)-D block, errors."""

import pytest
import torch

from vgan_course import models

GENERATORS = [models.FrameIndependentGenerator, models.MoCoGANGenerator, models.TGANGenerator, models.VGANGenerator]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda g: g.__name__)
def test_generators_make_clips_in_range(make):
    G = make(width=8) if make is not models.VGANGenerator else make(width=4)
    clips = G(**G.sample_latents(3))
    assert clips.shape == (3, 16, 1, 32, 32) and clips.min() >= -1 and clips.max() <= 1


def test_mocogan_fixed_content_and_fixed_motion():
    G = models.MoCoGANGenerator(width=8).eval()
    latents = G.sample_latents(1)
    other = G.sample_latents(1)
    with torch.no_grad():
        base = G(**latents)
        new_motion = G(latents["content"], other["motion_noise"])
        new_content = G(other["content"], latents["motion_noise"])
    assert not torch.allclose(base, new_motion) and not torch.allclose(base, new_content)
    codes = G.motion_codes(latents["motion_noise"])
    noise = latents["motion_noise"]
    with torch.no_grad():  # h_0 = 0: the first code is a GRU output, h_1 = GRU(eps_1, 0), never the raw noise
        first = G.gru(noise[:, 0], torch.zeros_like(noise[:, 0]))
    assert codes.shape == (1, 16, 16) and torch.allclose(codes[:, 0], first, atol=1e-6)
    with pytest.raises(ValueError, match=r"content must have shape \(batch, 48\)"):
        G(torch.randn(1, 3), latents["motion_noise"])


def test_vgan_mask_is_kept_for_the_sparsity_penalty():
    G = models.VGANGenerator(width=4)
    G(**G.sample_latents(2))
    assert G.last_mask.shape == (2, 16, 1, 32, 32) and 0 <= G.last_mask.min() and G.last_mask.max() <= 1


def test_conv2plus1d_shapes_and_parameters():
    block = models.Conv2Plus1d(3, 8, time_stride=2)
    out = block(torch.randn(2, 3, 16, 32, 32))
    assert out.shape == (2, 8, 8, 16, 16)
    assert sum(p.numel() for p in block.parameters()) == (3 * 8 * 16 + 8) + (8 * 8 * 3 + 8)


def test_conv2plus1d_mixes_time_only_in_its_temporal_part():
    """A change in frame 0 reaches only frames 0 and 1 of the output (kernel 3 in time)."""
    block = models.Conv2Plus1d(1, 4)
    x = torch.randn(1, 1, 8, 8, 8)
    y = x.clone()
    y[:, :, 0] += 1
    changed = (block(x) - block(y)).abs().flatten(3).amax(dim=(0, 1, 3))  # per output time step
    assert (changed[:2] > 0).all() and (changed[2:] == 0).all()


def test_video_discriminator_and_frame_sampling():
    D = models.VideoDiscriminator(channels=3, width=8)
    assert D(torch.randn(5, 16, 3, 32, 32)).shape == (5,)
    with pytest.raises(ValueError, match=r"\(batch, time, 3, height, width\), got \(5, 16, 1, 32, 32\)"):
        D(torch.randn(5, 16, 1, 32, 32))
    video = torch.arange(2 * 4, dtype=torch.float32).view(2, 4, 1, 1, 1).expand(2, 4, 1, 2, 2)
    frames = models.sample_frames(video, k=3, generator=torch.Generator().manual_seed(0))
    assert frames.shape == (6, 1, 2, 2)
    assert set(frames[:3, 0, 0, 0].tolist()) <= {0, 1, 2, 3} and set(frames[3:, 0, 0, 0].tolist()) <= {4, 5, 6, 7}


@pytest.mark.parametrize("make", GENERATORS, ids=lambda g: g.__name__)
def test_generators_and_discriminators_at_64(make):
    """The gpu profile's 64 x 64 clips: every generator, the video D and DCGAN's D."""
    G = make(width=8, size=64) if make is not models.VGANGenerator else make(width=4, size=64)
    clips = G(**G.sample_latents(2))
    assert clips.shape == (2, 16, 1, 64, 64) and clips.min() >= -1 and clips.max() <= 1
    assert models.VideoDiscriminator(1, 8, size=64)(clips).shape == (2,)
    assert models.DCGANDiscriminator(1, 8, size=64)(models.sample_frames(clips, 3)).shape == (6,)


def test_sizes_are_checked():
    with pytest.raises(ValueError, match="size must be 32 or 64, got 48"):
        models.DCGANGenerator(size=48)
    with pytest.raises(ValueError, match="size must be 32 or 64"):
        models.VGANGenerator(size=128)
    with pytest.raises(ValueError, match=r"\(batch, time, 1, 64, 64\), got \(2, 16, 1, 32, 32\)"):
        models.VideoDiscriminator(1, 8, size=64)(torch.zeros(2, 16, 1, 32, 32))
    with pytest.raises(ValueError, match=r"\(batch, 1, 32, 32\), got \(2, 1, 64, 64\)"):
        models.DCGANDiscriminator(1, 8)(torch.zeros(2, 1, 64, 64))
    # size 32 keeps the layer names of the shipped checkpoints
    assert list(models.DCGANGenerator(width=8).state_dict()) == list(models.DCGANGenerator(width=8, size=32).state_dict())
