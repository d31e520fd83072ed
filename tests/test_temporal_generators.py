"""Lesson 03's methods: five video GANs built, trained a few steps, shipped, scored."""

from types import SimpleNamespace

import pytest
import torch

from vgan_course import data, methods, metrics, models, shipped, train
from vgan_course.methods import temporal_generators as lesson03
from vgan_course.methods.commands import checkpoint_trainers

LESSON = methods.lesson("03_temporal_generators")


def tiny(**changes):
    return LESSON.config("smoke", **{"batch": 2, "width": 8, **changes})


@pytest.mark.parametrize("name", list(LESSON.methods))
def test_every_method_trains_resumably_and_makes_clips(name, tmp_path):
    trained = methods.train_method(LESSON.methods[name], tiny(steps=dict.fromkeys(LESSON.methods, 2)), run_dir=tmp_path,
                                   progress=False)
    checkpoint = tmp_path / f"{LESSON.methods[name].shipped}.pt"
    assert trained.source == "trained" and trained.history.steps == [1, 2] and checkpoint.exists()
    clips = models.sample_clips(trained.network, 5, batch=2)
    channels = 3 if name == "VGAN" else 1  # VGAN films a still colour scene, the others a grey digit
    assert clips.shape == (5, 16, channels, 32, 32) and clips.min() >= -1 and clips.max() <= 1
    assert torch.equal(clips, models.sample_clips(trained.network, 5, batch=2)), "sampling must be reproducible"
    assert (tmp_path / "tensorboard" / LESSON.methods[name].shipped).is_dir()


def test_discriminators_follow_the_table():
    nets = {name: method.networks(tiny()) for name, method in LESSON.methods.items()}
    assert set(nets["frame-independent"]) == {"G", "D_image"}
    assert set(nets["MoCoGAN"]) == {"G", "D_image", "D_video"}
    assert set(nets["MoCoGAN without video D"]) == {"G", "D_image"}
    assert set(nets["VGAN"]) == set(nets["TGAN"]) == {"G", "D_video"}
    assert nets["VGAN"]["G"].channels == 3 and nets["TGAN"]["D_video"].channels == 1


def test_names_and_errors():
    assert LESSON.methods["MoCoGAN without video D"].shipped == "video_gan_mocogan_no_video_d"
    assert LESSON.methods["frame-independent"].shipped == "video_gan_frame_independent"
    with pytest.raises(ValueError, match="unknown generator family 'dvdgan'"):
        lesson03.build_generator("dvdgan")
    with pytest.raises(ValueError, match="needs a MoCoGANGenerator"):
        metrics.content_motion_test(models.TGANGenerator(width=8))
    with pytest.raises(ValueError, match="no lesson '99_nothing'"):
        methods.lesson("99_nothing")
    with pytest.raises(ValueError, match="has settings for"):
        LESSON.config("laptop")
    with pytest.raises(ValueError, match="has no setting"):
        LESSON.methods["VGAN"].with_hyper(lambda_mask=1.0)


def test_video_gan_step_trains_every_discriminator_it_is_given():
    method = LESSON.methods["MoCoGAN"]
    cfg = methods.settings_for(method, tiny())
    nets = method.networks(cfg)
    opts = method.optimizers(nets, cfg)
    before = {name: [p.detach().clone() for p in m.parameters()] for name, m in nets.items()}
    step = lesson03.video_gan_step(nets, opts, lambda: torch.rand(2, 16, 1, 32, 32) * 2 - 1, cfg)
    history = train.train(step, nets, opts, steps=2, log_every=1, progress=False)
    assert set(history.metrics) == {"loss/g", "loss/d_image", "loss/d_video"}
    for name, m in nets.items():
        assert any(not torch.equal(a, b) for a, b in zip(before[name], m.parameters())), f"{name} did not change"
    with pytest.raises(ValueError, match="needs nets"):
        lesson03.video_gan_step({"G": nets["G"]}, opts, lambda: None, cfg)


def test_vgan_mask_penalty_is_logged():
    method = LESSON.methods["VGAN"]
    cfg = methods.settings_for(method, tiny())
    nets = method.networks(cfg)
    opts = method.optimizers(nets, cfg)
    step = lesson03.video_gan_step(nets, opts, method.batches(cfg, torch.Generator().manual_seed(0)), cfg)
    history = train.train(step, nets, opts, steps=1, log_every=1, progress=False)
    assert 0 < history.metrics["loss/mask"][0] < 1


