import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vgan_course import claims, profiles


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv("VGAN_PROFILE", "cpu")
    assert profiles.current_profile() == "cpu"
    monkeypatch.setenv("VGAN_PROFILE", "GPU ")
    assert profiles.current_profile() == "gpu"
    monkeypatch.delenv("VGAN_PROFILE")
    assert profiles.current_profile() == ("gpu" if torch.cuda.is_available() else "cpu")


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("VGAN_PROFILE", "fast")
    with pytest.raises(ValueError, match="VGAN_PROFILE must be one of"):
        profiles.current_profile()


def test_seed_from_environment(monkeypatch):
    monkeypatch.setenv("VGAN_SEED", "7")
    assert profiles.current_seed() == 7
    monkeypatch.setenv("VGAN_SEED", "seven")
    with pytest.raises(ValueError, match="VGAN_SEED must be an integer"):
        profiles.current_seed()


def test_seed_everything_makes_runs_repeat():
    profiles.seed_everything(3)
    first = (torch.randn(3), np.random.rand(3))
    profiles.seed_everything(3)
    second = (torch.randn(3), np.random.rand(3))
    assert torch.equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_settings_pick_the_active_profile(monkeypatch):
    monkeypatch.setenv("VGAN_PROFILE", "cpu")
    monkeypatch.setenv("VGAN_SEED", "2")
    cfg = profiles.settings(smoke=dict(steps=1), cpu=dict(steps=10), gpu=dict(steps=100))
    assert (cfg.steps, cfg.profile, cfg.seed, cfg.device.type) == (10, "cpu", 2, profiles.device().type)


def test_settings_need_every_profile_with_the_same_keys():
    with pytest.raises(ValueError, match="exactly the profiles"):
        profiles.settings(smoke=dict(steps=1), cpu=dict(steps=10))
    with pytest.raises(ValueError, match="same keys"):
        profiles.settings(smoke=dict(steps=1), cpu=dict(steps=10), gpu=dict(step=100))
    with pytest.raises(ValueError, match="set by the course"):
        profiles.settings(smoke=dict(seed=1), cpu=dict(seed=1), gpu=dict(seed=1))


def test_run_dir_separates_profiles_and_seeds(monkeypatch, tmp_path):
    monkeypatch.setenv("VGAN_RUNS", str(tmp_path))
    monkeypatch.setenv("VGAN_PROFILE", "cpu")
    monkeypatch.setenv("VGAN_SEED", "4")
    assert profiles.run_dir("01_gan_basics") == tmp_path / "01_gan_basics" / "cpu-seed4"


def test_runs_go_to_the_repository_root_whatever_the_working_directory(monkeypatch, tmp_path):
    root = Path(profiles.__file__).resolve().parents[1]
    monkeypatch.delenv("VGAN_RUNS", raising=False)
    for where in (root, root / "notebooks", tmp_path):
        monkeypatch.chdir(where)
        assert profiles.runs_root() == root / "runs", f"from {where}"
    monkeypatch.setenv("VGAN_RUNS", str(tmp_path / "elsewhere"))
    assert profiles.runs_root() == tmp_path / "elsewhere"


def test_claims_assert_in_cpu_and_record_in_smoke(monkeypatch, tmp_path):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("VGAN_CLAIMS_FILE", str(log))
    monkeypatch.setenv("VGAN_PROFILE", "smoke")
    claims.claim("xx", "too small, smoke", 0.1, at_least=0.5)  # recorded, not asserted
    with pytest.raises(claims.ClaimFailed, match="measured 0.1, expected >= 0.5"):
        claims.claim("xx", "exact math", 0.1, at_least=0.5, assert_in_smoke=True)
    monkeypatch.setenv("VGAN_PROFILE", "cpu")
    claims.claim("xx", "fine", 0.7, at_least=0.5, at_most=1.0)
    with pytest.raises(claims.ClaimFailed):
        claims.claim("xx", "too big", 2.0, at_most=1.0)
    with pytest.raises(claims.ClaimFailed):
        claims.claim("xx", "not a number", float("nan"), at_least=0.0)
    recorded = claims.read_claims(log)
    assert [(c.name, c.holds, c.asserted) for c in recorded] == [
        ("too small, smoke", False, False), ("exact math", False, True), ("fine", True, True),
        ("too big", False, True), ("not a number", False, True),
    ]
    assert json.loads(log.read_text().splitlines()[2])["profile"] == "cpu"


def test_keep_going_records_a_failed_claim_without_raising(monkeypatch, tmp_path, capsys):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("VGAN_CLAIMS_FILE", str(log))
    monkeypatch.setenv("VGAN_PROFILE", "gpu")
    monkeypatch.setenv("VGAN_CLAIMS_KEEP_GOING", "1")
    claims.claim("xx", "too big", 2.0, at_most=1.0)
    assert "FAILS (--keep-going: going on)" in capsys.readouterr().out
    (recorded,) = claims.read_claims(log)
    assert (recorded.holds, recorded.asserted) == (False, True)  # the benchmark still sees a failure
    monkeypatch.setenv("VGAN_CLAIMS_KEEP_GOING", "0")
    with pytest.raises(claims.ClaimFailed):
        claims.claim("xx", "too big", 2.0, at_most=1.0)


def test_claim_needs_a_bound():
    with pytest.raises(ValueError, match="needs a bound"):
        claims.claim("xx", "no bound", 1.0)


def test_tables_are_recorded_beside_claims(monkeypatch, tmp_path):
    claims_file = tmp_path / "claims.jsonl"
    monkeypatch.setenv("VGAN_CLAIMS_FILE", str(claims_file))
    monkeypatch.setenv("VGAN_PROFILE", "smoke")
    claims.claim("99", "x", 1.0, at_least=0)
    claims.record_table("99", "ablation", [{"recipe": "plain", "seed": 0, "modes": 3}])
    assert [c.name for c in claims.read_claims(claims_file)] == ["x"]
    (table,) = claims.read_tables(claims_file)
    assert table["table"] == "ablation" and table["rows"][0]["modes"] == 3 and table["profile"] == "smoke"
    with pytest.raises(ValueError, match="non-empty list of dicts"):
        claims.record_table("99", "empty", [])


def test_a_recorded_run_names_the_shipped_networks_it_loaded(monkeypatch, tmp_path):
    from vgan_course import shipped

    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("VGAN_CLAIMS_FILE", str(log))
    monkeypatch.setenv("VGAN_PROFILE", "smoke")
    claims.claim("xx", "a claim", 1.0, at_least=0.5)
    shipped.load_state("video_gan_tgan")
    assert claims.read_shipped(log) == {"video_gan_tgan": shipped.read_manifest()["video_gan_tgan"]["sha256"]}
    assert [c.name for c in claims.read_claims(log)] == ["a claim"]
