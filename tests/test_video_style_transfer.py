"""Lesson 04's methods: every method trains with exactly the losses it names; the footage, the
scores of restyled clips and their controls; the figure strip from the shipped generators."""

import numpy as np
import pytest
import torch

from vgan_course import data, methods, metrics, train
from vgan_course.methods import video_style_transfer as vst

LESSON = methods.lesson("04_video_style_transfer")


@pytest.mark.parametrize("name", list(vst.METHODS))
def test_every_method_trains_from_its_start_with_the_losses_it_names(name, tmp_path):
    method = LESSON.methods[name]
    cfg = LESSON.config("smoke", width=4, footage_width=4, steps={**LESSON.settings["smoke"]["steps"], name: 1})
    trained = methods.train_method(method, cfg, run_dir=tmp_path, progress=False)
    logged = set(trained.history.metrics)
    assert ("loss/temporal" in logged) == (method.hyper["temporal"] is not None)
    assert ("loss/recycle" in logged) == (method.hyper["recycle_weight"] > 0)
    assert ("loss/identity" in logged) == (name in vst.FOOTAGE)
    assert (tmp_path / f"{method.start.shipped}.pt").exists() and (tmp_path / f"{method.shipped}.pt").exists()
    out = vst.restyle(trained.network, torch.zeros(1, 2, 3, 32, 32))
    assert out.shape == (1, 2, 3, 32, 32) and not trained.network.training


def test_a_method_starts_from_its_start_and_settings_change_by_value(tmp_path):
    method = LESSON.methods["Recycle-GAN"]
    cfg = LESSON.config("smoke", width=4, steps={**LESSON.settings["smoke"]["steps"], "Recycle-GAN": 0})
    trained = methods.train_method(method, cfg, run_dir=tmp_path, progress=False)
    start = train.load_checkpoint(tmp_path / "style_start.pt")["models"]["G_ab"]
    assert all(torch.equal(trained.network.state_dict()[k], v) for k, v in start.items())  # 0 steps: the start itself
    weaker = method.with_hyper(temporal_weight=10)
    assert weaker.hyper["temporal_weight"] == 10 and weaker.shipped == "style_recycle_temporal_weight10"
    with pytest.raises(ValueError, match="no setting"):
        method.with_hyper(TEMPORAL_WEIGHT=10)


def test_unpaired_batches_and_trusted_flow():
    batch = data.unpaired_style_clips(3, generator=torch.Generator().manual_seed(0))
    assert batch["a"].shape == batch["b"].shape == (3, 3, 3, 32, 32)
    assert batch["flow_a"].shape == (3, 2, 2, 32, 32) and batch["visible_b"].shape == (3, 2, 1, 32, 32)
    flow, mask = data.trusted_flow(batch["a"])
    assert flow.shape == (3, 2, 2, 32, 32) and mask.shape == (3, 2, 1, 32, 32) and 0.1 < mask.mean() < 0.9  # flat background untrusted
    footage = data.unpaired_footage_clips(2, 32, torch.Generator().manual_seed(0))
    assert footage["a"].shape == footage["b"].shape == (2, 3, 3, 32, 32)


def test_random_crop_clips_are_consecutive_frames_of_one_crop():
    video = torch.rand(10, 3, 64, 80) * 2 - 1
    clip = data.random_crop_clips([video], 3, size=64, generator=torch.Generator().manual_seed(0))[0]
    found = [(t, x) for t in range(8) for x in range(17) if torch.equal(video[t: t + 3, :, :, x: x + 64], clip)]
    assert len(found) == 1
    with pytest.raises(ValueError, match="too short or too small"):
        data.random_crop_clips([video[:2]], 1, size=64)


def test_restyled_scores_see_what_their_controls_are_made_to_fail():
    test = vst.test_clips(8, 4)
    truth, plain = metrics.restyled_scores(test.styled, test), metrics.restyled_scores(test.plain, test)
    assert truth["style_accuracy"] == 1 and truth["ssim"] == pytest.approx(1, abs=1e-5) and truth["tof"] == 0
    assert plain["style_accuracy"] == 0 and plain["style_fd"] > 100 * truth["style_fd"] and plain["psnr"] < 15
    frozen = metrics.restyled_scores(metrics.frozen(test.styled), test)
    assert frozen["warping_error"] > 2 * truth["warping_error"] and frozen["tof"] > 0.5
    assert metrics.restyled_scores(data.blur(test.styled, 1.0), test)["warping_error"] < truth["warping_error"]  # blur hides flicker
    with pytest.raises(ValueError, match="shape"):
        metrics.restyled_scores(test.styled[:, :2], test)


