"""Lesson 03's five video GANs: built, trained a few steps, scored, checked for content/motion."""

import pytest
import torch

from vgan_course import models, shipped, train, video_gans


@pytest.mark.parametrize("name", list(video_gans.MODELS))
def test_every_model_trains_and_makes_clips(name, tmp_path):
    trained = video_gans.train_video_gan(name, steps=2, seed=0, batch=2, width=8, checkpoint=tmp_path / "run.pt")
    assert trained.source == "trained" and trained.history.steps == [1, 2] and (tmp_path / "run.pt").exists()
    clips = video_gans.sample_clips(trained.G, 5, batch=2)
    assert clips.shape == (5, 16, 1, 32, 32) and clips.min() >= -1 and clips.max() <= 1
    again = video_gans.sample_clips(trained.G, 5, batch=2)
    assert torch.equal(clips, again), "sampling must be reproducible from its seed"


def test_discriminators_follow_the_table():
    assert video_gans.MODELS["frame-independent"][1:] == (True, False)
    assert video_gans.MODELS["MoCoGAN"][1:] == (True, True)
    assert video_gans.MODELS["MoCoGAN without video D"][1:] == (True, False)
    assert {v[2] for k, v in video_gans.MODELS.items() if k in ("VGAN", "TGAN")} == {True}


def test_names_and_errors():
    assert video_gans.shipped_name("MoCoGAN without video D") == "video_gan_mocogan_no_video_d"
    assert video_gans.shipped_name("frame-independent") == "video_gan_frame_independent"
    with pytest.raises(ValueError, match="unknown video GAN 'DVD-GAN'"):
        video_gans.build_generator("DVD-GAN")
    with pytest.raises(ValueError, match="needs a MoCoGANGenerator"):
        video_gans.content_motion_test(models.TGANGenerator(width=8))


def test_load_or_train_trains_when_told_to(tmp_path):
    trained = video_gans.load_or_train("TGAN", retrain=True, run_dir=tmp_path, steps=1, batch=2, width=8)
    assert trained.source == "trained" and (tmp_path / "video_gan_tgan.pt").exists()


def test_shipped_generators_load_and_are_verified():
    manifest = shipped.read_manifest()
    for name in video_gans.MODELS:
        assert video_gans.shipped_name(name) in manifest, f"run `vgan-course train-checkpoints {video_gans.shipped_name(name)}`"
        trained = video_gans.load_or_train(name, run_dir="unused", steps=0)
        assert trained.source == "shipped" and not trained.G.training


def test_score_clips_sees_a_shuffled_clip_set():
    reference = video_gans.real_reference(128, seed=1)
    real = video_gans.real_clips(128, generator=torch.Generator().manual_seed(2))
    floor = video_gans.score_clips(real, reference, rounds=5)
    mixed = video_gans.score_clips(real[torch.arange(128)[:, None], torch.randperm(16)], reference, rounds=5)
    assert floor["clip_fd_low"] <= floor["clip_fd"] <= floor["clip_fd_high"]
    assert mixed["clip_fd"] > 3 * floor["clip_fd"] and abs(mixed["frame_fd"] - floor["frame_fd"]) < 1e-3
    assert floor["identity"] > 0.9 and mixed["roughness"] > 3 * floor["roughness"]
    lines = video_gans.format_results({"real": floor, "shuffled": mixed}).splitlines()
    assert len(lines) == 3 and lines[1].startswith("real") and f"{mixed['clip_fd']:.1f}" in lines[2]


def test_content_motion_test_pairs_every_content_with_every_motion():
    G = models.MoCoGANGenerator(width=8)
    result = video_gans.content_motion_test(G, n_content=3, n_motion=4, seed=0)
    assert result.clips.shape == (3, 4, 16, 1, 32, 32)
    with torch.no_grad():  # row i, column j is content i with motion j
        rng = torch.Generator().manual_seed(0)
        content = torch.randn(3, G.content_dim, generator=rng)
        motion = torch.randn(4, 16, G.motion_dim, generator=rng)
        assert torch.allclose(result.clips[2, 1], G(content[2:3], motion[1:2])[0].clamp(-1, 1), atol=1e-5)
    for value in (result.identity_same_content, result.identity_same_motion):
        assert 0 < value <= 1
    assert result.path_same_content >= 0 and result.velocity_same_motion >= 0


def test_train_checkpoints_knows_every_shipped_network(capsys):
    from vgan_course import cli

    names = set(cli.checkpoint_trainers())
    from vgan_course import restoration, style_transfer

    assert names == {"video_features", *(video_gans.shipped_name(n) for n in video_gans.MODELS),
                     *(style_transfer.shipped_name(m) for m in style_transfer.METHODS),
                     *(style_transfer.shipped_name(m, footage=True) for m in style_transfer.FOOTAGE_METHODS),
                     *(restoration.shipped_name(m) for m in restoration.METHODS),
                     *(restoration.shipped_name(m, carphone=True) for m in restoration.CARPHONE_METHODS)}
    assert names == set(shipped.read_manifest()), "every trainer ships a checkpoint, every checkpoint has a trainer"
    assert cli.main(["train-checkpoints", "video_gan_dvdgan"]) == 1
    assert "unknown checkpoint(s) ['video_gan_dvdgan']" in capsys.readouterr().err


def test_64x64_trains_instead_of_loading_the_shipped_32x32(tmp_path):
    trained = video_gans.load_or_train("MoCoGAN", run_dir=tmp_path, steps=1, batch=2, width=8, size=64)
    assert trained.source == "trained"
    assert video_gans.sample_clips(trained.G, 3).shape == (3, 16, 1, 64, 64)


def test_another_width_trains_instead_of_loading_the_shipped_width(tmp_path):
    # the shipped generators have width 32; the gpu profile's width 64 must train, not fail to load
    trained = video_gans.load_or_train("TGAN", run_dir=tmp_path, steps=1, batch=2, width=8)
    assert trained.source == "trained"
    assert video_gans.load_or_train("TGAN", run_dir=tmp_path / "shipped", steps=1, batch=2).source == "shipped"


def test_at_metric_resolution_averages_down_to_32():
    real64 = video_gans.real_clips(64, generator=torch.Generator().manual_seed(3), size=64)
    small = video_gans.at_metric_resolution(real64)
    assert small.shape == (64, 16, 1, 32, 32)
    assert torch.allclose(small[0, 0, 0, 0, 0], real64[0, 0, 0, :2, :2].mean())
    real32 = video_gans.real_clips(64, generator=torch.Generator().manual_seed(3))
    assert video_gans.at_metric_resolution(real32) is real32
    # a 64 x 64 real clip, averaged down, moves like a 32 x 32 one (speeds scale with the canvas)
    from vgan_course.metrics import motion_statistics
    assert motion_statistics(small).speed == pytest.approx(motion_statistics(real32).speed, rel=0.15)
    with pytest.raises(ValueError, match="multiple of 32"):
        video_gans.at_metric_resolution(torch.zeros(1, 16, 1, 48, 48))


def test_the_generator_returned_is_the_moving_average(tmp_path):
    trained = video_gans.train_video_gan("MoCoGAN", steps=3, batch=2, width=8, checkpoint=tmp_path / "run.pt")
    saved = train.load_checkpoint(tmp_path / "run.pt")["models"]
    returned = trained.G.state_dict()
    assert all(torch.equal(returned[k], saved["G_average"][k]) for k in returned)
    assert any(not torch.equal(returned[k], saved["G"][k]) for k in returned), "the average must differ from the last G"
