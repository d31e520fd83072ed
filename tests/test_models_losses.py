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
