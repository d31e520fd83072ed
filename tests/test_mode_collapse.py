"""Lesson 02's mode-collapse experiments: recipes train, runs repeat, the tuning and the MSG-GAN are what they say."""

import json

import pytest
import torch
import torch.nn.functional as F

from vgan_course import data, losses, models, mode_collapse, train
from vgan_course.mode_collapse import recipes, tuning


def test_every_remedy_trains_and_is_scored():
    ring = data.ring_of_gaussians()
    runs = mode_collapse.ablation(mode_collapse.REMEDIES, ring, [0], steps=3, n_eval=200)
    assert [r.recipe for r in runs] == [r.name for r in mode_collapse.REMEDIES]
    for run in runs:
        assert run.samples.shape == (200, 2) and torch.isfinite(run.samples).all()
        assert 0 <= run.coverage.modes_covered <= run.near.modes_covered <= 8
        assert run.d_updates == 3


def test_the_same_seed_gives_the_same_run_in_a_worker_process():
    ring = data.ring_of_gaussians()
    chosen = [mode_collapse.REMEDIES[0], mode_collapse.REMEDIES[6]]  # plain, R1
    here = mode_collapse.ablation(chosen, ring, [3, 4], steps=20, n_eval=100)
    there = mode_collapse.ablation(chosen, ring, [3, 4], steps=20, n_eval=100, workers=2)
    assert [(r.recipe, r.seed) for r in here] == [(r.recipe, r.seed) for r in there]
    for a, b in zip(here, there):
        assert torch.allclose(a.samples, b.samples, atol=1e-5)


def test_summary_and_table():
    ring = data.ring_of_gaussians()
    runs = mode_collapse.ablation([mode_collapse.REMEDIES[0]], ring, [0, 1, 2], steps=5, n_eval=100)
    (row,) = mode_collapse.summarise(runs)
    modes = [r.coverage.modes_covered for r in runs]
    assert row["seeds"] == 3 and row["modes_mean"] == pytest.approx(sum(modes) / 3)
    assert row["modes_min"] == min(modes) and row["modes_max"] == max(modes) and row["d_updates"] == 5
    text = mode_collapse.format_table([row], 8)
    assert mode_collapse.REMEDIES[0].name in text and "modes covered" in text


def test_bad_recipes_are_clear_errors():
    with pytest.raises(ValueError, match="unknown objective 'wgan'"):
        mode_collapse.Recipe("x", objective="wgan")
    with pytest.raises(ValueError, match="one penalty"):
        mode_collapse.Recipe("x", gradient_penalty=1.0, r1_gamma=1.0)
    with pytest.raises(ValueError, match="d_steps must be an integer >= 1, got 0"):
        mode_collapse.Recipe("x", d_steps=0)
    with pytest.raises(ValueError, match="l1_weight must be >= 0"):
        mode_collapse.Recipe("x", l1_weight=-1.0)
    with pytest.raises(ValueError, match="d_steps"):
        train.gan_step(None, None, None, None, real_batch=lambda: None, z_dim=2, d_steps=0)


def test_a_variant_needs_its_own_name_so_rows_never_merge():
    wgan = mode_collapse.REMEDIES[5]
    five = wgan.variant("WGAN-GP, 5 critic steps", d_steps=5)
    assert five.d_steps == 5 and five.gradient_penalty == wgan.gradient_penalty and five.name != wgan.name
    with pytest.raises(ValueError, match="a name of its own"):
        wgan.variant(wgan.name, d_steps=5)
    import dataclasses

    same_name = dataclasses.replace(wgan, d_steps=5)  # what exercise 4 used to suggest
    with pytest.raises(ValueError, match=r"more than once: use recipe.variant"):
        mode_collapse.ablation([wgan, same_name], data.ring_of_gaussians(), [0], steps=1)


def test_the_l1_penalty_adds_lambda_times_the_absolute_weights():
    torch.manual_seed(0)
    D = models.MLPDiscriminator()
    real, fake = torch.randn(8), torch.randn(8)
    with_l1 = recipes._with_l1(losses.discriminator_loss, D, 1e-3)
    by_hand = losses.discriminator_loss(real, fake) + 1e-3 * sum(layer.weight.abs().sum() for layer in D.net
                                                                  if isinstance(layer, torch.nn.Linear))
    assert torch.allclose(with_l1(real, fake), by_hand)
    assert recipes._with_l1(losses.discriminator_loss, D, 0.0) is losses.discriminator_loss


def test_gan_step_with_a_penalty_and_critic_steps_logs_the_penalty():
    G, D, opt_g, opt_d = mode_collapse.build(mode_collapse.REMEDIES[5])  # WGAN-GP
    ring = data.ring_of_gaussians()
    batches = []

    def real_batch():
        batches.append(1)
        return ring.sample(16)

    step = train.gan_step(G, D, opt_g, opt_d, real_batch, z_dim=8, d_loss=mode_collapse.OBJECTIVES["wasserstein"][0],
                          g_loss=mode_collapse.OBJECTIVES["wasserstein"][1], d_steps=5,
                          d_penalty=lambda D, real, fake: torch.tensor(0.5) + 0 * D(real).sum())
    history = train.train(step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d}, steps=2, log_every=1, progress=False)
    assert len(batches) == 10 and history.metrics["loss/penalty"] == [0.5, 0.5]


