import copy
import os

import pytest
import torch

from vgan_course import data, losses, models, train
from vgan_course.profiles import seed_everything

RING = data.ring_of_gaussians()


def make_gan(lr: float = 1e-3, hidden: int = 16):
    """A tiny 2-D GAN and its step function; data and noise come from the global RNG."""
    G, D = models.MLPGenerator(z_dim=4, hidden=hidden, depth=2), models.MLPDiscriminator(hidden=hidden, depth=2)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))

    def step(ctx):
        real = RING.sample(32)
        fake = G(torch.randn(32, 4))
        loss_d = losses.discriminator_loss(D(real), D(fake.detach()))
        ctx.update(opt_d, loss_d)
        loss_g = losses.generator_loss_nonsaturating(D(fake))
        ctx.update(opt_g, loss_g)
        return {"loss/d": loss_d, "loss/g": loss_g}

    return step, {"G": G, "D": D}, {"G": opt_g, "D": opt_d}


def weights(models_: dict) -> list[torch.Tensor]:
    return [p.detach().clone() for m in models_.values() for p in m.state_dict().values()]


def test_resume_gives_the_same_weights_as_one_long_run(tmp_path):
    seed_everything(0)
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=40, progress=False, log_every=7)
    straight = weights(nets)

    seed_everything(0)
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=20, checkpoint=tmp_path / "ck.pt", progress=False, log_every=7)
    torch.manual_seed(1234)  # a fresh session: whatever the RNG did meanwhile...
    step, nets, opts = make_gan()  # ...and fresh models
    history = train.train(step, nets, opts, steps=40, checkpoint=tmp_path / "ck.pt", progress=False, log_every=7)
    resumed = weights(nets)
    assert all(torch.equal(a, b) for a, b in zip(straight, resumed))
    assert history.steps[-1] == 40 and len(history.metrics["loss/d"]) == len(history.steps)


def test_a_finished_checkpoint_is_loaded_not_retrained(tmp_path):
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=10, checkpoint=tmp_path / "ck.pt", progress=False)
    calls = []
    step2, nets2, opts2 = make_gan()
    history = train.train(lambda ctx: calls.append(1) or step2(ctx), nets2, opts2, steps=10,
                          checkpoint=tmp_path / "ck.pt", progress=False)
    assert not calls and history.steps[-1] == 10
    assert all(torch.equal(a, b) for a, b in zip(weights(nets), weights(nets2)))


def test_divergence_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tmp_path):
    step, nets, opts = make_gan()
    G = nets["G"]

    def exploding(ctx):
        out = step(ctx)
        if ctx.step >= 25:  # from step 26 on, the generator's weights are poisoned
            with torch.no_grad():
                G.net[0].weight.fill_(float("nan"))
        return out

    path = tmp_path / "ck.pt"
    with pytest.raises(train.TrainingDiverged, match=r"became nan at step 27.*last good checkpoint \(step 20\)"):
        train.train(exploding, nets, opts, steps=100, checkpoint=path, checkpoint_every=10, log_every=1, progress=False)
    kept = train.load_checkpoint(path)
    assert kept["step"] == 20
    assert all(torch.isfinite(t).all() for t in kept["models"]["G"].values())


def test_checkpoint_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    train.save_checkpoint(path, {"format": train.CHECKPOINT_FORMAT, "step": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        train.save_checkpoint(path, {"format": train.CHECKPOINT_FORMAT, "step": 2})
    monkeypatch.undo()
    assert train.load_checkpoint(path)["step"] == 1
    assert os.listdir(tmp_path) == ["ck.pt"]  # no temporary file left behind


def test_unreadable_checkpoints_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable checkpoint.*delete it"):
        train.load_checkpoint(bad)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(1)}, other)
    with pytest.raises(ValueError, match="not a vgan-course checkpoint"):
        train.load_checkpoint(other)
    step, nets, opts = make_gan()
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        train.train(step, nets, opts, steps=5, checkpoint=bad, progress=False)


def test_checkpoint_from_another_setup_is_refused(tmp_path):
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=2, checkpoint=tmp_path / "ck.pt", progress=False)
    step, nets, opts = make_gan()
    with pytest.raises(ValueError, match=r"no entry for \['E'\]"):
        train.train(step, {**nets, "E": models.MLPDiscriminator()}, opts, steps=4, checkpoint=tmp_path / "ck.pt", progress=False)


def test_time_budget_stops_early():
    step, nets, opts = make_gan()
    history = train.train(step, nets, opts, steps=10**6, max_seconds=0.3, progress=False)
    assert history.stopped_by == "time" and 0 < history.steps[-1] < 10**6


def test_interrupt_keeps_the_checkpoint(tmp_path, capsys):
    step, nets, opts = make_gan()

    def interrupted(ctx):
        if ctx.step == 15:
            raise KeyboardInterrupt
        return step(ctx)

    with pytest.raises(KeyboardInterrupt):
        train.train(interrupted, nets, opts, steps=50, checkpoint=tmp_path / "ck.pt", checkpoint_every=10, progress=False)
    assert "Interrupted at step 15" in capsys.readouterr().out
    assert train.load_checkpoint(tmp_path / "ck.pt")["step"] == 10


