"""Lesson 05's methods: every method trains with the losses it names; the damaged world, the
recurrent flows, inflation, triplets; restored-clip scores and their controls; the figure strip."""

import pytest
import torch

from vgan_course import data, methods, metrics, models, train
from vgan_course.methods import video_restoration as vr

LESSON = methods.lesson("05_video_restoration")


def smoke(**steps):
    return LESSON.config("smoke", width=8, steps={**LESSON.settings["smoke"]["steps"], **steps})


@pytest.mark.parametrize("name", list(vr.METHODS))
def test_every_method_trains_from_its_start_with_the_losses_it_names(name, tmp_path):
    method = LESSON.methods[name]
    trained = methods.train_method(method, smoke(), run_dir=tmp_path, progress=False)
    assert ("loss/d" in trained.history.metrics) == (method.hyper["discriminator"] is not None)
    assert "loss/ping_pong" not in trained.history.metrics  # no lesson method uses it (lesson 05 says why)
    assert (tmp_path / f"{method.start.shipped}.pt").exists() and (tmp_path / f"{method.shipped}.pt").exists()
    factor = method.hyper["factor"]
    low = torch.rand(2, 3, 3, 8, 8) * 2 - 1
    assert vr.restore(trained.network, low).shape == (2, 3, 3, 8 * factor, 8 * factor)


def test_the_ping_pong_variant_runs_there_and_back(tmp_path):
    """Exercise 5: ``with_hyper(ping_pong=True)``; the generator sees frames 0 1 2 3 2 1 0."""
    method = LESSON.methods["recurrent + temporal D"].with_hyper(ping_pong=True)
    cfg = smoke()
    nets = method.networks(methods.settings_for(method, cfg))
    opts = method.optimizers(nets, methods.settings_for(method, cfg))
    seen = []
    forward = nets["G"].forward
    nets["G"].forward = lambda frame, previous: seen.append(frame) or forward(frame, previous)
    batches = method.batches(methods.settings_for(method, cfg), torch.Generator().manual_seed(0))
    step = vr.restoration_step(nets, opts, batches, methods.settings_for(method, cfg))
    history = train.train(step, nets, opts, steps=1, log_every=1, progress=False)
    assert len(seen) == 7 and torch.equal(seen[2], seen[4]) and torch.equal(seen[0], seen[6])
    assert history.metrics["loss/ping_pong"][0] > 0


def test_a_five_frame_variant_trains_on_five_frame_clips(tmp_path):
    method = LESSON.methods["multi-frame L1"].with_hyper(frames=5)  # exercise 1
    trained = methods.train_method(method, smoke(), run_dir=tmp_path, progress=False)
    assert trained.network.frames == 5 and (tmp_path / "restore_multi_frame_l1_frames5.pt").exists()


def test_the_damaged_world_is_noisy_half_size_with_flows_and_a_fixed_test_set():
    batch = data.damaged_scene_clips(3, 4, generator=torch.Generator().manual_seed(0))
    assert batch["low"].shape == (3, 4, 3, 16, 16) and batch["high"].shape == (3, 4, 3, 32, 32)
    assert batch["low_flow"].shape == batch["low_flow_back"].shape == (3, 3, 2, 16, 16)
    assert torch.allclose(batch["low_flow"].sum(), batch["flow"].sum() / 8)  # a quarter of the pixels, half the length
    noise = batch["low"] - data.downsample(data.blur(batch["high"], 1.0), 2)
    assert 0.15 < float(noise.std()) < 0.25  # noise 0.2, clamped at the edges of the range
    first, again = vr.test_set(4, 3), vr.test_set(4, 3)
    assert torch.equal(first["low"], again["low"]) and torch.equal(first["high"], again["high"])


