"""Lesson 05's training step: every method trains, with the losses it names."""

import pytest
import torch
import torch.nn.functional as F

from vgan_course import data, models, restoration, train


def pairs(n: int = 2, T: int = 3) -> dict[str, torch.Tensor]:
    clips = data.moving_digits(n, T, 32, generator=torch.Generator().manual_seed(0)).video  # (n, T, 1, 32, 32)
    low = F.avg_pool2d(clips.flatten(0, 1), 2).unflatten(0, clips.shape[:2])  # down-sampled by 2
    return {"low": low, "high": clips}


@pytest.mark.parametrize("method", list(restoration.METHODS))
def test_every_method_takes_steps_with_its_losses(method):
    torch.manual_seed(0)
    nets = restoration.build_networks(method, channels=1, factor=2, width=8)
    opt_g = torch.optim.Adam(nets["G"].parameters(), 1e-3)
    opt_d = torch.optim.Adam(nets["D"].parameters(), 1e-3) if "D" in nets else None
    before = nets["G"].tail.weight.detach().clone()
    step = restoration.restoration_step(method, nets, opt_g, opt_d, pairs)
    optimizers = {"G": opt_g, **({"D": opt_d} if opt_d else {})}
    history = train.train(step, nets, optimizers, steps=2, log_every=1, progress=False)
    spec = restoration.METHODS[method]
    assert ("loss/d" in history.metrics) == (spec.discriminator is not None) == ("D" in nets)
    assert ("loss/ping_pong" in history.metrics) == spec.ping_pong
    assert not torch.equal(before, nets["G"].tail.weight)
    with torch.no_grad():
        out = restoration.restore(method, nets["G"], pairs()["low"])
    assert out.shape == (2, 3, 1, 32, 32) and out.abs().max() <= 1


def test_a_method_with_the_ping_pong_loss_runs_there_and_back(monkeypatch):
    """No lesson method uses it (lesson 05 explains why); exercise 5 adds one like this."""
    monkeypatch.setitem(restoration.METHODS, "recurrent ping-pong", restoration.Method(None, "triplet", ping_pong=True))
    torch.manual_seed(0)
    nets = restoration.build_networks("recurrent ping-pong", channels=1, factor=2, width=8)
    opts = {"G": torch.optim.Adam(nets["G"].parameters(), 1e-3), "D": torch.optim.Adam(nets["D"].parameters(), 1e-3)}
    seen = []
    step = restoration.restoration_step("recurrent ping-pong", nets, opts["G"], opts["D"], lambda: pairs(2, 3))
    models_forward = nets["G"].forward
    nets["G"].forward = lambda frame, previous: seen.append(frame) or models_forward(frame, previous)
    history = train.train(step, nets, opts, steps=1, log_every=1, progress=False)
    assert len(seen) == 5  # frames 0 1 2 1 0
    assert torch.equal(seen[1], seen[3]) and torch.equal(seen[0], seen[4])
    assert history.metrics["loss/ping_pong"][0] > 0


def test_a_few_l1_steps_beat_nothing_and_unknown_methods_are_refused():
    torch.manual_seed(0)
    nets = restoration.build_networks("single-frame L1", channels=1, factor=2, width=8)
    opt = torch.optim.Adam(nets["G"].parameters(), 2e-3)
    batch = pairs(4, 3)
    error = lambda: float((restoration.restore("single-frame L1", nets["G"], batch["low"]) - batch["high"]).abs().mean())  # noqa: E731
    with torch.no_grad():
        first = error()
    train.train(restoration.restoration_step("single-frame L1", nets, opt, None, lambda: batch), nets, {"G": opt},
                steps=30, progress=False)
    with torch.no_grad():
        assert error() < first  # it learns (on this one batch)
    with pytest.raises(ValueError, match="unknown method 'ESRGAN'"):
        restoration.build_networks("ESRGAN")