def test_samples_and_tensorboard(tmp_path):
    step, nets, opts = make_gan()
    clips = lambda: torch.rand(2, 3, 1, 8, 8) * 2 - 1  # noqa: E731
    history = train.train(step, nets, opts, steps=6, sample_fn=clips, sample_every=3, log_dir=tmp_path / "tb", progress=False)
    assert [s for s, _ in history.samples] == [3, 6]
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "tb"))


def test_update_refuses_an_unknown_optimizer():
    step, nets, opts = make_gan()
    stray = torch.optim.SGD(nets["G"].parameters(), lr=0.1)

    def bad_step(ctx):
        ctx.update(stray, nets["G"](torch.randn(2, 4)).sum())
        return {}

    with pytest.raises(ValueError, match="not passed to train"):
        train.train(bad_step, nets, opts, steps=1, progress=False)


def test_load_models_for_sampling(tmp_path):
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=3, checkpoint=tmp_path / "ck.pt", progress=False)
    fresh = models.MLPGenerator(z_dim=4, hidden=16, depth=2)
    assert train.load_models(tmp_path / "ck.pt", {"G": fresh}) == 3
    assert all(torch.equal(a, b) for a, b in zip(fresh.state_dict().values(), nets["G"].state_dict().values()))


def test_gan_step_is_the_alternating_update():
    """One package step equals the hand-written D step then G step of lesson 01."""
    torch.manual_seed(0)
    G, D = models.MLPGenerator(z_dim=4, hidden=8, depth=1), models.MLPDiscriminator(hidden=8, depth=1)
    G2, D2 = models.MLPGenerator(z_dim=4, hidden=8, depth=1), models.MLPDiscriminator(hidden=8, depth=1)
    G2.load_state_dict(G.state_dict())
    D2.load_state_dict(D.state_dict())
    opts = [torch.optim.SGD(m.parameters(), lr=0.1) for m in (G, D, G2, D2)]
    real = RING.sample(16, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(7)
    train.train(train.gan_step(G, D, opts[0], opts[1], real_batch=lambda: real, z_dim=4),
                {"G": G, "D": D}, {"G": opts[0], "D": opts[1]}, steps=1, progress=False)
    torch.manual_seed(7)
    fake = G2(torch.randn(16, 4))
    opts[3].zero_grad()
    losses.discriminator_loss(D2(real), D2(fake.detach())).backward()
    opts[3].step()
    opts[2].zero_grad()
    losses.generator_loss_nonsaturating(D2(fake)).backward()
    opts[2].step()
    assert all(torch.allclose(a, b) for a, b in zip(weights({"G": G, "D": D}), weights({"G": G2, "D": D2})))


def test_update_average_follows_the_weights_and_copies_buffers():
    from torch import nn

    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    average = copy.deepcopy(model)
    start = model[0].weight.detach().clone()
    with torch.no_grad():
        model[0].weight.add_(1.0)
        model[1].running_mean.fill_(3.0)
    train.update_average(average, model, decay=0.9)
    assert torch.allclose(average[0].weight, start + 0.1)  # 0.9 * old + 0.1 * new
    assert torch.equal(average[1].running_mean, model[1].running_mean)
    for _ in range(200):
        train.update_average(average, model, decay=0.9)
    assert torch.allclose(average[0].weight, model[0].weight, atol=1e-6)
    with pytest.raises(ValueError, match="decay must be in"):
        train.update_average(average, model, decay=1.0)


# --- checkpoints that cannot be resumed as they are (issue 25) ---------------------------------------


def two_checkpoints(tmp_path):
    """A run saved at steps 10 and 20: ``ck.pt`` (step 20) and the one it replaced, ``ck.pt.previous``."""
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=20, checkpoint=tmp_path / "ck.pt", checkpoint_every=10, progress=False)
    return tmp_path / "ck.pt"


