"""Packs load, and every fact traces to a real section and to numbers its document contains."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loader import DOCUMENTS_DIR, PACKS_DIR, PackError, load_pack, load_packs
from knowledge.models import Pack, Sourced
from knowledge.tracing import sourced_items, trace

SHARED_POLICIES = Path(__file__).resolve().parents[3] / "shared" / "policies"
ORGS = ["medway", "bcc", "hertfordshire", "coventry"]


@pytest.fixture(scope="module")
def packs() -> dict[str, Pack]:
    return load_packs()


def test_every_organisation_has_a_pack(packs: dict[str, Pack]) -> None:
    assert sorted(packs) == sorted(ORGS)


@pytest.mark.parametrize("org", ORGS)
def test_every_fact_traces_to_its_document(packs: dict[str, Pack], org: str) -> None:
    assert [str(p) for p in trace(packs[org])] == []


@pytest.mark.parametrize("org", ORGS)
def test_no_fact_lacks_a_source(packs: dict[str, Pack], org: str) -> None:
    items = list(sourced_items(packs[org]))
    assert len(items) > 20
    for where, item in items:
        assert item.source.document, where
        assert item.source.section.strip(), where
        assert (DOCUMENTS_DIR / f"{item.source.document}.txt").exists(), where


def test_tracing_catches_an_invented_figure_and_a_made_up_section(packs: dict[str, Pack]) -> None:
    medway = packs["medway"]
    level = medway.levels[0]
    assert level.pay is not None
    invented = level.pay.model_copy(update={"minimum": 99999, "maximum": 100000, "points": []})
    bad_level = level.model_copy(update={"pay": invented})
    bad_fact = medway.facts[0].model_copy(
        update={"source": medway.facts[0].source.model_copy(update={"section": "Section 99 of nowhere"})}
    )
    broken = medway.model_copy(update={"levels": [bad_level, *medway.levels[1:]], "facts": [bad_fact]})
    problems = [str(p) for p in trace(broken)]
    assert any("99999" in p for p in problems)
    assert any("Section 99 of nowhere" in p for p in problems)


def test_shipped_documents_are_the_councils_documents() -> None:
    if not SHARED_POLICIES.exists():
        pytest.skip("shared/policies is not beside this checkout")
    for original in SHARED_POLICIES.glob("*.txt"):
        assert (DOCUMENTS_DIR / original.name).read_bytes() == original.read_bytes()


def test_a_broken_pack_is_reported_by_file_line_and_field(tmp_path: Path) -> None:
    text = (PACKS_DIR / "medway.yaml").read_text(encoding="utf-8")
    broken = text.replace("rank: 2\n", "rank: second\n", 1)
    path = tmp_path / "medway.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    problem = caught.value.problems[0]
    expected_line = broken.splitlines().index("    rank: second") + 1
    assert (problem.file, problem.line, problem.field) == (str(path), expected_line, "levels.1.rank")


def test_one_broken_pack_stops_the_whole_load(tmp_path: Path) -> None:
    for pack in PACKS_DIR.glob("*.yaml"):
        (tmp_path / pack.name).write_text(pack.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "coventry.yaml").write_text("organisation: [not, a, mapping\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_packs(tmp_path)
    assert "coventry.yaml:" in str(caught.value)


def test_a_pack_referring_to_an_unknown_level_is_refused(tmp_path: Path) -> None:
    text = (PACKS_DIR / "medway.yaml").read_text(encoding="utf-8")
    path = tmp_path / "medway.yaml"
    path.write_text(
        text.replace("level-3: [Demonstrates excellent", "level-9: [Demonstrates excellent"), "utf-8"
    )
    with pytest.raises(PackError, match="unknown levels"):
        load_pack(path)


def test_sourced_items_include_nested_requirements(packs: dict[str, Pack]) -> None:
    paths = [where for where, item in sourced_items(packs["medway"]) if isinstance(item, Sourced)]
    assert any(".requirements[" in p for p in paths)
    assert any(p.startswith("process.review") for p in paths)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"organisation: medway\nlevels: []\n", 1),  # a mapping expected, a word given
        (b"organisation:\n  id: x\n  name: \xff\xfe\n", 3),  # not UTF-8
        (b"organisation: [1, 2]\nlevels: {a: 1}\n", 1),
        (b"- a list\n- not a pack\n", 1),
        (b"organisation: {id: x, name: y\n", 2),  # unterminated flow mapping
    ],
)
def test_every_broken_pack_is_reported_as_file_line_field_message(
    tmp_path: Path, content: bytes, line: int
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    with pytest.raises(PackError) as caught:
        load_pack(path)
    problems = [str(problem) for problem in caught.value.problems]
    assert problems and all(problem.startswith(f"{path}:") for problem in problems)
    assert any(problem.startswith(f"{path}:{line}: ") for problem in problems), problems


def test_a_pack_that_cannot_be_read_is_reported_not_raised(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "missing.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'missing.yaml'}:1: cannot be read")
