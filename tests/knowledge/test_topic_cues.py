"""The one-search-per-topic shortcut in score_topics weighs exactly what trying every cue weighs."""

import json
from pathlib import Path

from knowledge.library import Library
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


def test_paid_for_asks_how_something_is_funded_not_what_it_pays(library: Library) -> None:
    # Coventry §6.3: the posts are cost neutral, through the removal of the market supplement. The old code
    # heard "paid" as a salary question and said the report gives no salary for Grade 8.
    answer = library.ask("coventry", "how are the advanced practitioner posts being paid for?")
    assert answer.answered and "cost neutral" in answer.text


def test_what_is_expected_for_progression_asks_what_it_requires(library: Library) -> None:
    # Medway's level 3 requirements (broad experience, all level 2 and 3 competencies...). The old code heard
    # no topic and answered with the level's card (what a level 3 worker does, and its pay).
    answer = library.ask("medway", "what is expected of me for progression to level 3?")
    assert answer.text.startswith("To reach Level 3 Social Worker you need:")


def test_what_i_have_to_show_for_a_grade_asks_what_it_requires(library: Library) -> None:
    # BCC's BG11: the learning and development pathway and enabling others. The old code heard no topic in
    # "have to show" and answered with BG10's pathway stage.
    answer = library.ask("bcc", "what have I got to demonstrate to be awarded BG12?")
    assert answer.text.startswith("To reach BG12")


def test_help_to_qualify_asks_about_the_route_to_qualifying(library: Library) -> None:
    # Hertfordshire's Social Work Career Pathways Scheme is its route for unqualified staff (the UH degree): the
    # old code read no topic and answered with the report's general words on more study opportunities.
    answer = library.ask(
        "hertfordshire", "im unqualified, will the council help me qualify as a social worker?"
    )
    assert "University of Hertfordshire (UH)" in answer.text
