"""The documents keep markup from their conversion (paragraph and table tags, "◆" bullets): what is quoted
from them is the words a reader sees, each tagged paragraph or bulleted item a paragraph of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.document_passages import DocumentIndex, document_index
from knowledge.library import Library

SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


def test_tags_are_dropped_and_each_block_is_a_paragraph_of_its_own() -> None:
    index = DocumentIndex.build(
        "3.3 Supplements\n"
        'The supplement is reviewed annually. \t<p>This will help with recruitment.</p> <p align="center">'
        "Costs &amp; benefits</p>\n"
        '<ul style="list-style-type: none"> ◆ Paid in two instalments. ◆ Paid with clawback clauses.\n'
        '<table><tr><td>London</td><td style="text-align: right;">£30,239</td></tr></table>\n'
    )
    texts = [s.text for s in index.sentences]
    assert not [t for t in texts if "<" in t or "◆" in t or "\t" in t or "&amp;" in t]
    assert "This will help with recruitment." in texts and "Costs & benefits" in texts
    # A bullet still marks an item; items and tagged paragraphs are paragraphs apart.
    paid = [s for s in index.sentences if s.text.startswith("- Paid")]
    assert [s.text for s in paid] == ["- Paid in two instalments.", "- Paid with clawback clauses."]
    assert paid[0].paragraph != paid[1].paragraph
    # A table's row is a line of its own, its cells side by side, and no heading (a sum names no section).
    assert "<" not in index.raw and "London £30,239" in texts
    assert index.sentences[-1].section == "Costs & benefits"  # the heading above the table


@pytest.mark.parametrize(
    "document",
    ["hertfordshire-2004-recruitment-retention", "medway-2010-career-framework"],
)
def test_no_sentence_of_a_shipped_document_holds_markup(document: str) -> None:
    assert not [s.text for s in document_index(document).sentences if "<" in s.text or "◆" in s.text]


def test_no_answer_to_the_realistic_questions_shows_markup(library: Library) -> None:
    path = SHARED_EVAL / "dev-questions-2.jsonl"
    if not path.exists():
        pytest.skip("the shared development questions are not beside this checkout")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    shown = [
        item["id"]
        for item in items
        if any(mark in library.ask(item["org"], item["question"]).text for mark in ("<p", "</", "◆", "\t"))
    ]
    assert shown == []


def test_a_sentence_does_not_end_at_an_abbreviation() -> None:
    index = DocumentIndex.build(
        "Core Skills\nConfident at presenting to formal groups e.g. Panels. Next one.\n"
    )
    assert [s.text for s in index.sentences][-2:] == [
        "Confident at presenting to formal groups e.g. Panels.",
        "Next one.",
    ]
