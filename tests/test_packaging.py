"""Packaging: the installed package carries its data and its version, editable or not."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import importlib.resources
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import nnstudio
from nnstudio.engine.data.datasets import REAL_DATASETS, resources_dir

REPO = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
#: What the app reads at run time, relative to resources/.
SHIPPED = (
    [f"datasets/{name}.csv" for name in REAL_DATASETS]
    + [
        p.relative_to(REPO / "resources").as_posix()
        for p in sorted((REPO / "resources" / "examples").glob("*.nnstudio"))
    ]
    + ["datasets/README.md", "examples/README.md"]
)


def test_every_package_folder_is_listed_for_installation():
    """Each folder of nnstudio/ with an __init__.py, and the resources, are packages pyproject.toml installs."""
    found = {".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "nnstudio").rglob("__init__.py")}
    assert set(SETUPTOOLS["packages"]) == found | {"nnstudio.resources"}
    assert SETUPTOOLS["package-dir"] == {"nnstudio.resources": "resources"}


def test_package_data_covers_every_file_the_app_reads():
    """The shipped datasets, the example sessions and their READMEs exist and match nnstudio.resources' data."""
    patterns = SETUPTOOLS["package-data"]["nnstudio.resources"]
    assert any(name.endswith(".nnstudio") for name in SHIPPED)
    for name in SHIPPED:
        assert (REPO / "resources" / name).is_file(), name
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_the_data_is_found_through_importlib_resources():
    """resources_dir() is the installed package nnstudio.resources, here the repository's resources/ folder."""
    installed = Path(str(importlib.resources.files("nnstudio.resources")))
    assert resources_dir() == installed
    assert installed.resolve() == (REPO / "resources").resolve()


def test_the_version_is_pyprojects_through_the_package_metadata():
    expected = PYPROJECT["project"]["version"]
    assert nnstudio.__version__ == importlib.metadata.version("nnstudio") == expected


def test_without_metadata_a_source_tree_reads_its_pyproject(monkeypatch, tmp_path):
    """Not installed: the version is the pyproject.toml's beside the package, else 0+unknown."""
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(nnstudio, "version", not_installed)
    assert nnstudio._version() == PYPROJECT["project"]["version"]
    (tmp_path / "nnstudio").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.other]\nversion = "9"\n\n[project]\nname = "nnstudio"\n'
                                            'version = "2.5.1"\n\n[tool.x]\nversion = "7"\n', encoding="utf-8")
    monkeypatch.setattr(nnstudio, "__file__", str(tmp_path / "nnstudio" / "__init__.py"))
    assert nnstudio._version() == "2.5.1"
    (tmp_path / "pyproject.toml").unlink()
    assert nnstudio._version() == nnstudio.UNKNOWN_VERSION == "0+unknown"


def _source_copy(destination: Path) -> Path:
    """What a clone holds for building, without caches, virtual environments or earlier builds."""
    ignore = shutil.ignore_patterns(".git", ".*venv*", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis",
                                    ".pytest_cache", "tests", "benchmarks")
    shutil.copytree(REPO, destination, ignore=ignore)
    return destination


@pytest.mark.slow
def test_a_wheel_ships_the_data_and_works_installed_away_from_the_source(tmp_path):
    """pip wheel: the datasets and examples are in it; installed elsewhere, it finds them and knows its version."""
    source = _source_copy(tmp_path / "source")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("nnstudio-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in SHIPPED:
        assert f"nnstudio/resources/{name}" in names, name
    assert not [n for n in names if n.startswith(("resources/", "tests/"))], "only the nnstudio package is installed"

    target = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                                "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    shutil.rmtree(source)  # nothing may come from the source tree
    probe = textwrap.dedent("""
        import json, nnstudio
        from nnstudio.engine.data.datasets import REAL_DATASETS, load_real, resources_dir
        print(json.dumps({
            "module": nnstudio.__file__, "version": nnstudio.__version__, "resources": str(resources_dir()),
            "rows": {name: len(load_real(name).y) for name in REAL_DATASETS},
            "examples": sorted(p.name for p in (resources_dir() / "examples").glob("*.nnstudio")),
        }))
    """)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(target), "PYTHONNOUSERSITE": "1"}
    ran = subprocess.run([sys.executable, "-c", probe], cwd=away, env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert Path(report["module"]).is_relative_to(target) and Path(report["resources"]).is_relative_to(target)
    assert report["version"] == PYPROJECT["project"]["version"]
    assert report["rows"] == {"iris": 150, "wine": 178, "breast_cancer": 569, "digits": 1797}
    assert report["examples"] == sorted(Path(name).name for name in SHIPPED if name.endswith(".nnstudio"))
