"""Coverage of each document by its pack, checked from the document's side: every sum of money, percentage
and year the document states is carried by some part of its pack (a fact, a level, a supplement, the
process...), so a worker asking about it gets the pack's answer with its section, not a guess. The few
figures deliberately left to the document's own passages (history that sets no rule) are listed with why.
A figure in a new document that no pack part carries fails here: add the fact, or list it with its reason."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from knowledge.library import Library
from knowledge.loader import DOCUMENTS_DIR

# Money (£2,000, £1.1m), percentages (16%), and numbers of four or more digits (years, costs without £).
FIGURE = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?m?|\b\d+(?:\.\d+)?%|\b\d[\d,]{3,}\b")

LEFT_TO_PASSAGES: dict[str, dict[str, str]] = {
    "medway": {
        "1998": "2.5: recruitment challenges since 1998, background to the framework",
    },
}


def _figure(text: str) -> str:
    return re.sub(r"[£,\s]", "", text)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)  # a salary or amount held as a number


@pytest.mark.parametrize("org", ["medway", "bcc", "coventry", "hertfordshire"])
def test_every_figure_the_document_states_is_in_its_pack(library: Library, org: str) -> None:
    pack = library.packs[org]
    carried = {_figure(f) for s in _strings(pack.model_dump(mode="json")) for f in FIGURE.findall(s)}
    document = (DOCUMENTS_DIR / f"{pack.organisation.document}.txt").read_text()
    document = re.sub(r"<[^>]+>", " ", document)  # the tables' markup is not text
    left = LEFT_TO_PASSAGES.get(org, {})
    missing = sorted({_figure(f) for f in FIGURE.findall(document)} - carried - set(left))
    assert not missing, f"{org}: figures its pack does not carry: {missing}"


def test_a_figure_left_to_the_passages_is_really_not_in_the_pack(library: Library) -> None:
    # The exception list must not outlive its reason: a figure a fact now carries is taken off it.
    for org, left in LEFT_TO_PASSAGES.items():
        carried = " ".join(_strings(library.packs[org].model_dump(mode="json")))
        assert not [f for f in left if f in carried], org