def test_a_damaged_checkpoint_is_refused_naming_the_last_good_one(tmp_path):
    path = two_checkpoints(tmp_path)
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2  # inside the weights: torch.load alone would not notice
    raw[middle: middle + 8] = bytes(b ^ 0xFF for b in raw[middle: middle + 8])
    path.write_bytes(bytes(raw))
    last_good = rf"the last good one is {tmp_path / 'ck.pt.previous'} \(step 10\)"
    with pytest.raises(train.CheckpointError, match=rf"{path} is damaged: its payload's SHA-256 differs.*{last_good}"):
        train.load_checkpoint(path)
    step, nets, opts = make_gan()
    with pytest.raises(ValueError, match=last_good):  # train() refuses it too, and trains nothing
        train.train(step, nets, opts, steps=30, checkpoint=path, progress=False)
    path.write_bytes(bytes(raw[: len(raw) // 3]))  # a truncated copy
    with pytest.raises(train.CheckpointError, match=rf"{path} is not a readable checkpoint, it is damaged.*{last_good}"):
        train.load_checkpoint(path)
    (tmp_path / "ck.pt.previous").replace(path)  # the control: the last good one resumes
    assert train.load_checkpoint(path)["step"] == 10


def test_a_resume_with_other_settings_stops_unless_told(tmp_path, capsys):
    step, nets, opts = make_gan(lr=1e-3)
    train.train(step, nets, opts, steps=10, checkpoint=tmp_path / "ck.pt", progress=False, settings={"batch": 32})
    step, nets, opts = make_gan(lr=1e-2)
    with pytest.raises(train.CheckpointError, match=r"other settings: optimizers\['D'\] group 0 lr: 0.001 in the "
                       r"checkpoint, 0.01 now.*allow_changed_settings=True"):
        train.train(step, nets, opts, steps=20, checkpoint=tmp_path / "ck.pt", progress=False, settings={"batch": 32})
    step, nets, opts = make_gan(lr=1e-3)
    with pytest.raises(train.CheckpointError, match=r"batch: 32 in the checkpoint, 64 now"):
        train.train(step, nets, opts, steps=20, checkpoint=tmp_path / "ck.pt", progress=False, settings={"batch": 64})
    step, nets, opts = make_gan(lr=1e-2)
    history = train.train(step, nets, opts, steps=20, checkpoint=tmp_path / "ck.pt", progress=False,
                          settings={"batch": 32}, allow_changed_settings=True)
    assert history.steps[-1] == 20 and all(g["lr"] == 1e-2 for o in opts.values() for g in o.param_groups)
    assert "resuming" in capsys.readouterr().out
    saved = train.load_checkpoint(tmp_path / "ck.pt")["settings"]  # the new settings are the checkpoint's now
    assert saved["optimizers['G'] group 0 lr"] == "0.01"


def test_a_wider_network_names_the_setting_that_differs(tmp_path):
    step, nets, opts = make_gan(hidden=16)
    train.train(step, nets, opts, steps=5, checkpoint=tmp_path / "ck.pt", progress=False, settings={"hidden": 16})
    step, nets, opts = make_gan(hidden=32)
    with pytest.raises(train.CheckpointError, match=r"networks of other shapes: models\['G'\]\.net\.0\.weight: "
                       r"\(16, 4\) in the checkpoint, \(32, 4\) now.*settings that differ: hidden: 16 in the checkpoint, 32 now"):
        train.train(step, nets, opts, steps=10, checkpoint=tmp_path / "ck.pt", progress=False, settings={"hidden": 32},
                    allow_changed_settings=True)  # other shapes cannot be continued, whatever is allowed


def test_stale_temporary_files_are_removed_and_a_finished_run_says_so(tmp_path, capsys):
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=10, checkpoint=tmp_path / "ck.pt", progress=False)
    stale = tmp_path / "ck.pt.abc123.tmp"  # what a kill during a save leaves
    stale.write_bytes(b"half a checkpoint")
    before = weights(nets)
    step, nets, opts = make_gan()
    history = train.train(step, nets, opts, steps=10, checkpoint=tmp_path / "ck.pt", progress=False)
    out = capsys.readouterr().out
    assert not stale.exists() and f"removed {stale}" in out
    assert "already holds 10 steps of the 10 asked for: nothing is trained" in out
    assert history.steps[-1] == 10 and all(torch.equal(a, b) for a, b in zip(before, weights(nets)))


def test_a_checkpoint_of_the_first_format_still_resumes(tmp_path):
    step, nets, opts = make_gan()
    train.train(step, nets, opts, steps=5, checkpoint=tmp_path / "new.pt", progress=False)
    state = train.load_checkpoint(tmp_path / "new.pt")
    del state["settings"]
    torch.save({**state, "format": "vgan-course/1"}, tmp_path / "old.pt")  # as the first format wrote it: no digest
    step, nets, opts = make_gan(lr=1e-2)  # the first format recorded no settings: nothing to compare
    assert train.train(step, nets, opts, steps=8, checkpoint=tmp_path / "old.pt", progress=False).steps[-1] == 8


def test_train_names_what_it_cannot_train():
    step, nets, opts = make_gan()
    with pytest.raises(ValueError, match=r"models\['E'\] must be a network with parameters, got a ReLU without any"):
        train.train(step, {**nets, "E": torch.nn.ReLU()}, opts, steps=1, progress=False)
    with pytest.raises(ValueError, match=r"steps must be an integer >= 0, got 2.5"):
        train.train(step, nets, opts, steps=2.5, progress=False)
    with pytest.raises(ValueError, match=r"optimizers\['G'\] must be a torch.optim.Optimizer, got float"):
        train.train(step, nets, {"G": 1e-3}, steps=1, progress=False)
