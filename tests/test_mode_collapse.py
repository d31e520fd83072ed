"""Lesson 02's recipes and ablation: every recipe trains, runs repeat, workers change nothing."""

import pytest
import torch

from vgan_course import data, recipes, train


def test_every_remedy_trains_and_is_scored():
    ring = data.ring_of_gaussians()
    runs = recipes.ablation(recipes.REMEDIES, ring, [0], steps=3, n_eval=200)
    assert [r.recipe for r in runs] == [r.name for r in recipes.REMEDIES]
    for run in runs:
        assert run.samples.shape == (200, 2) and torch.isfinite(run.samples).all()
        assert 0 <= run.coverage.modes_covered <= run.near.modes_covered <= 8


def test_the_same_seed_gives_the_same_run_in_a_worker_process():
    ring = data.ring_of_gaussians()
    chosen = [recipes.REMEDIES[0], recipes.REMEDIES[6]]  # plain, R1
    here = recipes.ablation(chosen, ring, [3, 4], steps=20, n_eval=100)
    there = recipes.ablation(chosen, ring, [3, 4], steps=20, n_eval=100, workers=2)
    assert [(r.recipe, r.seed) for r in here] == [(r.recipe, r.seed) for r in there]
    for a, b in zip(here, there):
        assert torch.allclose(a.samples, b.samples, atol=1e-5)


def test_summary_and_table():
    ring = data.ring_of_gaussians()
    runs = recipes.ablation([recipes.REMEDIES[0]], ring, [0, 1, 2], steps=5, n_eval=100)
    (row,) = recipes.summarise(runs)
    modes = [r.coverage.modes_covered for r in runs]
    assert row["seeds"] == 3 and row["modes_mean"] == pytest.approx(sum(modes) / 3)
    assert row["modes_min"] == min(modes) and row["modes_max"] == max(modes)
    text = recipes.format_table([row], 8)
    assert recipes.REMEDIES[0].name in text and "modes covered" in text


def test_bad_recipes_are_clear_errors():
    with pytest.raises(ValueError, match="unknown objective 'wgan'"):
        recipes.Recipe("x", objective="wgan")
    with pytest.raises(ValueError, match="one penalty"):
        recipes.train_2d(recipes.Recipe("x", gradient_penalty=1.0, r1_gamma=1.0), data.ring_of_gaussians(), steps=1, seed=0)
    with pytest.raises(ValueError, match="d_steps"):
        train.gan_step(None, None, None, None, real_batch=lambda: None, z_dim=2, d_steps=0)


def test_gan_step_with_a_penalty_and_critic_steps_logs_the_penalty():
    G, D, opt_g, opt_d = recipes.build(recipes.REMEDIES[5])  # WGAN-GP
    ring = data.ring_of_gaussians()
    batches = []

    def real_batch():
        batches.append(1)
        return ring.sample(16)

    step = train.gan_step(G, D, opt_g, opt_d, real_batch, z_dim=8, d_loss=recipes.OBJECTIVES["wasserstein"][0],
                          g_loss=recipes.OBJECTIVES["wasserstein"][1], d_steps=5,
                          d_penalty=lambda D, real, fake: torch.tensor(0.5) + 0 * D(real).sum())
    history = train.train(step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d}, steps=2, log_every=1, progress=False)
    assert len(batches) == 10 and history.metrics["loss/penalty"] == [0.5, 0.5]
