"""Packaging: the wheel lists every subpackage and ships the CUDA sources as minigrad/kernels.

(.ci/run builds the wheel, installs it outside the checkout and checks the installed kernels;
these tests catch the configuration drifting from the tree without building anything.)
"""
from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")          # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]


def _setuptools_config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_subpackage_is_listed():
    listed = set(_setuptools_config()["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "minigrad").rglob("__init__.py")}
    assert found - listed == set(), "subpackages missing from pyproject's packages list"
    assert listed - found == {"minigrad.kernels"}


def test_the_kernel_folder_ships_as_package_data():
    config = _setuptools_config()
    assert config["package-dir"]["minigrad.kernels"] == "kernels"
    patterns = config["package-data"]["minigrad.kernels"]
    sources = [p for p in (ROOT / "kernels").iterdir() if p.is_file()]
    assert sources
    for p in sources:
        assert any(p.match(pat) for pat in patterns), f"{p.name} would not be in the wheel"


def test_the_loader_looks_inside_the_package_for_an_installed_wheel(tmp_path, monkeypatch):
    """A wheel installs the sources at minigrad/kernels; kernel_dir() must look there."""
    from minigrad.cuda import loader
    monkeypatch.delenv("MINIGRAD_KERNEL_DIR", raising=False)
    package = Path(loader.__file__).resolve().parents[1]
    assert package / "kernels" in loader.kernel_dir_candidates()
