"""The one-search-per-topic shortcut in score_topics weighs exactly what trying every cue weighs."""

import json
from pathlib import Path

from knowledge.text import normalise
from knowledge.topics import CUES, score_topics

QUESTIONS = Path(__file__).parent / "held_out_questions.jsonl"


def _every_cue(text: str) -> dict[object, float]:
    found = {topic: sum(c.weight for c in cues if c.pattern.search(text)) for topic, cues in CUES.items()}
    return {topic: total for topic, total in found.items() if total}


def test_the_shortcut_weighs_every_cue() -> None:
    texts = [normalise(json.loads(line)["question"]) for line in QUESTIONS.read_text().splitlines() if line]
    assert len(texts) > 900
    assert all(score_topics(text) == _every_cue(text) for text in texts)
