"""The repository agrees with itself: twins, stripped notebooks, environment.yml, README."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIRS = [ROOT / "notebooks", ROOT / "solutions", ROOT / "assignments"]
TWINNED = sorted(p for d in NOTEBOOK_DIRS[:2] for p in d.glob("*.py"))
NOTEBOOKS = sorted(p for d in NOTEBOOK_DIRS for p in d.glob("*.ipynb"))
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def cells(notebook):
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


@pytest.mark.parametrize("twin", TWINNED, ids=lambda p: p.name)
def test_every_twin_matches_its_notebook(twin):
    notebook = twin.with_suffix(".ipynb")
    assert notebook.exists(), f"{notebook.name} is missing: run `vgan-course sync`"
    assert cells(jupytext.read(twin)) == cells(jupytext.read(notebook)), (
        f"{twin.name} and {notebook.name} differ: edit the .py twin, then run `vgan-course sync`")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(notebook):
    nb = json.loads(notebook.read_text())
    assert not any(c.get("outputs") for c in nb["cells"]), f"{notebook.name} has outputs: strip it"
    assert not any(c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("twin", TWINNED, ids=lambda p: p.name)
def test_twins_hold_no_control_characters(twin):
    # a LaTeX "\\bar" or "\\theta" typed into a normal Python string becomes a backspace or a tab
    text = twin.read_text()
    bad = sorted({f"line {text[:i].count(chr(10)) + 1}: {c!r}" for i, c in enumerate(text)
                  if ord(c) < 32 and c != "\n"})
    assert not bad, f"{twin.name} holds control characters (an escaped LaTeX command?): {bad[:5]}"


def test_every_lesson_has_a_twin():
    assert LESSONS, "no lessons found"
    for notebook in LESSONS:
        assert notebook.with_suffix(".py").exists(), f"{notebook.name} has no py:percent twin"


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.name)
def test_lessons_work_on_colab(notebook):
    nb = jupytext.read(notebook)
    text = "\n".join(c.source for c in nb.cells)
    badge = f"https://colab.research.google.com/github/vgan-course/vgan-course/blob/main/notebooks/{notebook.name}"
    assert badge in nb.cells[0].source, "the first cell needs an Open in Colab badge pointing at this notebook"
    install = [c for c in nb.cells if c.cell_type == "code" and "pip" in c.source]
    assert install and '"google.colab" in sys.modules' in install[0].source, "the install cell must act only on Colab"
    assert "!pip" not in text and "%pip" not in text, "install with plain Python (subprocess), not shell magics"
    assert nb.metadata.get("accelerator") == "GPU"
    assert "## References" in text and "## Exercises" in text
    assert "profiles.settings(" in text, "a lesson states its per-profile settings in one cell"
    assert text.count("profiles.settings(") == 1


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_normalise(d) for d in project["dependencies"]}
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    rename = {"pytorch": "torch", "opencv": "opencv-python-headless"}
    have = set()
    for entry in conda:
        if isinstance(entry, dict):  # the pip: section
            continue
        name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", entry).groups()
        if name in ("python", "pip", "jupyterlab"):
            continue
        have.add(_normalise(rename.get(name, name) + spec))
    assert have == wanted, f"environment.yml and pyproject.toml differ: only in yml {have - wanted}, only in pyproject {wanted - have}"


def _normalise(requirement: str) -> str:
    name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement.replace(" ", "")).groups()
    return name.lower().replace("_", "-") + ",".join(sorted(spec.split(",")))


def test_readme_results_table_is_generated_from_the_results_file():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "report.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("lesson", ["03_temporal_generators", "05_video_restoration"])
def test_warm_start_reads_the_lessons_own_gpu_settings(lesson, monkeypatch):
    """benchmarks/warm_start.py trains with the settings in the lesson's `cfg = profiles.settings(...)`:
    if that statement changes shape, the GPU check must fail here, not train the wrong networks."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import warm_start

    monkeypatch.setenv("VGAN_PROFILE", "gpu")
    cfg = warm_start.lesson_settings(lesson)
    assert cfg.profile == "gpu" and cfg.batch == 32
    jobs = [job for chain in warm_start.chains(lesson) for stage in chain for job in stage]
    if lesson.startswith("03"):
        assert (cfg.size, cfg.width) == (64, 64) and set(cfg.steps) == {label for label, _, _ in jobs}
    else:
        from vgan_course import restoration

        assert len(jobs) == 2 + len(restoration.METHODS) + len(restoration.CARPHONE_METHODS)  # two starts first
        assert cfg.steps >= restoration.SHIPPED_STEPS  # so the gpu profile asserts the triplet D's claims
