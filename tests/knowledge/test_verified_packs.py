"""Start-up keeps what it verified (knowledge/verified_packs.py): a pack whose exact bytes, documents and
checking code passed before is served without being loaded and traced again; anything changed is
checked afresh, and a damaged or unwritable record only costs time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import loader, tracing
from knowledge.loader import DOCUMENTS_DIR, PACKS_DIR, PackError, load_packs
from knowledge.models import Pack
from knowledge.tracing import load_traced_packs
from knowledge.verified_packs import VerifiedPacks

POINT_39 = "{point: 39, salary: 32800}"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    packs, documents = tmp_path / "packs", tmp_path / "documents"
    shutil.copytree(PACKS_DIR, packs, ignore=shutil.ignore_patterns("local"))
    shutil.copytree(DOCUMENTS_DIR, documents)
    return packs, documents, tmp_path / "cache"


def _load(folders: tuple[Path, Path, Path]) -> dict[str, Pack]:
    packs, documents, cache = folders
    return load_traced_packs(packs, documents, VerifiedPacks(cache, documents))


def _loads_from_yaml(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Which packs were built from their YAML (and so traced), rather than taken from the record."""
    built: list[Path] = []
    real = loader.load_pack

    def counting(path: Path) -> Pack:
        built.append(path)
        return real(path)

    monkeypatch.setattr(loader, "load_pack", counting)
    return built


def test_a_cached_pack_is_the_pack_its_yaml_gives() -> None:
    for pack in load_packs().values():
        assert Pack.model_validate_json(pack.model_dump_json()) == pack


def test_the_second_start_takes_every_pack_from_the_record(
    folders: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _load(folders)
    built = _loads_from_yaml(monkeypatch)
    assert _load(folders) == first
    assert built == []
    assert len(list(folders[2].glob("*.json"))) == len(first)


def test_an_edited_figure_is_traced_again_and_refused(
    folders: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(folders)
    medway = folders[0] / "medway.yaml"
    medway.write_text(medway.read_text(encoding="utf-8").replace(POINT_39, "{point: 39, salary: 32900}"))
    built = _loads_from_yaml(monkeypatch)
    with pytest.raises(PackError, match="number 32900 does not appear"):
        _load(folders)
    assert built == [medway]  # the other packs are unchanged: taken from the record


def test_an_edited_document_makes_every_pack_be_traced_again(folders: tuple[Path, Path, Path]) -> None:
    _load(folders)
    document = folders[1] / "medway-2010-career-framework.txt"
    text = document.read_text(encoding="utf-8")
    assert "32800" in text.replace(",", "")
    document.write_text(text.replace("32,800", "32,801").replace("32800", "32801"), encoding="utf-8")
    tracing.document_text.cache_clear()  # a process reads each document once; a new start would read it
    tracing.document_numbers.cache_clear()
    with pytest.raises(PackError, match="number 32800 does not appear"):
        _load(folders)


def test_a_damaged_record_is_ignored_and_written_again(folders: tuple[Path, Path, Path]) -> None:
    first = _load(folders)
    for record in folders[2].glob("*.json"):
        record.write_text('{"organisation": ', encoding="utf-8")
    assert _load(folders) == first
    assert all(record.read_text(encoding="utf-8").startswith('{"') for record in folders[2].glob("*.json"))
    assert _load(folders) == first


def test_a_record_that_cannot_be_written_costs_only_time(folders: tuple[Path, Path, Path]) -> None:
    packs, _, cache = folders
    cache.write_text("a file where the folder should be", encoding="utf-8")
    assert set(_load(folders)) == {"bcc", "coventry", "hertfordshire", "medway"}
    assert list(packs.parent.glob("cache*")) == [cache] and not list(packs.parent.glob("*.partial"))