def test_the_world_films_a_moving_shape_over_a_still_picture_with_exact_flows_both_ways():
    clips = restoration.still_scene_clips(4, 5, generator=torch.Generator().manual_seed(1))
    video = clips.video
    assert video.shape == (4, 5, 3, 32, 32) and video.min() >= -1 and video.max() <= 1
    ys, xs = torch.meshgrid(torch.arange(32.0) + 0.5, torch.arange(32.0) + 0.5, indexing="ij")
    centre = clips.positions[:, :, 0]  # (n, T, 2), x then y
    distance = ((xs - centre[..., 0, None, None]) ** 2 + (ys - centre[..., 1, None, None]) ** 2).sqrt()
    far = (distance[:, 1:] > 11) & (distance[:, :-1] > 11)  # away from the shape (a triangle reaches 10 px) in both frames
    change = (video[:, 1:] - video[:, :-1]).abs().amax(2)
    assert float(change[far].max()) < 0.05 and float(change[far].median()) < 1e-5 and float(change[~far].max()) > 0.5
    assert clips.flow[far[:, :, None].expand_as(clips.flow)].abs().max() == 0
    assert video[:, 0].std() > 0.1  # a textured picture, not a flat canvas
    # frame t+1 pulled from frame t along the backward flow matches it, far better than standing still
    frames_next, frames = video[:, 1:].flatten(0, 1), video[:, :-1].flatten(0, 1)
    pulled = data.warp(frames, clips.backward_flow.flatten(0, 1))
    still_error = (frames - frames_next).abs().mean()
    assert (pulled - frames_next).abs().mean() < 0.7 * still_error  # what is left: pixels the shape uncovers


def test_batches_degrade_to_noisy_half_size_clips_and_the_test_set_is_fixed_and_held_out():
    batch = restoration.synthetic_batch(3, 4, torch.Generator().manual_seed(0))
    assert batch["low"].shape == (3, 4, 3, 16, 16) and batch["high"].shape == (3, 4, 3, 32, 32)
    assert batch["low_flow"].shape == batch["low_flow_back"].shape == (3, 3, 2, 16, 16)
    assert torch.allclose(batch["low_flow"].sum(), batch["flow"].sum() / 8)  # a quarter of the pixels, half the length
    noise = batch["low"] - data.downsample(data.blur(batch["high"], 1.0), 2)
    assert 0.15 < float(noise.std()) < 0.25  # NOISE = 0.2, clamped at the edges of the range
    first, again = restoration.test_set(4, 3), restoration.test_set(4, 3)
    assert torch.equal(first["low"], again["low"]) and torch.equal(first["high"], again["high"])
    train_pictures, test_pictures = restoration.backgrounds("train"), restoration.backgrounds("test")
    assert len(train_pictures) == restoration.BACKGROUND_TRAIN_FRAMES and len(test_pictures) > 0
    with pytest.raises(ValueError, match="split"):
        restoration.backgrounds("validation")


def test_recurrent_flows_follow_the_ping_pong_sequence():
    batch = restoration.synthetic_batch(2, 3, torch.Generator().manual_seed(0))
    flows = restoration.recurrent_flows(batch, ping_pong=True)  # frames 0 1 2 1 0: back, back, forward, forward
    assert flows.shape == (2, 4, 2, 16, 16)
    assert torch.equal(flows[:, :2], batch["low_flow_back"]) and torch.equal(flows[:, 2], batch["low_flow"][:, 1])
    assert torch.equal(restoration.recurrent_flows(batch), batch["low_flow_back"])
    assert restoration.recurrent_flows({"low": batch["low"]}) is data.estimate_flow  # real footage: estimate


def test_inflated_networks_start_exactly_where_the_single_frame_one_is():
    torch.manual_seed(0)
    single = models.RestorationNet(3, 1, 2, width=8)
    clip = torch.rand(2, 4, 3, 8, 8) * 2 - 1
    with torch.no_grad():
        single.tail.weight.normal_()  # a trained-looking net whose output is not just bicubic
        multi = models.inflate_single_frame(models.RestorationNet(3, 3, 2, width=8), single.state_dict())
        assert torch.allclose(models.restore_clip(multi, clip), models.restore_clip(single, clip), atol=1e-6)
        recurrent = models.inflate_single_frame(models.RecurrentRestorer(3, 2, width=8), single.state_dict())
        flows = torch.randn(2, 3, 2, 8, 8)
        assert torch.allclose(models.restore_recurrent(recurrent, clip, flows), models.restore_clip(single, clip), atol=1e-6)
    with pytest.raises(ValueError, match="width"):
        models.inflate_single_frame(models.RestorationNet(3, 3, 2, width=16), single.state_dict())


