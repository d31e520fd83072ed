"""Lesson 06's conditional networks and their training step: the projection logit and the
matching-aware loss against their formulas, shapes at 32 and 64, errors, one step of each method."""

import copy
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from vgan_course import methods, models, shipped, train
from vgan_course.methods import controllable_clips as cc
from vgan_course.data import captions

V = len(captions.VOCABULARY)
LESSON = methods.lesson("06_controllable_clips")


def settings(method, profile="smoke", **overrides):
    return methods.settings_for(LESSON.methods[method], LESSON.config(profile, **overrides))


def tokens(n, seed=0):
    return captions.captioned_digits(n, generator=torch.Generator().manual_seed(seed)).tokens


def test_text_encoder_reads_up_to_the_last_word():
    torch.manual_seed(0)
    encoder = models.TextEncoder(V, dim=16)
    ids = captions.tokenize(["digit 3 moves left", "digit 3 moves left and digit 5 moves down"])
    out = encoder(ids)
    assert out.shape == (2, 16) and not torch.allclose(out[0], out[1])
    states, _ = encoder.gru(encoder.embed(ids[:1, :4]))  # the one-clause caption without its padding
    assert torch.allclose(out[0], states[0, -1], atol=1e-6), "padding must not change the sentence's vector"
    with pytest.raises(ValueError, match="long tensor"):
        encoder(ids.float())
    with pytest.raises(ValueError, match=r"token ids must lie in 0..17"):
        encoder(torch.full((1, 9), 18))


def test_conditional_batch_norm_starts_plain_and_then_follows_the_condition():
    torch.manual_seed(0)
    norm = models.ConditionalBatchNorm(3, 5)
    x, c = torch.randn(4, 3, 2, 2), torch.randn(4, 5)
    assert torch.allclose(norm(x, c), F.batch_norm(x, None, None, training=True), atol=1e-5)
    with torch.no_grad():
        norm.film.bias[:3] = 1.0  # gamma = 1: scale 2
        norm.film.bias[3:] = 0.5  # beta
    assert torch.allclose(norm(x, c), 2 * F.batch_norm(x, None, None, training=True) + 0.5, atol=1e-5)


@pytest.mark.parametrize("size", [32, 64])
def test_generator_and_discriminators_fit_together(size):
    torch.manual_seed(0)
    G = models.ConditionalMoCoGANGenerator(V, cond_dim=16, width=4, size=size)
    ids = tokens(3)
    clips = G.generate(ids)
    assert clips.shape == (3, 16, 1, size, size) and clips.abs().max() <= 1
    for conditioning in ("projection", "concatenation"):
        D_frame = models.ConditionalDiscriminator("frame", conditioning, V, width=4, size=size, cond_dim=16)
        D_clip = models.ConditionalDiscriminator("clip", conditioning, V, width=4, size=size, cond_dim=16)
        assert D_frame(clips[:, 0], ids).shape == (3,) and D_clip(clips, ids).shape == (3,)
    G.eval()
    latents = G.sample_latents(1, generator=torch.Generator().manual_seed(1))
    a, b = (G(G.text_encoder(captions.tokenize(p)), **latents) for p in ("digit 1 moves up", "digit 7 moves left"))
    assert not torch.allclose(a, b), "the same latents with another caption give another clip"


def test_bad_shapes_get_named_errors():
    G = models.ConditionalMoCoGANGenerator(V, cond_dim=16, width=4)
    latents = G.sample_latents(2)
    with pytest.raises(ValueError, match=r"condition must have shape \(2, 16\), got \(2, 8\)"):
        G(torch.zeros(2, 8), **latents)
    with pytest.raises(ValueError, match="content must be"):
        G(torch.zeros(2, 16), latents["content"][:, :3], latents["motion_noise"])
    D = models.ConditionalDiscriminator("clip", "projection", V, width=4, cond_dim=16)
    with pytest.raises(ValueError, match="one caption each"):
        D(torch.zeros(2, 16, 1, 32, 32), tokens(3))
    with pytest.raises(ValueError, match="clips must have shape"):
        D(torch.zeros(2, 1, 32, 32), tokens(2))
    with pytest.raises(ValueError, match="conditioning must be one of"):
        models.ConditionalDiscriminator("clip", "attention", V)
    with pytest.raises(ValueError, match="size must be 32 or 64"):
        models.ConditionalMoCoGANGenerator(V, size=48)


