"""Lesson 06's detectors: the spectral feature and average precision against independent
implementations of their reference definitions, the temporal feature on controls, augmentation."""

import numpy as np
import pytest
import torch

from vgan_course import data, models
from vgan_course.metrics import detection


def durall_profile(image: np.ndarray) -> np.ndarray:
    """Durall et al.'s released pipeline for one grey image, written out with NumPy: FFT, fftshift, + 1e-8,
    20 log |.|, their azimuthalAverage (sorted radii from ((N-1)/2, (N-1)/2), cumulative sums between
    the places where the integer radius changes), then min-max scaling."""
    magnitude = 20 * np.log(np.abs(np.fft.fftshift(np.fft.fft2(image)) + 1e-8))
    y, x = np.indices(magnitude.shape)
    centre = (x.max() - x.min()) / 2.0
    r = np.hypot(x - centre, y - centre)
    order = np.argsort(r.flat)
    r_int, values = r.flat[order].astype(int), magnitude.flat[order]
    changes = np.where(r_int[1:] - r_int[:-1])[0]
    sums = np.cumsum(values, dtype=float)
    profile = (sums[changes[1:]] - sums[changes[:-1]]) / (changes[1:] - changes[:-1])
    return (profile - profile.min()) / (profile.max() - profile.min())


def test_spectrum_profile_matches_the_reference_pipeline():
    torch.manual_seed(0)
    frames = torch.rand(3, 1, 32, 32) * 2 - 1
    ours = detection.spectrum_profile(frames)
    assert ours.shape == (3, 20)
    for frame, row in zip(frames, ours):
        assert np.allclose(row.numpy(), durall_profile(frame[0].double().numpy()), atol=1e-5)
    colour = torch.rand(2, 3, 16, 16) * 2 - 1  # colour frames: the grey mean of the channels
    assert torch.allclose(detection.spectrum_profile(colour), detection.spectrum_profile(colour.mean(1, keepdim=True)))


def test_spectrum_sees_blocky_up_sampling_and_ignores_brightness():
    torch.manual_seed(0)
    small = torch.nn.functional.avg_pool2d(torch.rand(4, 1, 32, 32) * 2 - 1, 2)  # (4, 1, 16, 16)
    smooth = torch.nn.functional.interpolate(small, scale_factor=2, mode="bilinear", align_corners=False)
    blocky = torch.nn.functional.interpolate(small, scale_factor=2, mode="nearest")  # 2 x 2 blocks: sharp edges
    plain, traced = detection.spectrum_profile(smooth), detection.spectrum_profile(blocky)
    assert (traced[:, -8:].mean(1) > plain[:, -8:].mean(1) + 0.05).all(), "blocky up-sampling lifts the high rings"
    assert torch.allclose(detection.spectrum_profile(0.5 * smooth), plain, atol=1e-5), "scaled by its own min and max"
    clips = smooth[:, None].expand(-1, 5, -1, -1, -1)
    assert torch.allclose(detection.spectrum_features(clips), plain, atol=1e-6)
    with pytest.raises(ValueError, match="must be square"):
        detection.spectrum_profile(torch.zeros(1, 1, 8, 10))


def test_average_precision_is_the_mean_precision_at_each_fake():
    torch.manual_seed(0)
    scores, labels = torch.rand(40), (torch.rand(40) < 0.4).float()
    order = scores.argsort(descending=True)
    hits = labels[order]
    precision_at_hit = hits.double().cumsum(0) / torch.arange(1, 41, dtype=torch.float64)
    expected = float((precision_at_hit * hits).sum() / hits.sum())  # distinct scores: AP = mean precision at the positives
    assert abs(detection.average_precision(scores, labels) - expected) < 1e-9
    assert detection.average_precision(torch.tensor([0.9, 0.8, 0.2, 0.1]), torch.tensor([1.0, 1, 0, 0])) == 1.0


