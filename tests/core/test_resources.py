"""The one resource lookup: source checkout, installed package, frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smsgui.core.reference import resources
from smsgui.core.reference.resources import ResourceNotFoundError, resource_path, resources_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


def make_resources(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "knowledge.toml").write_text("", encoding="utf-8")
    return folder


def test_a_source_checkout_uses_the_top_level_folder() -> None:
    assert resources_dir() == REPO_ROOT / "resources"
    assert resource_path("networks.tsv").is_file()


def test_an_installed_package_uses_its_own_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "smsgui"
    inside = make_resources(package / "resources")
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources_dir() == inside


def test_a_frozen_bundle_uses_its_bundle_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = make_resources(tmp_path / "bundle" / "resources")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert resources_dir() == bundled


def test_a_broken_install_says_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "empty" / "smsgui")
    with pytest.raises(ResourceNotFoundError, match="Reinstall smsgui"):
        resources_dir()


def test_a_missing_data_file_says_which() -> None:
    with pytest.raises(ResourceNotFoundError, match=r"nonexistent\.tsv"):
        resource_path("nonexistent.tsv")
