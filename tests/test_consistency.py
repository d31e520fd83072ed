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

from vgan_course import colab

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
    tag = colab.install_requirement().split("@")[-1]  # the notebook of the release whose package it installs
    badge = f"https://colab.research.google.com/github/vgan-course/vgan-course/blob/{tag}/notebooks/{notebook.name}"
    assert badge in nb.cells[0].source, f"the first cell needs an Open in Colab badge pointing at this notebook, at {tag}"
    install = [c for c in nb.cells if c.cell_type == "code" and "pip" in c.source]
    assert install and '"google.colab" in sys.modules' in install[0].source, "the install cell must act only on Colab"
    assert "!pip" not in text and "%pip" not in text, "install with plain Python (subprocess), not shell magics"
    assert nb.metadata.get("accelerator") == "GPU"
    assert "## References" in text and "## Exercises" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # settings per profile: in one cell, or declared with the lesson's methods (vgan_course.methods)
    assert code.count("profiles.settings(") + code.count("lesson.config()") == 1, \
        "a lesson states its per-profile settings once"


def test_environment_yml_matches_pyproject():
    """environment.yml holds pyproject's dependencies, its `lab` extra and its Python version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_normalise(d) for d in project["dependencies"] + project["optional-dependencies"]["lab"]}
    wanted.add(_normalise("python" + project["requires-python"]))
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    rename = {"pytorch": "torch", "opencv": "opencv-python-headless"}
    have = set()
    for entry in conda:
        if isinstance(entry, dict):  # the pip: section
            continue
        name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", entry).groups()
        if name == "pip":
            continue
        have.add(_normalise(rename.get(name, name) + spec))
    assert have == wanted, f"environment.yml and pyproject.toml differ: only in yml {have - wanted}, only in pyproject {wanted - have}"


def test_nbgrader_is_only_in_the_instructor_install():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    everything = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for name, requirements in {"dependencies": everything, **extras}.items():
        has = any(r.lower().startswith("nbgrader") for r in requirements)
        assert has == (name == "instructor"), f"nbgrader belongs in the instructor extra only, found in {name}"
    makefile = (ROOT / "Makefile").read_text()
    lab, student = (re.search(rf"^{re.escape(target)}:.*\n(?:\t.*\n)*", makefile, re.M).group(0)
                    for target in ("lab", "$(STUDENT)"))
    assert "$(STUDENT)" in lab and "DEVELOPER" not in lab, "`make lab` must not install the instructor tools"
    assert '-e ".[lab]"' in student and "instructor" not in student and "[dev" not in student


def test_make_asks_the_cpu_index_first_and_falls_back_within_seconds():
    makefile = (ROOT / "Makefile").read_text()
    assert "TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu" in makefile
    first, fallback = re.search(r'else (\$\(PIP\)[^|]*)\|\|(.*?)fi', makefile, re.S).groups()
    assert '--index-url "$(TORCH_CPU_INDEX)"' in first and "--timeout 5 --retries 0" in first
    assert '$(PIP) "$(TORCH_SPEC)"' in fallback and "index-url" not in fallback


def _normalise(requirement: str) -> str:
    name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement.replace(" ", "")).groups()
    return name.lower().replace("_", "-") + ",".join(sorted(spec.split(",")))


def test_readme_results_table_is_generated_from_the_results_file():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "report.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_results_page_keeps_rows_apart_that_differ_in_any_text_column():
    """A table recorded with two text columns (lesson 06: generator and prompts) is pooled over runs per
    pair, not per first column; numbers become mean ± std."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("report", ROOT / "benchmarks" / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    runs = [{"tables": {"t": [{"generator": "A", "prompts": "seen", "both": both},
                              {"generator": "A", "prompts": "held-out", "both": held}]}} for both, held in ((0.7, 0.1), (0.8, 0.1))]
    lines = report.recorded_tables(runs)
    assert "| generator | prompts | both |" in lines
    assert "| A | seen | 0.75 ± 0.071 |" in lines and "| A | held-out | 0.1 ± 0 |" in lines