class Fixed:
    """A detector with given scores, for checking detection_scores."""

    threshold = 0.5

    def __init__(self, real, fake):
        self.table = {"real": torch.tensor(real), "fake": torch.tensor(fake)}

    def scores(self, clips):
        return self.table["real" if clips[0, 0, 0, 0, 0] < 0 else "fake"]


def test_accuracy_uses_the_threshold_and_average_precision_does_not():
    real, fake = -torch.ones(3, 2, 1, 4, 4), torch.ones(3, 2, 1, 4, 4)
    shifted = Fixed([0.6, 0.7, 0.65], [0.9, 0.8, 0.95])  # ranks perfectly, all above the threshold
    scores = detection.detection_scores(shifted, real, fake)
    assert scores == {"ap": 1.0, "accuracy": 0.5}


def test_flow_residual_is_small_for_rigid_motion_and_large_for_changing_shapes():
    clips = data.moving_digits(8, 8, 32, 1, generator=torch.Generator().manual_seed(0)).video
    rigid = detection.flow_residuals(clips)
    assert rigid.shape == (8, 7)
    other = data.moving_digits(8, 8, 32, 1, generator=torch.Generator().manual_seed(1)).video
    blend = torch.arange(8).float().view(1, 8, 1, 1, 1) / 7
    morphing = (1 - blend) * clips + blend * other  # one digit dissolving into another
    assert detection.flow_residuals(morphing).mean() > 1.5 * rigid.mean()
    assert detection.flow_residual_features(clips).shape == (8, 2)


def test_augmentation_is_seeded_and_keeps_the_range():
    clips = data.moving_digits(6, 4, 32, 1, generator=torch.Generator().manual_seed(0)).video
    a = detection.augment(clips, torch.Generator().manual_seed(1), p=1.0)
    b = detection.augment(clips, torch.Generator().manual_seed(1), p=1.0)
    assert torch.equal(a, b) and a.shape == clips.shape and a.abs().max() <= 1
    assert not torch.allclose(a, clips, atol=0.05)
    assert torch.equal(detection.augment(clips, torch.Generator().manual_seed(1), p=0.0), clips)


def test_detectors_learn_an_easy_difference():
    real = data.moving_digits(24, 4, 32, 1, generator=torch.Generator().manual_seed(0)).video
    stripes = (torch.arange(32) % 2 * 2 - 1).float()
    fake = (data.moving_digits(24, 4, 32, 1, generator=torch.Generator().manual_seed(1)).video + 0.1 * stripes).clamp(-1, 1)
    spectrum = detection.FeatureDetector(detection.spectrum_features).fit(real[:16], fake[:16])
    assert detection.detection_scores(spectrum, real[16:], fake[16:])["ap"] > 0.95
    cnn = detection.train_cnn_detector(real[:16], fake[:16], steps=25, batch=8, augmented=False)
    assert detection.detection_scores(cnn, real[16:], fake[16:])["ap"] > 0.95
    with pytest.raises(ValueError, match="fit the detector first"):
        detection.FeatureDetector(detection.spectrum_features).scores(real)


def test_detection_sets_pair_every_generator_with_real_clips_of_its_world():
    from vgan_course.data import captions
    from vgan_course.methods import clip_detection

    G = models.ConditionalMoCoGANGenerator(len(captions.VOCABULARY), cond_dim=16, width=4).eval()
    sets = clip_detection.detection_sets(G, 3, seed=0)
    assert list(sets) == ["MoCoGAN", "TGAN", "VGAN", "real vs real", "lesson 06"]
    for name, (real, fake) in sets.items():
        assert real.shape == fake.shape == (3, 16, 1, 32, 32), name
        assert real.min() >= -1 and real.max() <= 1 and fake.min() >= -1 and fake.max() <= 1, name
    real, other = sets["real vs real"]
    assert not torch.equal(real, other)  # the control's two halves are different real clips
    colour = clip_detection.temporal_generators.scene_clips(2, generator=torch.Generator().manual_seed(0)).video
    assert torch.allclose(clip_detection.grey(colour)[:, :, 0], colour.mean(dim=2))
