"""The parsed knowledge base is cached by content, so later starts skip the TOML parse."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from smsgui.core.reference.knowledge import KnowledgeBaseError, load_knowledge_base
from smsgui.core.reference.resources import resource_path


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge.toml"
    shutil.copyfile(resource_path("knowledge.toml"), copy)
    return copy


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("knowledge-*.json"))


def test_the_first_load_writes_the_cache_and_the_second_reads_it(
        shipped: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    parsed = load_knowledge_base(shipped, cache)
    (cached,) = cache_files(cache)
    document = json.loads(cached.read_text())
    document["entry"][0]["title"] = "Title from the cache"
    cached.write_text(json.dumps(document))
    again = load_knowledge_base(shipped, cache)
    first_id = parsed.entries[0].id
    assert again.get(first_id).title == "Title from the cache"
    assert len(again.entries) == len(parsed.entries)


def test_without_a_cache_folder_nothing_is_written(shipped: Path, tmp_path: Path) -> None:
    load_knowledge_base(shipped)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["knowledge.toml"]


@pytest.mark.parametrize("damage", [
    b"{not json",
    b"[1, 2, 3]",
    json.dumps({"entry": [{"id": "half an entry"}]}).encode(),
    json.dumps({"entry": ["not a table"]}).encode(),
])
def test_a_damaged_cache_is_ignored_and_replaced(shipped: Path, tmp_path: Path,
                                                 damage: bytes) -> None:
    cache = tmp_path / "cache"
    expected = load_knowledge_base(shipped, cache)
    (cached,) = cache_files(cache)
    cached.write_bytes(damage)
    assert load_knowledge_base(shipped, cache).entries == expected.entries
    assert json.loads(cached.read_text())["entry"][0]["id"] == expected.entries[0].id


def test_an_edited_file_is_parsed_again_and_the_old_cache_removed(
        shipped: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge_base(shipped, cache)
    (old,) = cache_files(cache)
    text = shipped.read_text(encoding="utf-8")
    shipped.write_text(text + "\n# an edit\n", encoding="utf-8")
    load_knowledge_base(shipped, cache)
    (new,) = cache_files(cache)
    assert new != old and not old.exists()


def test_an_unwritable_cache_folder_only_costs_the_parse(shipped: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    knowledge = load_knowledge_base(shipped, blocked)
    assert knowledge.entries and blocked.read_text().startswith("a file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes to read-only folders")
def test_a_read_only_cache_folder_only_costs_the_parse(shipped: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        assert load_knowledge_base(shipped, cache).entries
        assert cache_files(cache) == []
    finally:
        cache.chmod(0o700)


def test_a_broken_file_is_reported_even_with_a_cache(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge.toml"
    broken.write_text("[[entry]\nid = ", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="not valid TOML"):
        load_knowledge_base(broken, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