def test_projection_logit_is_psi_of_phi_plus_the_inner_product():
    torch.manual_seed(0)
    head = models.ProjectionHead(6, 4)
    features, condition = torch.randn(3, 6, 2, 4, 4), torch.randn(3, 4)
    phi = features.mean(dim=(2, 3, 4))  # mean pooling over time and space
    w, b, V_matrix = head.psi.weight[0], head.psi.bias[0], head.project.weight  # V: (6, 4)
    expected = torch.stack([phi[i] @ w + b + (V_matrix @ condition[i]) @ phi[i] for i in range(3)])
    assert torch.allclose(head(features, condition), expected, atol=1e-5)


def test_concatenation_head_tiles_the_condition_over_every_position():
    torch.manual_seed(0)
    head = models.ConcatenationHead(6, 4, embed_dim=3)
    features, condition = torch.randn(2, 6, 4, 4), torch.randn(2, 4)
    embedded = F.leaky_relu(head.reduce(condition), 0.2)[:, :, None, None].expand(-1, -1, 4, 4)
    mixed = F.leaky_relu(F.conv2d(torch.cat([features, embedded], 1), head.mix.weight, head.mix.bias), 0.2)
    expected = (mixed * head.out.weight[0]).sum(dim=(1, 2, 3)) + head.out.bias[0]
    assert torch.allclose(head(features, condition), expected, atol=1e-5)
    clip_features = features[:, :, None].expand(-1, -1, 3, -1, -1)  # three equal time steps: the same logit
    assert torch.allclose(head(clip_features, condition), expected, atol=1e-5)


def test_matching_aware_loss_follows_its_formula():
    real_right, real_wrong, fake_right = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.3]), torch.tensor([0.1, -0.5])
    D = torch.sigmoid  # the probability that a (clip, caption) pair is real and matching
    expected = (-torch.log(D(real_right)).mean() - 0.25 * torch.log(1 - D(real_wrong)).mean()
                - 0.75 * torch.log(1 - D(fake_right)).mean())
    assert torch.isclose(cc.matching_aware_loss(real_right, real_wrong, fake_right, 0.25), expected)
    plain = cc.matching_aware_loss(real_right, real_wrong, fake_right, 0.0)
    assert torch.isclose(plain, -torch.log(D(real_right)).mean() - torch.log(1 - D(fake_right)).mean())
    with pytest.raises(ValueError, match=r"mismatch_weight must lie in \[0, 1\]"):
        cc.matching_aware_loss(real_right, real_wrong, fake_right, 1.5)


def test_mismatched_captions_are_always_other_seen_captions():
    clips = captions.captioned_digits(300, "all", generator=torch.Generator().manual_seed(0))
    wrong = cc.mismatched_tokens(clips.digits[:, 0], clips.motions[:, 0], torch.Generator().manual_seed(1))
    assert wrong.shape == clips.tokens.shape and not (wrong == clips.tokens).all(dim=1).any()
    seen = {tuple(t) for t in captions.tokenize([captions.caption_text(p) for p in captions.combinations("seen")]).tolist()}
    assert {tuple(t) for t in wrong.tolist()} <= seen