def test_vgan_learns_a_still_camera_and_is_scored_by_its_mask():
    method = LESSON.methods["VGAN"]
    clips = method.batches(methods.settings_for(method, tiny()), torch.Generator().manual_seed(0))()
    assert clips.shape == (2, 16, 3, 32, 32)
    background_change = (clips[:, 1:] - clips[:, :-1]).abs().amax(dim=2)  # the picture is still, the shape moves
    assert (background_change < 1e-3).float().mean() > 0.7
    scores = lesson03.vgan_scores(method.networks(methods.settings_for(method, tiny()))["G"], n=8)
    assert set(scores) == {"mask_overlap", "mask_share", "path_spread", "real_mask_overlap", "real_mask_share",
                           "real_path_spread"}
    assert scores["real_path_spread"] > 5  # real shapes go everywhere
    assert scores["real_mask_overlap"] > 0.5 and 0 < scores["real_mask_share"] < 0.2


def test_a_notebook_step_equal_to_the_package_step_is_recognised_and_a_different_one_is_not():
    method = LESSON.methods["TGAN"]
    assert methods.check_same_step(method, tiny(), lesson03.video_gan_step) == 0.0

    def twice_the_mask_weight(nets, opts, batches, cfg):
        return lesson03.video_gan_step(nets, opts, batches, SimpleNamespace(**{**vars(cfg), "frames_per_clip": 1}))

    assert methods.check_same_step(LESSON.methods["MoCoGAN"], tiny(), twice_the_mask_weight) > 0


def test_load_or_train_trains_when_told_to_or_when_shapes_differ(tmp_path):
    tgan = LESSON.methods["TGAN"]
    assert methods.load_or_train(tgan, tiny(width=32), run_dir=tmp_path).source == "shipped"
    trained = methods.load_or_train(tgan, tiny(width=32, steps={"TGAN": 1}), retrain=True, run_dir=tmp_path,
                                    progress=False)
    assert trained.source == "trained" and (tmp_path / "video_gan_tgan.pt").exists()
    assert methods.load_or_train(tgan, tiny(steps={"TGAN": 1}), run_dir=tmp_path / "w8", progress=False).source == "trained"
    big = methods.load_or_train(LESSON.methods["MoCoGAN"], tiny(size=64, steps={"MoCoGAN": 1}), run_dir=tmp_path / "64",
                                progress=False)
    assert big.source == "trained" and models.sample_clips(big.network, 3).shape == (3, 16, 1, 64, 64)


def test_shipped_generators_load_and_are_verified():
    manifest = shipped.read_manifest()
    for method in LESSON.methods.values():
        assert method.shipped in manifest, f"run `vgan-course train-checkpoints {method.shipped}`"
        trained = methods.load_or_train(method, LESSON.config("cpu"), run_dir="unused")
        assert trained.source == "shipped" and not trained.network.training


def test_with_hyper_changes_a_weight_and_the_checkpoint_name():
    vgan = LESSON.methods["VGAN"].with_hyper(mask_weight=1.0)
    assert vgan.hyper["mask_weight"] == 1.0 and vgan.shipped == "video_gan_vgan_mask_weight1"
    assert LESSON.methods["VGAN"].hyper["mask_weight"] == 0.1


def test_train_checkpoints_knows_every_shipped_network(capsys):
    from vgan_course import cli

    names = set(checkpoint_trainers())
    assert {m.shipped for m in LESSON.methods.values()} <= names
    assert names == set(shipped.read_manifest()), "every trainer ships a checkpoint, every checkpoint has a trainer"
    assert cli.main(["train-checkpoints", "video_gan_dvdgan"]) == 2
    assert "unknown checkpoint(s) ['video_gan_dvdgan']" in capsys.readouterr().err
    assert cli.main(["train-checkpoints"]) == 2
    assert "name the checkpoints to retrain" in capsys.readouterr().err


def test_the_network_kept_is_the_moving_average(tmp_path):
    trained = methods.train_method(LESSON.methods["MoCoGAN"], tiny(steps={"MoCoGAN": 3}), run_dir=tmp_path,
                                   progress=False)
    saved = train.load_checkpoint(tmp_path / "video_gan_mocogan.pt")["models"]
    returned = trained.network.state_dict()
    assert all(torch.equal(returned[k], saved["G_average"][k]) for k in returned)
    assert any(not torch.equal(returned[k], saved["G"][k]) for k in returned), "the average must differ from the last G"