# --- the tuning ------------------------------------------------------------------------------


def test_every_remedy_gets_the_same_grid_size_starting_from_the_shared_default():
    grids = mode_collapse.grid()
    assert set(grids) == {r.name for r in mode_collapse.REMEDIES}
    defaults = {r.name: r for r in mode_collapse.REMEDIES}
    for remedy, settings in grids.items():
        assert len(settings) == 3, remedy
        first = settings[0][1]
        assert first.changes() == defaults[remedy].changes(), f"{remedy}: the first setting must be the shared default"
        assert (first.lr_d, first.betas, first.d_steps) == (1e-3, (0.5, 0.999), 1)
        assert len({r.name for _, r in settings}) == 3
    wgan = dict(grids["WGAN-GP"])
    toy = wgan["the 2-D code's: 5 critic steps, lambda 0.1"]
    assert (toy.lr_g, toy.betas, toy.d_steps, toy.gradient_penalty) == (1e-4, (0.5, 0.9), 5, 0.1)
    sn = dict(grids["spectral norm + hinge"])["SN-GAN's Adam, 5 D steps"]
    assert (sn.lr_d, sn.betas, sn.d_steps, sn.objective, sn.spectral_norm) == (2e-4, (0.0, 0.9), 5, "hinge", True)


def test_a_control_keeps_the_optimizer_and_drops_the_remedy():
    sn = dict(mode_collapse.grid()["spectral norm + hinge"])["SN-GAN's Adam, 5 D steps"]
    control = mode_collapse.control_for(sn)
    assert control.changes() == {"lr_g": 2e-4, "lr_d": 2e-4, "betas": (0.0, 0.9), "d_steps": 5}
    assert mode_collapse.control_for(mode_collapse.REMEDIES[6]) is None  # R1 at the shared optimizer: nothing to control
    ttur = dict(mode_collapse.grid()["two time-scale (TTUR)"])["SAGAN's, G 1e-4 / D 4e-4, betas (0, 0.9)"]
    assert mode_collapse.control_for(ttur) is None  # the optimizer is the whole remedy


def _record(remedy, label, seed, modes, quality=0.5, **extra):
    return {"remedy": remedy, "label": label, "name": f"{remedy}: {label}", "seed": seed, "modes_covered": modes,
            "n_modes": 8, "modes_near": modes, "high_quality": quality, "d_updates": 4000, "seconds": 1.0, **extra}


def test_the_best_setting_has_the_most_modes_then_the_best_quality():
    labels = [label for label, _ in mode_collapse.GRID["R1 penalty"]]
    runs = [_record("R1 penalty", labels[0], s, 4) for s in range(3)] + \
           [_record("R1 penalty", labels[1], s, 6, 0.2) for s in range(3)] + \
           [_record("R1 penalty", labels[2], s, 6, 0.4) for s in range(3)]
    assert mode_collapse.best_label(runs, "R1 penalty") == labels[2]
    with pytest.raises(ValueError, match="no recorded runs of 'WGAN-GP'"):
        mode_collapse.best_label(runs, "WGAN-GP")


def test_the_tuning_table_shows_default_best_and_control():
    labels = [label for label, _ in mode_collapse.GRID["spectral norm + hinge"]]
    runs = [_record("spectral norm + hinge", label, s, modes) for label, modes in zip(labels, (0, 1, 8)) for s in range(2)]
    best_name = f"spectral norm + hinge: {labels[2]}"
    controls = [{**_record("plain GAN", "x", s, 1), "for": best_name} for s in range(2)]
    rows = mode_collapse.tuning_table({"grid": {"seeds": [0, 1], "runs": runs, "controls": controls}})
    assert [(r["row"], r["modes_mean"]) for r in rows] == [("default", 0), ("best", 8), ("control", 1)]
    assert "control" in mode_collapse.format_tuning_table(rows)


def test_the_recorded_tuning_ships_inside_the_package_and_every_tabled_remedy_is_complete():
    record = mode_collapse.recorded()
    seeds, runs = record["grid"]["seeds"], record["grid"]["runs"]
    labels = {remedy: [label for label, _ in settings] for remedy, settings in mode_collapse.GRID.items()}
    for r in runs:  # every recorded run is a setting of the grid, on a seed of the record, at its budget
        assert r["label"] in labels[r["remedy"]] and r["seed"] in seeds and r["steps"] == record["grid"]["steps"], r["name"]
    tabled = {row["remedy"] for row in mode_collapse.tuning_table(record)}
    for remedy, (done, needed) in mode_collapse.progress(record).items():
        assert (remedy in tabled) == (done == needed), remedy
        if remedy in tabled:
            for label in labels[remedy]:
                got = sorted(r["seed"] for r in runs if r["remedy"] == remedy and r["label"] == label)
                assert got == sorted(seeds), f"{remedy}: {label} has seeds {got}, expected {seeds}"
    assert {"plain GAN", "L2 weight decay", "L1 penalty"} <= tabled  # the baseline and the article's remedies


