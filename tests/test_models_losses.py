import pytest
import torch
import torch.nn.functional as F

from vgan_course import losses, models


def test_mlp_shapes_and_errors():
    G, D = models.MLPGenerator(z_dim=8), models.MLPDiscriminator()
    x = G(torch.randn(5, 8))
    assert x.shape == (5, 2) and D(x).shape == (5,)
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 8\), got \(5, 2\)"):
        G(torch.randn(5, 2))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 2\)"):
        D(torch.randn(5, 2, 1))


@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_and_range(channels):
    G = models.DCGANGenerator(z_dim=16, channels=channels, width=8)
    D = models.DCGANDiscriminator(channels=channels, width=8)
    G.apply(models.init_dcgan_weights)
    images = G(torch.randn(4, 16))
    assert images.shape == (4, channels, 32, 32)
    assert images.min() >= -1 and images.max() <= 1
    assert D(images).shape == (4,)


def test_dcgan_bad_inputs():
    G, D = models.DCGANGenerator(z_dim=16, width=8), models.DCGANDiscriminator(width=8)
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 16\)"):
        G(torch.randn(4, 16, 1, 1))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 1, height, width\), got \(4, 3, 32, 32\)"):
        D(torch.randn(4, 3, 32, 32))
    with pytest.raises(ValueError, match=r"\(batch, 1, 32, 32\), got \(4, 1, 64, 64\)"):
        D(torch.randn(4, 1, 64, 64))


def test_losses_equal_binary_cross_entropy():
    real, fake = torch.randn(64), torch.randn(64)
    bce = F.binary_cross_entropy_with_logits
    expected_d = bce(real, torch.ones(64)) + bce(fake, torch.zeros(64))
    assert torch.allclose(losses.discriminator_loss(real, fake), expected_d)
    assert torch.allclose(losses.generator_loss_nonsaturating(fake), bce(fake, torch.ones(64)))
    d_fake = torch.sigmoid(fake)
    assert torch.allclose(losses.generator_loss_minimax(fake), torch.log(1 - d_fake).mean(), atol=1e-6)


def test_minimax_saturates_where_nonsaturating_does_not():
    """When D confidently rejects the fakes (D(G(z)) ~ 1e-4), the minimax gradient vanishes."""
    logits = torch.full((16,), -9.0, requires_grad=True)  # D(G(z)) = sigmoid(-9) ~ 1.2e-4
    (minimax_grad,) = torch.autograd.grad(losses.generator_loss_minimax(logits), logits)
    (ns_grad,) = torch.autograd.grad(losses.generator_loss_nonsaturating(logits), logits)
    assert ns_grad.abs().sum() > 1000 * minimax_grad.abs().sum()


def test_losses_reject_wrong_shapes():
    with pytest.raises(ValueError, match=r"real_logits must be a 1-D tensor of logits with shape \(batch,\), got \(4, 1\)"):
        losses.discriminator_loss(torch.zeros(4, 1), torch.zeros(4))
    with pytest.raises(ValueError, match="fake_logits"):
        losses.generator_loss_nonsaturating(torch.zeros(4, 1))


# --- lesson 02's zoo -------------------------------------------------------------------------


def test_zoo_losses_match_their_formulas():
    real, fake = torch.randn(32) * 2, torch.randn(32) * 2
    assert torch.allclose(losses.lsgan_discriminator_loss(real, fake), 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake ** 2).mean())
    assert torch.allclose(losses.lsgan_generator_loss(fake), 0.5 * ((fake - 1) ** 2).mean())
    assert torch.allclose(losses.wasserstein_critic_loss(real, fake), fake.mean() - real.mean())
    assert torch.allclose(losses.wasserstein_generator_loss(fake), -fake.mean())
    hinge = torch.clamp(1 - real, min=0).mean() + torch.clamp(1 + fake, min=0).mean()
    assert torch.allclose(losses.hinge_discriminator_loss(real, fake), hinge)
    assert torch.allclose(losses.hinge_generator_loss(fake), -fake.mean())
    for loss in (losses.lsgan_generator_loss, losses.hinge_generator_loss, losses.wasserstein_generator_loss):
        with pytest.raises(ValueError, match="shape \\(batch,\\)"):
            loss(torch.zeros(3, 1))


def test_gradient_penalty_on_critics_with_known_gradients():
    w = torch.tensor([3.0, 4.0])
    assert torch.isclose(losses.gradient_penalty(lambda x: x @ w, torch.randn(16, 2), torch.randn(16, 2)), torch.tensor(160.0))
    unit = torch.tensor([0.6, 0.8])  # |w| = 1: a 1-Lipschitz linear critic has no penalty
    assert losses.gradient_penalty(lambda x: x @ unit, torch.randn(16, 2), torch.randn(16, 2)).abs() < 1e-6
    critic = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(2 * 4 * 4, 1), torch.nn.Flatten(0))
    penalty = losses.gradient_penalty(critic, torch.randn(4, 1, 6, 6), torch.randn(4, 1, 6, 6))
    (grad,) = torch.autograd.grad(penalty, critic[0].weight)  # trainable: create_graph works
    assert grad.abs().sum() > 0
    with pytest.raises(ValueError, match="same shape"):
        losses.gradient_penalty(critic, torch.randn(4, 1, 6, 6), torch.randn(3, 1, 6, 6))


def test_r1_penalty_on_known_functions():
    x = torch.randn(16, 2)
    assert torch.isclose(losses.r1_penalty(lambda v: 0.5 * (v ** 2).sum(1), x, gamma=2.0), (x ** 2).sum(1).mean())
    assert torch.isclose(losses.r1_penalty(lambda v: v @ torch.tensor([1.0, 2.0]), x, gamma=10.0), torch.tensor(25.0))


def test_clip_weights_clamps_every_parameter():
    critic = torch.nn.Linear(4, 3)
    torch.nn.init.normal_(critic.weight, std=5)
    losses.clip_weights(critic, 0.01)
    assert all(p.abs().max() <= 0.01 for p in critic.parameters())
    with pytest.raises(ValueError, match="positive"):
        losses.clip_weights(critic, 0)


def test_spectral_norm_makes_each_layer_1_lipschitz():
    D = models.spectral_norm(models.MLPDiscriminator())
    with torch.no_grad():
        for _ in range(100):
            D(torch.randn(8, 2))
    for layer in D.modules():
        if isinstance(layer, torch.nn.Linear):
            assert abs(torch.linalg.matrix_norm(layer.weight, ord=2).item() - 1) < 0.02


def test_minibatch_std_feature():
    layer = models.MinibatchStdDev()
    x = torch.randn(6, 5)
    out = layer(x)
    assert out.shape == (6, 6) and torch.allclose(out[:, :5], x)
    assert torch.allclose(out[:, 5], x.std(dim=0, unbiased=False).mean().expand(6))
    assert torch.equal(layer(torch.ones(4, 3))[:, 3], torch.zeros(4))  # identical samples: no spread
    assert layer(torch.randn(4, 3, 8, 8)).shape == (4, 4, 8, 8)
    assert models.MLPDiscriminator(minibatch_std=True)(torch.randn(7, 2)).shape == (7,)
    with pytest.raises(ValueError, match="at least 2"):
        layer(torch.randn(1, 3))
