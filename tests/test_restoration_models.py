"""Lesson 05's networks and losses: shapes, the sub-pixel up-sampler, sliding windows, the recurrent
restorer's use of the flow, the triplet discriminator, SRGAN's loss and TecoGAN's ping-pong loss."""

import pytest
import torch
import torch.nn.functional as F

from vgan_course import data, losses, models


@pytest.mark.parametrize("factor", [1, 2, 4])
def test_pixel_shuffle_upsampler_scales_by_its_factor(factor):
    up = models.PixelShuffleUpsampler(8, factor)
    assert up(torch.randn(2, 8, 5, 7)).shape == (2, 8, 5 * factor, 7 * factor)
    assert sum(p.numel() for p in up.parameters()) == {1: 0, 2: 1, 4: 2}[factor] * (8 * 32 * 9 + 32)
    with pytest.raises(ValueError, match="factor must be 1, 2 or 4"):
        models.PixelShuffleUpsampler(8, 3)


def test_pixel_shuffle_moves_channels_into_space():
    x = torch.arange(4.0).view(1, 4, 1, 1)  # four channels of one pixel -> one 2 x 2 block
    assert torch.equal(F.pixel_shuffle(x, 2), torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]]))


@pytest.mark.parametrize("frames", [1, 3, 5])
def test_restoration_net_restores_the_centre_frame_on_top_of_bicubic(frames):
    torch.manual_seed(0)
    net = models.RestorationNet(3, frames, factor=2, width=8, blocks=2)
    window = torch.rand(2, frames, 3, 8, 8) * 2 - 1
    out = net(window)
    assert out.shape == (2, 3, 16, 16) and out.abs().max() <= 1
    torch.nn.init.zeros_(net.tail.weight)
    torch.nn.init.zeros_(net.tail.bias)  # no residual: exactly bicubic of the centre frame
    assert torch.allclose(net(window), models.bicubic(window[:, frames // 2], 2))
    with pytest.raises(ValueError, match="odd"):
        models.RestorationNet(3, 2)
    with pytest.raises(ValueError, match=rf"\(batch, {frames}, 3, h, w\)"):
        net(torch.zeros(2, frames + 2, 3, 8, 8))


def test_frame_windows_repeat_the_edges_and_restore_clip_keeps_time():
    clip = torch.arange(4.0).view(1, 4, 1, 1, 1).expand(1, 4, 3, 4, 4)
    windows = models.frame_windows(clip, 3)
    assert windows.shape == (4, 3, 3, 4, 4)
    assert windows[:, :, 0, 0, 0].tolist() == [[0, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 3]]
    net = models.RestorationNet(3, 3, factor=2, width=4, blocks=1)
    assert models.restore_clip(net, clip / 4).shape == (1, 4, 3, 8, 8)


def test_recurrent_restorer_warps_its_previous_output_along_the_flow():
    torch.manual_seed(0)
    net = models.RecurrentRestorer(1, factor=2, width=8, blocks=1)
    clip = torch.rand(2, 4, 1, 8, 8) * 2 - 1
    calls = []

    def zero_flow(frame, previous):
        calls.append(frame.shape)
        return torch.zeros(frame.shape[0], 2, *frame.shape[-2:])

    out = models.restore_recurrent(net, clip, zero_flow)
    assert out.shape == (2, 4, 1, 16, 16) and len(calls) == 3  # one flow per frame after the first
    first = net(clip[:, 0], models.bicubic(clip[:, 0], 2))
    assert torch.allclose(out[:, 0], first)
    assert torch.allclose(out[:, 1], net(clip[:, 1], out[:, 0]))  # zero flow: the previous output as it is
    shift = lambda frame, previous: torch.full((frame.shape[0], 2, *frame.shape[-2:]), 1.0)  # noqa: E731
    shifted = models.restore_recurrent(net, clip, shift)
    expected = net(clip[:, 1], data.warp(first, torch.full((2, 2, 16, 16), 2.0)))  # 1 px at 8 x 8 = 2 px at 16 x 16
    assert torch.allclose(shifted[:, 1], expected, atol=1e-6)
    with pytest.raises(ValueError, match="previous must be"):
        net(clip[:, 0], torch.zeros(2, 1, 8, 8))


def test_triplet_discriminator_sees_three_frames_at_once():
    D = models.TripletDiscriminator(3, width=8)
    triplet = torch.rand(4, 3, 3, 32, 32) * 2 - 1
    assert D(triplet).shape == (4, 1, 2, 2)  # the frame discriminator's patch grid
    swapped = triplet[:, [0, 2, 1]]  # same frames, another order: a different verdict
    assert not torch.allclose(D(triplet), D(swapped))
    with pytest.raises(ValueError, match=r"\(batch, 3, 3, h, w\)"):
        D(triplet[:, :2])


def test_adversarial_restoration_loss_is_l1_plus_weighted_terms():
    g = torch.Generator().manual_seed(0)
    output, target = torch.rand(2, 3, 8, 8, generator=g), torch.rand(2, 3, 8, 8, generator=g)
    logits = torch.randn(2, generator=g)
    l1 = (output - target).abs().mean()
    assert torch.allclose(losses.adversarial_restoration_loss(output, target, logits, adversarial_weight=0), l1)
    with_adv = losses.adversarial_restoration_loss(output, target, logits, adversarial_weight=0.1)
    assert torch.allclose(with_adv, l1 + 0.1 * F.softplus(-logits).mean())
    mean_colour = lambda x: x.mean(dim=(2, 3))  # noqa: E731
    with_features = losses.adversarial_restoration_loss(output, target, logits, 0.0, mean_colour, 2.0)
    assert torch.allclose(with_features, l1 + 2.0 * (mean_colour(output) - mean_colour(target)).pow(2).mean())
    with pytest.raises(ValueError, match="same shape"):
        losses.adversarial_restoration_loss(output, target[:1], logits)


def test_ping_pong_sequence_and_loss():
    clip = torch.arange(3.0).view(1, 3, 1)
    sequence = losses.ping_pong_sequence(clip)
    assert sequence[0, :, 0].tolist() == [0, 1, 2, 1, 0]
    assert losses.ping_pong_loss(sequence) == 0  # a memoryless "restorer": the same output both ways
    drifting = sequence + torch.arange(5.0).view(1, 5, 1) * 0.1  # drift that grows along the chain
    # frame 0: 0.0 vs 0.4, frame 1: 0.1 vs 0.3 -> mean |difference| 0.3
    assert losses.ping_pong_loss(drifting).item() == pytest.approx(0.3)
    with pytest.raises(ValueError, match="odd length"):
        losses.ping_pong_loss(torch.zeros(1, 4, 1))
    with pytest.raises(ValueError, match="time >= 2"):
        losses.ping_pong_sequence(torch.zeros(1, 1, 1))


def test_upsample_flow_scales_size_and_length_for_any_leading_dims():
    flow = torch.full((2, 3, 2, 4, 5), 1.5)
    big = models.upsample_flow(flow, 2)
    assert big.shape == (2, 3, 2, 8, 10) and torch.allclose(big, torch.full_like(big, 3.0))
    assert models.upsample_flow(flow, 1) is flow
