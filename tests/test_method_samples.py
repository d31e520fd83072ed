"""Every method of lessons 03-05 shows what its kept network makes in TensorBoard while it trains."""

import pytest
import torch

from vgan_course import methods
from vgan_course.methods import training
from vgan_course.methods import settings_for

ALL = [m for lesson in methods.all_lessons().values() for m in lesson.methods.values()]
# one method of each kind of sample: generators, restyling the two-style world and footage, restoring
# still scenes (single-frame and recurrent) and the carphone clip
KINDS = ["TGAN", "per-frame CycleGAN", "multi-frame L1", "recurrent L1", "carphone start"]


def test_every_method_has_a_sample():
    assert all(m.sample is not None for m in ALL), [m.name for m in ALL if m.sample is None]


@pytest.mark.parametrize("method", [m for m in ALL if m.name in KINDS], ids=lambda m: f"{m.lesson[:2]} {m.name}")
def test_sample_gives_clips_and_keeps_the_network_training(method):
    cfg = settings_for(method, methods.lesson(method.lesson).config("smoke"))
    network = method.networks(cfg)[method.keep].train()
    sample = training._sampler(method, network)
    assert sample is not None, f"{method.name} shows nothing in TensorBoard"
    clips = sample()
    assert clips.dim() == 5 and clips.shape[0] >= 1, f"expected clips (b, t, c, h, w), got {tuple(clips.shape)}"
    assert clips.min() >= -1 - 1e-4 and clips.max() <= 1 + 1e-4 and torch.isfinite(clips).all()
    assert network.training, "sampling for TensorBoard must leave the network training"


def test_a_trained_method_writes_image_grids(tmp_path, monkeypatch):
    monkeypatch.setenv("VGAN_PROFILE", "smoke")
    lesson = methods.lesson("03_temporal_generators")
    trained = training.train_method(lesson.methods["TGAN"], lesson.config(steps={"TGAN": 4}), run_dir=tmp_path,
                                    progress=False)
    assert [step for step, _ in trained.history.samples] == [1, 2, 3, 4]
    events = list((tmp_path / "tensorboard" / "video_gan_tgan").glob("events.out.tfevents.*"))
    assert events and b"samples" in events[0].read_bytes()
