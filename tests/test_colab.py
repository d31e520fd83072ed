"""The Colab helper and the install cell of every notebook: a tagged release, nothing Colab ships upgraded."""

import re
import sys
import tomllib
from pathlib import Path

import jupytext
import pytest

from vgan_course import __version__, colab

ROOT = Path(__file__).resolve().parents[1]
TWINS = sorted([*ROOT.glob("notebooks/[0-9][0-9]_*.py"), *ROOT.glob("solutions/[0-9][0-9]_*.py")])
# what Colab has preinstalled for years; the course must not ask for more (pip would upgrade them in
# the running kernel, which breaks Colab)
COLAB_SHIPS = {"ipython": (7, 34), "ipywidgets": (7, 7)}


def install_cell(path: Path) -> str:
    return next(c.source for c in jupytext.read(path).cells if c.cell_type == "code" and "pip" in c.source)


@pytest.mark.parametrize("twin", TWINS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_install_cell_installs_this_versions_tag_and_checks_the_runtime(twin):
    cell = install_cell(twin)
    assert f'"{colab.install_requirement()}"' in cell, f"{twin.name}: install {colab.install_requirement()}"
    assert "colab.check_runtime()" in cell


def test_the_tag_follows_the_package_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__
    assert colab.install_requirement().split(" @ ")[1] in (ROOT / "README.md").read_text(), "README names another tag"
    assert colab.install_requirement() == f"vgan-course @ git+https://github.com/vgan-course/vgan-course@v{__version__}"
    badges = re.findall(r"colab\.research\.google\.com/github/vgan-course/vgan-course/blob/([^/]+)/",
                        (ROOT / "README.md").read_text())
    assert badges and set(badges) == {f"v{__version__}"}, "README's badges must open the notebooks of the tag installed"


def test_requirements_are_met_by_what_colab_ships():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement).groups()
        if name in COLAB_SHIPS:
            lower = tuple(int(x) for x in re.search(r">=([\d.]+)", spec).group(1).split("."))
            assert lower <= COLAB_SHIPS[name], f"{requirement} would upgrade Colab's {name} {COLAB_SHIPS[name]}"
    assert re.fullmatch(r"torch>=[\d.]+,<\d+", next(r for r in project["dependencies"] if r.startswith("torch")))


def test_runtime_advice_says_what_to_do():
    none, drive = colab.runtime_advice(None, None), colab.runtime_advice("Tesla T4", colab.DRIVE_RUNS)
    assert "Change runtime type" in none[0] and "keep_runs_on_drive" in none[1]
    assert "Tesla T4" in drive[0] and "resumes" in drive[1] and "keep_runs_on_drive" not in drive[1]


def test_off_colab_nothing_happens(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not colab.on_colab()
    colab.check_runtime()
    assert capsys.readouterr().out == ""
    with pytest.raises(RuntimeError, match="only on Colab"):
        colab.keep_runs_on_drive()