def test_recurrent_flows_follow_the_ping_pong_sequence_or_are_estimated():
    batch = data.damaged_scene_clips(2, 3, generator=torch.Generator().manual_seed(0))
    flows = vr.recurrent_flows(batch, ping_pong=True)  # frames 0 1 2 1 0: back, back, forward, forward
    assert flows.shape == (2, 4, 2, 16, 16)
    assert torch.equal(flows[:, :2], batch["low_flow_back"]) and torch.equal(flows[:, 2], batch["low_flow"][:, 1])
    assert torch.equal(vr.recurrent_flows(batch), batch["low_flow_back"])
    estimated = vr.recurrent_flows({"low": batch["low"]})  # real footage: Farneback, frame t back to t - 1
    assert torch.equal(estimated[:, 1], data.estimate_flow(batch["low"][:, 2], batch["low"][:, 1]))


def test_inflated_networks_start_exactly_where_the_single_frame_one_is():
    torch.manual_seed(0)
    single = models.RestorationNet(3, 1, 2, width=8)
    clip = torch.rand(2, 4, 3, 8, 8) * 2 - 1
    with torch.no_grad():
        single.tail.weight.normal_()  # a trained-looking net whose output is not just bicubic
        multi = LESSON.methods["multi-frame L1"].networks(methods.settings_for(LESSON.methods["multi-frame L1"], smoke()))["G"]
        LESSON.methods["multi-frame L1"].start_from({"G": multi}, {"G": single.state_dict()})
        assert torch.allclose(models.restore_clip(multi, clip), models.restore_clip(single, clip), atol=1e-6)


def test_restored_scores_and_their_controls():
    test = vr.test_set(16, 4)
    clean = test["high"]
    scores = metrics.restored_scores(clean, clean, test["flow"], test["backward_flow"], tof_convention="course")
    assert scores["psnr"] == float("inf") and scores["tof"] == 0 and scores["feature_distance"] < 1e-3
    everywhere = torch.ones_like(test["flow"][:, :, :1])
    assert scores["warping_error"] < 0.7 * metrics.warping_error(clean, test["flow"], everywhere)  # the mask drops occlusions
    assert metrics.tof(metrics.frozen(clean), clean, convention="course") > 0.3  # a still clip does not move like the truth
    assert metrics.feature_distance(data.blur(clean, 1.5), clean) > 1.0
    video = torch.rand(1, 2, 3, 70, 100) * 2 - 1
    cut = metrics.tiles(video)
    assert cut.shape == (2 * 3, 2, 3, 32, 32) and torch.equal(cut[4, 1], video[0, 1, :, 32:64, 32:64])
    assert scores["warping_error"] < 1e-3  # Lai et al.'s squared error: the truth scores about 0
    with pytest.raises(ValueError, match="shape"):
        metrics.restored_scores(clean[:, :2], clean)
    with pytest.raises(ValueError, match="both flow and backward_flow"):
        metrics.restored_scores(clean, clean, test["flow"])
    with pytest.raises(ValueError, match="smaller"):
        metrics.tiles(torch.zeros(1, 1, 3, 16, 64))


def test_aligned_triplets_line_a_real_clip_up_so_its_frames_agree():
    clips = data.still_scene_clips(8, 4, generator=torch.Generator().manual_seed(2))
    aligned = vr.aligned_triplets(clips.video, clips.backward_flow)
    raw = torch.stack([clips.video[:, t: t + 3] for t in range(2)], dim=1).flatten(0, 1)
    assert aligned.shape == raw.shape == (8 * 2, 3, 3, 32, 32)
    assert torch.equal(aligned[:, 2], raw[:, 2])  # the last frame is the one the others are pulled onto
    disagreement = lambda triplets: float((triplets[:, :2] - triplets[:, 2:]).abs().mean())  # noqa: E731
    assert disagreement(aligned) < 0.7 * disagreement(raw)


def test_figure_rows_come_from_the_shipped_networks():
    rows = vr.figure_rows()
    assert set(vr.SYNTHETIC) <= set(rows) and set(vr.CARPHONE) <= set(rows)
    for label, frames in rows.items():
        assert frames.shape == (8, 3, 64, 64) and frames.min() >= -1 and frames.max() <= 1, label
