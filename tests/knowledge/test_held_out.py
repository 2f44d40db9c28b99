"""Questions the answers were not tuned on: a held-out set written from the four policies, judged by the
scorer's rules (../shared/eval/score.py), in process. Also the shared development set, where it exists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from knowledge.library import Library

HERE = Path(__file__).parent
HELD_OUT = HERE / "held_out_questions.jsonl"
DEV = HERE.parents[2] / "shared" / "eval" / "dev-questions.jsonl"
MAX_CHARS = 1200


def normalise(text: str) -> str:
    """As the scorer does: lower case, straight quotes, no thousands separators, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text)


def judge(item: dict[str, Any], answered: bool, raw: str) -> str:
    """Why the reply is wrong, or "" when it is right (the scorer's rules)."""
    if len(raw) > MAX_CHARS:
        return f"{len(raw)} characters"
    text = normalise(raw)
    want = item.get("answered")
    if want is not None and answered is not want:
        return f"answered={answered}, wanted {want}"
    bad = [pattern for pattern in item.get("must_not", []) if re.search(pattern, text)]
    if bad:
        return f"says what it must not: {bad}"
    if want is False:
        return ""
    missing = [group for group in item.get("must", []) if not any(re.search(alt, text) for alt in group)]
    return f"misses one of {missing}" if missing else ""


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(library: Library, items: list[dict[str, Any]]) -> tuple[float, list[str], list[str]]:
    """Share correct, the failures, and the failures that were answered (confidently wrong)."""
    failures, confident = [], []
    for item in items:
        answer = library.ask(item["org"], item["question"])
        why = judge(item, answer.answered, answer.text)
        if why:
            failures.append(
                f"{item['id']} [{item['org']}] {item['question']!r}: {why}\n  got: {answer.text!r}"
            )
            if answer.answered:
                confident.append(failures[-1])
    return 1 - len(failures) / len(items), failures, confident


def test_the_held_out_set_covers_every_category_and_organisation() -> None:
    items = load(HELD_OUT)
    categories = {i["category"] for i in items}
    assert len(items) >= 200
    assert {i["org"] for i in items} == {"medway", "bcc", "hertfordshire", "coventry"}
    assert {"not_stated", "out_of_scope", "eligibility", "supplements", "appeal", "panel"} <= categories
    assert len({i["id"] for i in items}) == len(items)


def test_held_out_questions_are_answered_correctly(library: Library) -> None:
    share, failures, confident = run(library, load(HELD_OUT))
    assert not confident, "answered and wrong:\n" + "\n".join(confident)
    assert share >= 0.95, "\n".join(failures)


@pytest.mark.skipif(not DEV.exists(), reason="the shared development set is not beside this checkout")
def test_development_questions_are_answered_correctly(library: Library) -> None:
    share, failures, confident = run(library, load(DEV))
    assert not confident, "answered and wrong:\n" + "\n".join(confident)
    assert share >= 0.95, "\n".join(failures)


def test_the_judge_fails_a_wrong_reply() -> None:
    item = {"answered": True, "must": [["36313"]], "must_not": ["£ ?9"]}
    assert judge(item, True, "Point 43 pays £36,313 a year.") == ""
    assert judge(item, True, "Point 43 pays £35,430 a year.").startswith("misses")
    assert judge(item, False, "Point 43 pays £36,313 a year.").startswith("answered=")
    assert judge(item, True, "£9 and £36,313").startswith("says what it must not")
    assert judge(item, True, "£36,313 " + "x" * 1200).endswith("characters")
