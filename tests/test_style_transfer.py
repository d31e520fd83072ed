"""Lesson 04's training step: every method trains, with exactly the losses it names."""

import pytest
import torch

from vgan_course import data, metrics, train
from vgan_course import style_transfer as st


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
    assert flow.shape == (3, 2, 2, 32, 32) and mask.shape == (3, 2, 1, 32, 32) and 0.1 < mask.mean() < 0.9  # flat background untrusted
    with pytest.raises(ValueError, match="unknown method 'StyleGAN'"):
        st.build_networks("StyleGAN")


def test_train_style_transfer_resumes_and_returns_the_a_to_b_generator(tmp_path):
    checkpoint = tmp_path / "run.pt"
    first = st.train_style_transfer("per-frame CycleGAN", steps=2, batch=2, width=4, checkpoint=checkpoint)
    assert first.source == "trained" and not first.G_ab.training and first.history.steps[-1] == 2
    resumed = st.train_style_transfer("per-frame CycleGAN", steps=3, batch=2, width=4, checkpoint=checkpoint)
    assert resumed.history.steps[-1] == 3  # one more step, not three


def test_every_method_starts_from_the_shared_per_frame_start(tmp_path):
    start = st.train_start(tmp_path / "start.pt", steps=2, batch=2, width=4)
    weights = train.load_checkpoint(start)["models"]["G_ab"]
    recycle = st.train_style_transfer("Recycle-GAN", steps=0, batch=2, width=4, start_from=start)
    assert all(torch.equal(recycle.G_ab.state_dict()[k], v) for k, v in weights.items())  # 0 steps: the start itself
    tuned = st.train_style_transfer("CycleGAN + temporal loss (exact flow)", steps=1, batch=2, width=4, start_from=start,
                                    checkpoint=tmp_path / "tuned.pt")
    assert not torch.equal(tuned.G_ab.net[1].weight, weights["net.1.weight"])  # it trained on from there
    assert st.train_start(start, steps=2, batch=2, width=4) == start  # a finished start is not trained again


def test_evaluate_outputs_scores_the_truth_as_perfect_and_the_input_as_unstyled():
    test = st.test_clips(8, 4)
    truth = st.evaluate_outputs(test.styled, test)
    plain = st.evaluate_outputs(test.plain, test)
    assert truth["style_accuracy"] == 1 and truth["ssim"] == pytest.approx(1, abs=1e-5) and truth["tof"] == 0
    assert plain["style_accuracy"] == 0 and plain["style_fd"] > 100 * truth["style_fd"] and plain["psnr"] < 15
    assert truth["warping_error"] < 0.03  # the truth moves with the exact flow
    noisy = (test.styled + 0.2 * torch.randn(test.styled.shape, generator=torch.Generator().manual_seed(0))).clamp(-1, 1)
    assert st.evaluate_outputs(noisy, test)["warping_error"] > 3 * truth["warping_error"]  # flicker is seen
    with pytest.raises(ValueError, match="shape"):
        st.evaluate_outputs(test.styled[:, :2], test)
    assert "style FD" in st.format_results({"truth": truth})


def test_shipped_names_and_load_or_train_trains_when_asked(tmp_path):
    assert st.shipped_name("Recycle-GAN") == "style_recycle"
    assert st.shipped_name("CycleGAN + temporal loss (estimated flow)", footage=True) == "footage_temporal_estimated"
    trained = st.load_or_train("per-frame CycleGAN", retrain=True, run_dir=tmp_path, start_steps=1, steps=1, batch=2)
    assert trained.source == "trained" and (tmp_path / "style_per_frame.pt").exists()
    assert (tmp_path / "style_start.pt").exists()
    with pytest.raises(ValueError, match="no footage generator"):
        st.load_footage_generator("Recycle-GAN")


def test_footage_batches_are_real_unpaired_three_frame_crops():
    clips = {"a": [torch.rand(10, 3, 64, 80) * 2 - 1], "b": [torch.rand(6, 3, 64, 70) * 2 - 1]}
    batch = st.footage_batch(clips, 3, generator=torch.Generator().manual_seed(0))
    assert batch["a"].shape == batch["b"].shape == (3, 3, 3, 64, 64)
    video = clips["a"][0]  # every A clip is 3 consecutive frames of one crop of the video
    clip = batch["a"][0]
    found = [(t, x) for t in range(8) for x in range(17) if torch.equal(video[t: t + 3, :, :, x: x + 64], clip)]
    assert len(found) == 1


def test_evaluate_footage_sees_flicker_on_a_real_clip():
    clip = data.read_video(data.sample_video("carphone_pristine"), size=32, square=True, max_frames=8)[None]
    G = torch.nn.Conv2d(3, 3, 1)  # the identity as a "generator": the output moves exactly like the input
    with torch.no_grad():
        G.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
        G.bias.zero_()
    steady = st.evaluate_footage(G, clip)
    assert steady["warping_error"] == pytest.approx(steady["input_warping_error"], rel=1e-5) and steady["tof"] < 1e-6
    noise = 0.3 * torch.randn(clip.shape, generator=torch.Generator().manual_seed(0))
    flow, visible = st.estimated_flow_and_mask(clip)
    assert metrics.warping_error((clip + noise).clamp(-1, 1), flow, visible) > 3 * steady["input_warping_error"]
