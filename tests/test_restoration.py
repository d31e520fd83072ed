"""Lesson 05's training step: every method trains, with the losses it names."""

import pytest
import torch
import torch.nn.functional as F

from vgan_course import data, restoration, train


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
    frames, adversarial = restoration.METHODS[method]
    assert ("loss/d" in history.metrics) == adversarial == ("D" in nets)
    assert ("loss/ping_pong" in history.metrics) == (frames is None)
    assert not torch.equal(before, nets["G"].tail.weight)
    with torch.no_grad():
        out = restoration.restore(method, nets["G"], pairs()["low"])
    assert out.shape == (2, 3, 1, 32, 32) and out.abs().max() <= 1


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