def test_edge_correlation_is_the_pearson_correlation_of_gradient_magnitudes():
    a = torch.rand(2, 3, 3, 20, 24) * 2 - 1
    b = (0.5 * a + 0.5 * torch.rand(a.shape)).clamp(-1, 1)

    def reference(x, y):  # numpy, written from the definition: central differences on the grey frame
        values = []
        for fx, fy in zip(x.flatten(0, 1).numpy(), y.flatten(0, 1).numpy()):
            edges = []
            for frame in (fx, fy):
                grey = frame.mean(axis=0).astype(np.float64)
                gy, gx = np.gradient(grey)
                edges.append(np.hypot(gx, gy)[1:-1, 1:-1].ravel())
            values.append(np.corrcoef(*edges)[0, 1])
        return float(np.mean(values))

    assert metrics.edge_correlation(b, a) == pytest.approx(reference(b, a), abs=1e-5)
    assert metrics.edge_correlation(a, a) == pytest.approx(1, abs=1e-6)
    with pytest.raises(ValueError, match="same batch, time and size"):
        metrics.edge_correlation(a, a[:, :2])


def test_footage_scores_of_the_input_itself_of_its_true_restyling_and_of_an_unrelated_clip():
    clip = data.read_video(data.sample_video("carphone_pristine"), size=48, square=True, max_frames=8)[None]
    truth = data.poster_look(clip[0])[None]
    steady = metrics.footage_scores(clip, clip, truth)
    assert steady["warping_error"] == pytest.approx(steady["input_warping_error"]) and steady["tof"] < 1e-6
    assert steady["edges"] == pytest.approx(1, abs=1e-6) and steady["psnr"] < 15  # the look is far from the input
    restyled = metrics.footage_scores(truth, clip, truth)
    assert restyled["psnr"] == float("inf") and restyled["edges"] > 0.15  # the look keeps some of the outlines
    unrelated = data.read_video(data.sample_video("bikes"), size=48, square=True, start=100, max_frames=8)[None]
    other = metrics.footage_scores(unrelated, clip, truth)
    assert other["edges"] < 0.1 and other["warping_error"] > 2 * steady["input_warping_error"] and other["psnr"] < 15


def test_the_poster_look_keeps_shape_and_range_and_is_pointwise():
    frames = data.read_video(data.sample_video("bikes"), size=48, max_frames=2)
    looked = data.poster_look(frames)
    assert looked.shape == frames.shape and looked.min() >= -1 and looked.max() <= 1
    assert torch.equal(data.poster_look(frames[..., 10:30, 10:30]), looked[..., 10:30, 10:30])



def test_both_footage_domains_cut_the_same_clips_in_two_and_only_b_has_the_look():
    """Same kinds of scenes in A and B (so only the look tells them apart), no frame in both."""
    footage = data.style_footage()
    assert len(footage["a"]) == len(footage["b"]) == 3
    carphone = data.read_video(data.sample_video("carphone_pristine"), size=64)
    from vgan_course.data.footage import CARPHONE_TRAIN

    half = CARPHONE_TRAIN // 2
    assert torch.equal(footage["a"][1], carphone[:half])
    assert torch.equal(footage["b"][1], data.poster_look(carphone[half:CARPHONE_TRAIN]))
    for a, b in zip(footage["a"], footage["b"]):
        assert a.shape[1:] == b.shape[1:] and abs(len(a) - len(b)) <= 1

def test_figure_rows_come_from_the_shipped_generators():
    rows = vst.figure_rows()
    assert list(rows)[0] == "two styles: input" and set(vst.METHODS) <= set(rows)
    for label, frames in rows.items():
        assert frames.shape == (8, 3, 64, 64) and frames.min() >= -1 and frames.max() <= 1, label