def test_a_partial_record_tables_only_the_complete_remedies():
    labels = [label for label, _ in mode_collapse.GRID["L1 penalty"]]
    record = {"grid": {"seeds": [0, 1], "runs": [_record("L1 penalty", label, s, 3) for label in labels for s in (0, 1)]
                       + [_record("R1 penalty", mode_collapse.GRID["R1 penalty"][0][0], 0, 5)]}}
    assert mode_collapse.progress(record)["L1 penalty"] == (6, 6) and mode_collapse.progress(record)["R1 penalty"] == (1, 6)
    assert {row["remedy"] for row in mode_collapse.tuning_table(record)} == {"L1 penalty"}



def test_long_run_finals_read_the_end_of_each_recorded_long_run():
    record = {"longer": {"runs": [{"name": "lower", "seed": 100, "modes_covered": 3},
                                  {"name": "lower", "seed": 101, "modes_covered": 4}]},
              "digits": {"runs": [{"name": "dcgan", "seed": 100, "snapshots": [{"classes_covered": 2}, {"classes_covered": 9}]}]}}
    assert mode_collapse.long_run_finals(record, "longer") == {"lower": {100: 3, 101: 4}}
    assert mode_collapse.long_run_finals(record, "digits") == {"dcgan": {100: 9}}  # the last snapshot, not the first
    assert mode_collapse.long_run_finals({"grid": {}}, "digits") == {}
    with pytest.raises(ValueError, match="'longer' or 'digits'"):
        mode_collapse.long_run_finals(record, "grid")

# --- MSG-GAN on digits ----------------------------------------------------------------------


def test_the_image_pyramid_is_2x2_average_pooling():
    images = torch.rand(3, 1, 32, 32) * 2 - 1
    pyramid = models.image_pyramid(images)
    assert [tuple(p.shape) for p in pyramid] == [(3, 1, 4, 4), (3, 1, 8, 8), (3, 1, 16, 16), (3, 1, 32, 32)]
    by_hand = images.reshape(3, 1, 16, 2, 16, 2).mean(dim=(3, 5))
    assert torch.allclose(pyramid[2], by_hand, atol=1e-6) and torch.equal(pyramid[3], images)
    assert torch.allclose(pyramid[0], images.reshape(3, 1, 4, 8, 4, 8).mean(dim=(3, 5)), atol=1e-6)
    with pytest.raises(ValueError, match=r"\(n, c, 32, 32\), got \(3, 1, 16, 16\)"):
        models.image_pyramid(images[..., :16, :16])


def test_msg_gan_sees_every_scale_and_sends_gradients_to_every_block():
    G, D = mode_collapse.build_digit_gan("MSG-GAN", width=8)
    z = torch.randn(4, 64)
    images = G(z)
    assert [tuple(i.shape) for i in images] == [(4, 1, 4, 4), (4, 1, 8, 8), (4, 1, 16, 16), (4, 1, 32, 32)]
    assert all(i.abs().max() <= 1 for i in images)
    logits = D(images)
    assert logits.shape == (4,)
    for scale in range(3):  # D's verdict depends on each smaller image directly
        changed = [i.clone() for i in images]
        changed[scale] = changed[scale] + 0.5
        assert not torch.allclose(D(changed), logits)
    losses.generator_loss_nonsaturating(logits).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for name, p in G.named_parameters() if "to_image" in name)
    with pytest.raises(ValueError, match="list of 4 batches"):
        D(images[-1])
    with pytest.raises(ValueError, match=r"the images of 8 pixels must be \(n, 1, 8, 8\)"):
        D([images[0], images[0], images[2], images[3]])


def test_dcgan_and_msg_gan_differ_only_in_the_multi_scale_connections():
    dcgan_G, dcgan_D = mode_collapse.build_digit_gan("DCGAN", width=8)
    msg_G, msg_D = mode_collapse.build_digit_gan("MSG-GAN", width=8)
    extra_g = sum(p.numel() for name, p in msg_G.named_parameters() if "to_image" in name)
    assert sum(p.numel() for p in msg_G.parameters()) - extra_g == sum(p.numel() for p in dcgan_G.parameters())
    with pytest.raises(ValueError, match="architecture must be one of"):
        mode_collapse.build_digit_gan("StyleGAN")


def test_a_short_digit_run_is_scored_along_the_way():
    run = mode_collapse.train_digit_gan("MSG-GAN", steps=4, seed=0, snapshots=2, width=8, batch=8, n_eval=40)
    assert run.samples.shape == (40, 1, 32, 32) and [step for step, _ in run.snapshots] == [2, 4]
    assert set(run.snapshots[0][1]) == {"confident_fraction", "classes_covered", "inception_score", "class_counts"}
    json.dumps(run.snapshots)  # plain numbers, for the recorded file
    assert 0 <= run.score.classes_covered <= 10 and run.parameters["D"] > 0
