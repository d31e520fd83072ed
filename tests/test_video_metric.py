"""The offline video metric: the Fréchet distance, the shipped feature network and its validation.

The validation is the contract of the metric (issue: "a metric that fails these is not used"):
real-vs-real gives the floor; shuffled and frozen clips score well above it; the response grows
with spatial corruption.
"""

import json

import numpy as np
import pytest
import torch

from vgan_course import data, metrics, shipped


def test_frechet_distance_matches_a_scipy_reference():
    import scipy.linalg

    generator = torch.Generator().manual_seed(0)
    a = torch.randn(400, 6, generator=generator) @ torch.randn(6, 6, generator=generator)
    b = torch.randn(300, 6, generator=generator) * 2 + 0.5
    an, bn = a.double().numpy(), b.double().numpy()
    mu_a, mu_b = an.mean(0), bn.mean(0)
    cov_a, cov_b = np.cov(an, rowvar=False), np.cov(bn, rowvar=False)
    reference = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * scipy.linalg.sqrtm(cov_a @ cov_b).real)
    assert metrics.frechet_distance(a, b) == pytest.approx(reference, rel=1e-6)


def test_frechet_distance_basic_properties():
    x = torch.randn(500, 4, generator=torch.Generator().manual_seed(1))
    assert metrics.frechet_distance(x, x) < 1e-8
    shift = torch.tensor([1.0, 2.0, 0.0, -2.0])
    assert metrics.frechet_distance(x, x + shift) == pytest.approx(9.0, rel=1e-6)  # |shift|^2, same covariance
    with pytest.raises(ValueError, match=r"shape \(n >= 2, dim\)"):
        metrics.frechet_distance(x[:1], x)
    with pytest.raises(ValueError, match="feature sizes differ"):
        metrics.frechet_distance(x, x[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        metrics.frechet_distance(x, torch.full_like(x, float("nan")))
    estimate = metrics.frechet_bootstrap(x, x + shift, rounds=10)
    assert estimate.low <= estimate.value <= estimate.high and "[" in str(estimate)


def test_shipped_checkpoints_are_verified(tmp_path):
    state = {"weight": torch.arange(6.0).view(2, 3)}
    entry = shipped.save_state("tiny", state, "vgan-course train-checkpoints tiny", {"accuracy": 1.0}, folder=tmp_path)
    assert torch.equal(shipped.load_state("tiny", folder=tmp_path)["weight"], state["weight"])
    assert entry["sha256"] == shipped.sha256(tmp_path / "tiny.pt")
    raw = bytearray((tmp_path / "tiny.pt").read_bytes())
    raw[-20] ^= 0xFF  # one flipped byte
    (tmp_path / "tiny.pt").write_bytes(bytes(raw))
    with pytest.raises(shipped.ShippedCheckpointError, match="corrupted or was changed.*train-checkpoints tiny"):
        shipped.load_state("tiny", folder=tmp_path)
    (tmp_path / "tiny.pt").unlink()
    with pytest.raises(shipped.ShippedCheckpointError, match="missing"):
        shipped.load_state("tiny", folder=tmp_path)
    with pytest.raises(shipped.ShippedCheckpointError, match="no shipped checkpoint 'other'"):
        shipped.load_state("other", folder=tmp_path)


def test_the_shipped_manifest_matches_its_files_and_stays_small():
    manifest = json.loads(shipped.MANIFEST.read_text())
    assert "video_features" in manifest
    for name, entry in manifest.items():
        path = shipped.CHECKPOINTS / entry["file"]
        assert shipped.sha256(path) == entry["sha256"], f"{name}: run `{entry['command']}`"
        assert entry["command"] == f"vgan-course train-checkpoints {name}"
    # about 10 MB in all, the largest parts lesson 03's metric and generators (4.4 MB), lesson 05's
    # networks (2.1 MB), lesson 06's generators and digit reader (2 MB) and lesson 04's (1.7 MB)
    assert sum(entry["bytes"] for entry in manifest.values()) < 12e6


@pytest.fixture(scope="module")
def real_clips():
    """Two independent sets of real clips (half moving digits, half moving shapes)."""
    from vgan_course.metrics.video import training_batch

    first, _, _ = training_batch(512, 16, torch.Generator().manual_seed(101))
    second, _, _ = training_batch(512, 16, torch.Generator().manual_seed(202))
    return first, second


def test_the_feature_network_learned_identity_and_velocity():
    measured = metrics.evaluate_video_features(metrics.video_feature_net(), n=256)
    assert measured["clip_accuracy"] >= 0.95 and measured["frame_accuracy"] >= 0.95
    assert measured["velocity_error"] <= 0.6  # pixels per frame; speeds are 1 to 2.5, and flip at bounces


def test_clip_metric_validation(real_clips):
    a, b = real_clips
    generator = torch.Generator().manual_seed(3)
    reference = metrics.video_features(a)["clip"]

    def clip_distance(video):
        return metrics.frechet_distance(reference, metrics.video_features(video)["clip"])

    floor = clip_distance(b)
    shuffled = clip_distance(metrics.shuffled(b, generator))
    frozen = clip_distance(metrics.frozen(b))
    assert shuffled > 5 * floor and frozen > 5 * floor, (floor, shuffled, frozen)
    noisy = [clip_distance((b + s * torch.randn(b.shape, generator=generator)).clamp(-1, 1)) for s in (0.1, 0.3, 0.6)]
    assert floor < noisy[0] < noisy[1] < noisy[2], (floor, noisy)
    estimate = metrics.clip_fd(a[:128], b[:128], rounds=3)  # the lesson's entry point, with its interval
    assert estimate.low <= estimate.high and estimate.value > 0


def test_frame_metric_is_blind_to_order_but_not_to_corruption(real_clips):
    a, b = real_clips
    generator = torch.Generator().manual_seed(4)
    reference = metrics.video_features(a)["frame"]
    floor = metrics.frechet_distance(reference, metrics.video_features(b)["frame"])
    shuffled = metrics.frechet_distance(reference, metrics.video_features(metrics.shuffled(b, generator))["frame"])
    noisy = metrics.frechet_distance(reference, metrics.video_features((b + 0.3 * torch.randn(b.shape, generator=generator))
                                                                       .clamp(-1, 1))["frame"])
    assert shuffled == pytest.approx(floor, rel=1e-4) and noisy > 3 * floor


def test_temporal_consistency_measures():
    clips = data.moving_digits(64, 16, generator=torch.Generator().manual_seed(5))
    video = clips.video
    assert metrics.identity_consistency(video) >= 0.9
    mixed = video[torch.arange(64)[:, None], torch.arange(16)].clone()
    mixed[:, 1::2] = video.roll(1, dims=0)[:, 1::2]  # every other frame from another clip: another digit
    assert metrics.identity_consistency(mixed) < metrics.identity_consistency(video) - 0.2
    real = metrics.motion_statistics(video)
    true_speed = clips.velocities[:, :, 0].norm(dim=2).mean().item()
    assert real.speed == pytest.approx(true_speed, rel=0.15)
    assert metrics.motion_statistics(metrics.frozen(video)).speed < 1e-4
    assert metrics.motion_statistics(metrics.shuffled(video, torch.Generator().manual_seed(6))).roughness > 3 * real.roughness
    with pytest.raises(ValueError, match="at least 3 frames"):
        metrics.motion_statistics(video[:, :2])