def test_every_module_is_on_the_three_maps():
    """README's package table, the package docstring and docs/architecture.md name every module."""
    import vgan_course

    package = ROOT / "vgan_course"
    modules = sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__")
    modules += sorted(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
    readme = (ROOT / "README.md").read_text()
    readme_map = readme.split("## The package", 1)[1].split("\n## ", 1)[0]
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    for module in modules:
        assert f"`{module}`" in readme_map, f"README's package table lacks `{module}`"
        assert f"vgan_course.{module}`" in vgan_course.__doc__, f"vgan_course/__init__.py's docstring lacks {module}"
        assert f"`{module}.py`" in architecture or f"`{module}/`" in architecture, f"docs/architecture.md lacks {module}"
    assert "docs/architecture.md" in readme_map and "docs/results.md" in readme


def test_readme_lists_every_lesson_and_marks_the_rest_coming():
    present = {p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py")}
    rows = re.findall(r"^\| (\d\d) \| ([^|]+) \|", (ROOT / "README.md").read_text(), re.M)
    assert {number for number, _ in rows} >= present
    for number, name in rows:
        assert ("(coming)" in name) == (number not in present), f"README's lesson {number}: '(coming)' iff it is missing"


def test_results_of_shipped_networks_are_of_the_networks_shipped_now():
    """README's and the results page's tables cannot show networks that were replaced since: a run
    records the SHA-256 of every shipped network it loaded; runs recorded before that are dated, and
    must not be older than the networks their lesson ships for their profile."""
    from vgan_course import methods, shipped

    manifest = shipped.read_manifest()
    stale = []
    for run in json.loads((ROOT / "benchmarks" / "results.json").read_text())["lesson_runs"]:
        if "shipped" in run:
            replaced = [name for name, digest in run["shipped"].items() if manifest.get(name, {}).get("sha256") != digest]
        else:
            replaced = [name for name in _networks_shipped_for(run) if manifest[name]["date"] > run["machine"]["date"]]
        if replaced:
            stale.append(f"{run['lesson']} {run['profile']}{' retrained' * bool(run.get('retrain'))} seed {run['seed']}: {replaced}")
    assert not stale, ("results of shipped networks replaced since; rerun them with "
                       f"`python benchmarks/run.py lessons --only NN --profile P` and `python benchmarks/report.py`: {stale}")


def _networks_shipped_for(run: dict) -> list[str]:
    """The shipped networks a lesson loads in the run's profile (none when it retrains or when the profile's
    networks have other shapes than the shipped ones)."""
    from vgan_course import methods, shipped

    if run.get("retrain") or run["lesson"] not in methods.LESSON_MODULES:
        return []
    lesson = methods.lesson(run["lesson"])
    settings, ship = lesson.settings[run["profile"]], lesson.settings["ship"]
    if any(settings[key] != ship[key] for key in lesson.architecture):
        return []
    return [m.shipped for m in lesson.methods.values() if m.shipped in shipped.read_manifest()]


def test_ci_runs_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_vgan_course_train_trains_what_the_notebook_then_finds(tmp_path, monkeypatch):
    """`vgan-course train` (e.g. side by side on a GPU, before the lesson runs) trains into the folder the
    lesson resumes from, with the lesson's own settings: the notebook's call then trains no further."""
    from vgan_course import cli, methods, profiles

    monkeypatch.setenv("VGAN_RUNS", str(tmp_path))
    assert cli.main(["train", "03_temporal_generators", "TGAN", "--profile", "smoke", "--seed", "3"]) == 0
    monkeypatch.setenv("VGAN_PROFILE", "smoke")
    monkeypatch.setenv("VGAN_SEED", "3")
    lesson = methods.lesson("03_temporal_generators")
    again = methods.load_or_train(lesson.methods["TGAN"], lesson.config(), retrain=True,
                                  run_dir=profiles.run_dir("03_temporal_generators"), progress=False)
    assert again.history.steps[-1] == lesson.config().steps["TGAN"] and again.history.seconds > 0
    assert cli.main(["train", "03_temporal_generators", "DVD-GAN", "--profile", "smoke"]) == 2
