import pytest
import torch

from vgan_course import data, metrics


def test_mode_coverage_of_the_data_itself_is_perfect():
    ring = data.ring_of_gaussians()
    result = metrics.mode_coverage(ring.sample(4000, generator=torch.Generator().manual_seed(0)), ring)
    assert result.modes_covered == 8 and result.high_quality_fraction > 0.98


def test_mode_coverage_sees_collapse_and_junk():
    ring = data.ring_of_gaussians()
    collapsed = ring.means[3].repeat(1000, 1) + 0.01 * torch.randn(1000, 2)
    assert metrics.mode_coverage(collapsed, ring).modes_covered == 1
    junk = torch.zeros(1000, 2)  # the centre of the ring is far from every mode
    result = metrics.mode_coverage(junk, ring)
    assert result.modes_covered == 0 and result.high_quality_fraction == 0


def test_a_few_stray_points_do_not_cover_a_mode():
    ring = data.ring_of_gaussians()
    samples = torch.cat([ring.means[0].repeat(995, 1), ring.means[1].repeat(5, 1)])
    assert metrics.mode_coverage(samples, ring).modes_covered == 1


def test_mode_coverage_rejects_images():
    with pytest.raises(ValueError, match=r"samples must have shape \(n, 2\)"):
        metrics.mode_coverage(torch.zeros(4, 1, 32, 32), data.ring_of_gaussians())


def test_digit_classifier_is_the_shipped_one_accurate_and_cached():
    from vgan_course import shipped

    classifier = metrics.digit_classifier()
    accuracy = metrics.classifier_accuracy(classifier)
    assert accuracy >= 0.95
    assert accuracy == pytest.approx(shipped.read_manifest()["digit_classifier"]["measured"]["accuracy"], abs=1e-4)
    assert metrics.digit_classifier() is classifier


def test_a_short_training_of_the_digit_classifier_learns():
    chance = metrics.classifier_accuracy(metrics.DigitClassifier().eval())
    assert metrics.classifier_accuracy(metrics.train_digit_classifier(steps=40)) > chance + 0.3


def test_digit_score_separates_real_digits_from_noise_and_collapse():
    real, labels = data.digit_images(32, split="test")
    noise = torch.rand(300, 1, 32, 32) * 2 - 1
    ones = real[labels == 1][:30].repeat(10, 1, 1, 1)
    good, bad, collapsed = (metrics.digit_score(x) for x in (real, noise, ones))
    assert good.confident_fraction > 0.85 and good.classes_covered == 10 and good.inception_score > 7
    assert bad.inception_score < 2
    assert collapsed.classes_covered == 1 and collapsed.inception_score < 1.5


def test_digit_score_reports_the_split_score_beside_the_whole_batch_one():
    real, _ = data.digit_images(32, split="test")
    score = metrics.digit_score(real[:500])
    assert score.inception_score_over_splits.splits == 10
    assert 0 < score.inception_score_over_splits.std < 1
    assert score.inception_score_over_splits.mean < score.inception_score  # 50 samples per split: biased low


def test_digit_score_checks_its_input():
    with pytest.raises(ValueError, match=r"\(batch, 1, height, width\)"):
        metrics.digit_score(torch.zeros(4, 3, 32, 32))
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\].*\[0, 255\]\? use x / 127.5 - 1"):
        metrics.digit_score(torch.full((4, 1, 32, 32), 5.0))
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\], got values in \[-1.5, -1.5\]$"):
        metrics.digit_score(torch.full((4, 1, 32, 32), -1.5))