def test_scores_tile_frames_and_the_feature_distance_sees_blur():
    clips = restoration.test_set(16, 4)["high"]
    video = torch.rand(1, 2, 3, 70, 100) * 2 - 1
    cut = restoration.tiles(video)
    assert cut.shape == (2 * 3, 2, 3, 32, 32) and torch.equal(cut[4, 1], video[0, 1, :, 32:64, 32:64])
    assert restoration.feature_distance(clips, clips) < 1e-3
    assert restoration.feature_distance(data.blur(clips, 1.5), clips) > 1.0
    scores = restoration.evaluate(clips, clips, restoration.test_set(16, 4)["flow"])
    assert scores["psnr"] == float("inf") and scores["tof"] == 0 and set(scores) >= {"ssim", "warping_error"}
    with pytest.raises(ValueError, match="shape"):
        restoration.evaluate(clips[:, :2], clips)
    with pytest.raises(ValueError, match="smaller"):
        restoration.tiles(torch.zeros(1, 1, 3, 16, 64))
    table = restoration.format_results({"truth": scores, "carphone": {"psnr": 24.0}}).splitlines()
    assert len(table) == 3 and "warp err" in table[0] and "24.00" in table[2] and table[2].endswith(" ")


def test_aligned_triplets_line_a_real_clip_up_so_its_frames_agree():
    clips = restoration.still_scene_clips(8, 4, generator=torch.Generator().manual_seed(2))
    aligned = restoration.aligned_triplets(clips.video, clips.backward_flow)
    raw = torch.stack([clips.video[:, t: t + 3] for t in range(2)], dim=1).flatten(0, 1)
    assert aligned.shape == raw.shape == (8 * 2, 3, 3, 32, 32)
    assert torch.equal(aligned[:, 2], raw[:, 2])  # the last frame is the one the others are pulled onto
    disagreement = lambda triplets: float((triplets[:, :2] - triplets[:, 2:]).abs().mean())  # noqa: E731
    assert disagreement(aligned) < 0.7 * disagreement(raw)


def test_load_or_train_runs_both_stages_in_the_run_folder_for_the_world_and_for_carphone(tmp_path):
    trained = restoration.load_or_train("multi-frame L1", retrain=True, run_dir=tmp_path, start_steps=2, steps=1, batch=2)
    assert trained.source == "trained" and (tmp_path / "restore_start.pt").exists()
    assert (tmp_path / "restore_multi_frame_l1.pt").exists()
    test = restoration.test_set(2, 3)
    assert restoration.restore("multi-frame L1", trained.G, test["low"]).shape == test["high"].shape
    on_carphone = restoration.load_or_train("single-frame adversarial", retrain=True, carphone=True, run_dir=tmp_path,
                                            start_steps=2, steps=1, batch=2)
    assert on_carphone.G.factor == 1 and (tmp_path / "carphone_single_frame_adversarial.pt").exists()
    assert restoration.shipped_name("recurrent + temporal D") == "restore_recurrent_temporal_d"


def test_a_five_frame_variant_trains_on_five_frame_clips(monkeypatch):
    monkeypatch.setitem(restoration.METHODS, "five-frame L1", restoration.Method(5))  # lesson 05, exercise 1
    assert restoration.clip_frames("five-frame L1") == 5 and restoration.clip_frames("single-frame L1") == 3
    trained = restoration.train_restoration("five-frame L1", steps=2, batch=2, width=8)
    assert trained.G.frames == 5 and trained.history.steps[-1] == 2
