"""Lesson 04's training step: every method trains, with exactly the losses it names."""

import pytest
import torch

from vgan_course import style_transfer as st
from vgan_course import train


@pytest.mark.parametrize("method", list(st.METHODS))
def test_every_method_takes_steps_with_its_losses(method):
    torch.manual_seed(0)
    nets = st.build_networks(method, width=4)
    g_params = [p for name, net in nets.items() if not name.startswith("D") for p in net.parameters()]
    d_params = [p for name, net in nets.items() if name.startswith("D") for p in net.parameters()]
    opt_g, opt_d = torch.optim.Adam(g_params, 2e-4), torch.optim.Adam(d_params, 2e-4)
    before = nets["G_ab"].net[1].weight.detach().clone()
    step = st.style_transfer_step(method, nets, opt_g, opt_d, lambda: st.unpaired_batch(2))
    history = train.train(step, nets, {"G": opt_g, "D": opt_d}, steps=2, log_every=1, progress=False)
    flow_kind, recycle = st.METHODS[method]
    assert ("loss/temporal" in history.metrics) == (flow_kind is not None)
    assert ("loss/recycle" in history.metrics) == recycle == ("P_a" in nets)
    assert not torch.equal(before, nets["G_ab"].net[1].weight)
    out = st.restyle(nets["G_ab"], torch.zeros(1, 4, 3, 32, 32))
    assert out.shape == (1, 4, 3, 32, 32) and not nets["G_ab"].training


def test_unpaired_batch_and_estimated_flow_shapes():
    batch = st.unpaired_batch(3, generator=torch.Generator().manual_seed(0))
    assert batch["a"].shape == batch["b"].shape == (3, 3, 3, 32, 32)
    assert batch["flow_a"].shape == (3, 2, 2, 32, 32) and batch["visible_b"].shape == (3, 2, 1, 32, 32)
    flow, mask = st.estimated_flow_and_mask(batch["a"])
    assert flow.shape == (3, 2, 2, 32, 32) and mask.shape == (3, 2, 1, 32, 32) and mask.mean() > 0.5
    with pytest.raises(ValueError, match="unknown method 'StyleGAN'"):
        st.build_networks("StyleGAN")