def test_score_clips_sees_a_shuffled_clip_set():
    reference = metrics.real_reference(128, seed=1)
    real = data.digit_clips(128, generator=torch.Generator().manual_seed(2))
    floor = metrics.score_clips(real, reference, rounds=5)
    mixed = metrics.score_clips(real[torch.arange(128)[:, None], torch.randperm(16)], reference, rounds=5)
    assert floor["clip_fd_low"] <= floor["clip_fd"] <= floor["clip_fd_high"]
    assert mixed["clip_fd"] > 3 * floor["clip_fd"] and abs(mixed["frame_fd"] - floor["frame_fd"]) < 1e-3
    assert floor["identity"] > 0.9 and mixed["roughness"] > 3 * floor["roughness"]


def test_content_motion_test_pairs_every_content_with_every_motion():
    G = models.MoCoGANGenerator(width=8)
    result = metrics.content_motion_test(G, n_content=3, n_motion=4, seed=0)
    assert result.clips.shape == (3, 4, 16, 1, 32, 32)
    with torch.no_grad():  # row i, column j is content i with motion j
        rng = torch.Generator().manual_seed(0)
        content = torch.randn(3, G.content_dim, generator=rng)
        motion = torch.randn(4, 16, G.motion_dim, generator=rng)
        assert torch.allclose(result.clips[2, 1], G(content[2:3], motion[1:2])[0].clamp(-1, 1), atol=1e-5)
    for value in (result.identity_same_content, result.identity_same_motion):
        assert 0 < value <= 1


def test_at_metric_resolution_averages_down_to_32():
    real64 = data.digit_clips(64, 64, generator=torch.Generator().manual_seed(3))
    small = metrics.at_metric_resolution(real64)
    assert small.shape == (64, 16, 1, 32, 32)
    assert torch.allclose(small[0, 0, 0, 0, 0], real64[0, 0, 0, :2, :2].mean())
    real32 = data.digit_clips(64, generator=torch.Generator().manual_seed(3))
    assert metrics.at_metric_resolution(real32) is real32
    assert metrics.motion_statistics(small).speed == pytest.approx(metrics.motion_statistics(real32).speed, rel=0.15)
    with pytest.raises(ValueError, match="multiple of 32"):
        metrics.at_metric_resolution(torch.zeros(1, 16, 1, 48, 48))


def test_appearance_drift_sees_a_digit_turn_into_another_and_diversity_sees_collapse():
    real = data.digit_clips(128, generator=torch.Generator().manual_seed(3))
    other = data.digit_clips(128, generator=torch.Generator().manual_seed(4))
    spliced = torch.cat([real[:, :8], other[:, 8:]], dim=1)  # a different digit from frame 8 on
    assert metrics.appearance_drift(real) < 0.05 < 0.2 < metrics.appearance_drift(spliced)
    assert metrics.appearance_drift(metrics.frozen(real)) == 0.0  # frozen keeps its look: read it with the speed
    collapsed = real[:1].expand(128, -1, -1, -1, -1)
    assert metrics.sample_diversity(collapsed) == 0.0 < 0.3 < metrics.sample_diversity(real)
    # an independent computation of the diversity: mean RMS difference of last frames over ordered pairs
    last = real[:6, -1].flatten(1)
    expected = sum(float(((last[i] - last[j]) ** 2).mean().sqrt()) for i in range(6) for j in range(6) if i != j) / 30
    assert metrics.sample_diversity(real[:6]) == pytest.approx(expected, rel=1e-4)


def test_moving_pixels_find_the_shape_of_a_still_scene_and_the_mask_overlap_scores_masks():
    clips = data.still_scene_clips(64, 16, generator=torch.Generator().manual_seed(0), speed=(2.0, 3.0))
    moving = metrics.moving_pixels(clips.video)
    truth = (clips.foreground > 0.5).float()
    assert metrics.mask_overlap(truth, moving) > 0.6  # the detector agrees with the world's own mask
    assert metrics.mask_overlap(torch.ones_like(truth), moving) < 0.2  # a mask over everything does not
    assert metrics.mask_overlap(torch.zeros_like(truth), moving) == 0.0
    with pytest.raises(ValueError, match="one shape"):
        metrics.mask_overlap(truth[:, :2], moving)
