"""The real carphone pair: aligned, split without overlap, and cut into aligned patch clips."""

import pytest
import torch

from vgan_course import metrics
from vgan_course.data.pairs import TRAIN_FRAMES, VideoPair, carphone_pair, random_patch_clips


def test_carphone_pair_is_aligned_damaged_and_split():
    train, test = carphone_pair("train"), carphone_pair("test")
    assert len(train) == TRAIN_FRAMES and len(test) == 120 - TRAIN_FRAMES
    assert train.clean.shape[1:] == (3, 144, 176)
    damage = metrics.psnr(test.degraded, test.clean)
    assert 18 < damage < 30  # real, heavy compression: far from identical, but the same frames
    shifted = metrics.psnr(test.degraded[1:], test.clean[:-1])
    assert shifted < damage  # frame t of one matches frame t of the other best: aligned
    assert not torch.equal(train.clean[-1], test.clean[0])
    with pytest.raises(ValueError, match="split"):
        carphone_pair("val")


def test_random_patch_clips_crop_both_videos_the_same_way():
    pair = VideoPair(degraded=torch.rand(6, 1, 20, 24) * 2 - 1, clean=torch.rand(6, 1, 20, 24) * 2 - 1)
    batch = random_patch_clips(pair, 4, length=3, patch=8, generator=torch.Generator().manual_seed(0))
    assert batch["low"].shape == batch["high"].shape == (4, 3, 1, 8, 8)
    for i in range(4):  # find where the clean patch came from; the degraded one must come from there too
        hits = [(t, y, x) for t in range(4) for y in range(13) for x in range(17)
                if torch.equal(pair.clean[t: t + 3, :, y: y + 8, x: x + 8], batch["high"][i])]
        assert len(hits) == 1
        t, y, x = hits[0]
        assert torch.equal(pair.degraded[t: t + 3, :, y: y + 8, x: x + 8], batch["low"][i])
    with pytest.raises(ValueError, match="patch"):
        random_patch_clips(pair, 1, patch=64)
    with pytest.raises(ValueError, match="one shape"):
        VideoPair(torch.zeros(2, 1, 4, 4), torch.zeros(3, 1, 4, 4))