@pytest.mark.parametrize("method", cc.METHOD_NAMES)
def test_one_step_of_each_method_moves_every_network(method):
    cfg = settings(method, width=4, batch=3)
    torch.manual_seed(0)
    nets = cc.build_networks(cfg)
    before = {name: copy.deepcopy(net.state_dict()) for name, net in nets.items()}
    opts = cc.make_optimizers(nets, cfg)
    assert set(opts) == {"G", "D_frame", "D_clip"} and opts["G"].param_groups[0]["betas"] == (0.5, 0.999)
    step = cc.make_step(nets, opts, cc.training_batches(cfg, torch.Generator().manual_seed(0)), cfg)
    logged = step(train.StepContext(torch.device("cpu"), None, opts))
    assert set(logged) == {"loss/g", "loss/d_frame", "loss/d_clip"}
    for name, net in nets.items():
        changed = any(not torch.equal(v, before[name][k]) for k, v in net.state_dict().items() if v.is_floating_point())
        assert changed, f"{name} did not change"
    assert type(nets["D_clip"].head).__name__ == ("ProjectionHead" if "projection" in method else "ConcatenationHead")


def test_the_step_checker_sees_a_different_step():
    method, cfg = LESSON.methods["projection D"], LESSON.config("smoke", width=4, batch=2)
    assert methods.check_same_step(method, cfg, cc.make_step) == 0.0

    def without_wrong_captions(nets, opts, batch_fn, cfg):
        return cc.make_step(nets, opts, batch_fn, SimpleNamespace(**{**vars(cfg), "mismatch_weight": 0.0}))
    assert methods.check_same_step(method, cfg, without_wrong_captions) > 1e-6


def test_training_resumes_from_its_checkpoint(tmp_path):
    method, cfg = LESSON.methods["projection D"], LESSON.config("smoke", width=4, batch=2)
    trained = methods.load_or_train(method, cfg, retrain=True, run_dir=tmp_path, progress=False)
    assert trained.source == "trained" and trained.history.steps == [1, 2] and not trained.network.training
    assert (tmp_path / "controllable_projection_d.pt").exists()
    again = methods.train_method(method, cfg, run_dir=tmp_path, progress=False)  # finished: does nothing more
    assert again.history.steps == [1, 2] and torch.equal(again.network.image.out.weight, trained.network.image.out.weight)


@pytest.mark.parametrize("name", cc.METHOD_NAMES)
def test_shipped_generator_loads_in_the_cpu_profile(name, tmp_path):
    method = LESSON.methods[name]
    if method.shipped not in shipped.read_manifest():
        pytest.skip(f"lesson 06's generators are not shipped yet: run `vgan-course train-checkpoints {method.shipped}`")
    loaded = methods.load_or_train(method, LESSON.config("cpu"), run_dir=tmp_path)
    assert loaded.source == "shipped" and not loaded.network.training


def test_unknown_profile_and_setting_are_named():
    with pytest.raises(ValueError, match="not 'fast'"):
        LESSON.config("fast")
    with pytest.raises(ValueError, match="no setting"):
        LESSON.methods["projection D"].with_hyper(attention=1.0)


def test_sound_encoder_learns_to_land_near_the_text_encoder():
    torch.manual_seed(0)
    G = models.ConditionalMoCoGANGenerator(V, cond_dim=16, width=4).eval()
    encoder = cc.train_sound_encoder(G, steps=60, batch=32)
    digits, motions = torch.tensor([3, 5, 8]), torch.tensor([1, 2, 3])
    with torch.no_grad():
        target = G.text_encoder(captions.tokenize([captions.caption_text((int(d), captions.MOTIONS[int(m)]))
                                                   for d, m in zip(digits, motions)]))
        got = cc.sound_condition(encoder, seed=1)(digits, motions)
        untrained = models.SoundEncoder(16)(captions.caption_sound(digits, motions))
    assert got.shape == (3, 16)
    assert F.mse_loss(got, target) < 0.5 * F.mse_loss(untrained, target)
    with pytest.raises(ValueError, match=r"sound must have shape \(n, samples >= 256\)"):
        encoder(torch.zeros(3, 100))
