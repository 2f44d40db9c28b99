"""Questions the document does answer, which the bot used to decline or cut short (issue 13): a national term
for a topic the pack files under the document's own term, the figure said in the sentence after the one that
sets the scene, and a reply that stays within a chat message. Questions are made up here, not taken from the
evaluation sets."""

from __future__ import annotations

from knowledge.asks import Ask, answers
from knowledge.fitting import doesnt_say
from knowledge.glossary import names_of
from knowledge.library import Library
from knowledge.replies import CHAT_LIMIT, MAX_CHARS, compose
from knowledge.understand import understand


def test_every_name_of_a_concept_comes_from_the_glossary() -> None:
    names = names_of("NQSW")
    assert names[0] == "nqsw" and "newly qualified" in names and "asye" in names
    assert names_of("a word of no concept") == ("a word of no concept",)


def test_a_stage_after_the_first_year_answers_when_by_any_of_its_names() -> None:
    # "post ASYE" was a word in the code; the glossary's other names for the first year say the same.
    assert Ask.when in answers("You can apply post NQSW, once your manager agrees.")
    assert Ask.when in answers("Open to staff post ASYE.")


def test_a_topic_the_document_names_otherwise_is_not_declined_by_name(library: Library) -> None:
    # Medway's pack has no fact tagged ASYE, but its document speaks of newly qualified social workers.
    answer = library.ask(
        "medway", "I'm in my ASYE right now - what must I get done before I apply for level 2?"
    )
    assert "anything about the ASYE" not in answer.text
    assert "newly qualified" in answer.text.lower()


def test_a_figure_goes_on_from_the_sentence_that_sets_the_scene(library: Library) -> None:
    # "At a review hearing ... The decision is given ... within 10 working days": the hearing is the scene the
    # asker sets, the decision what they ask the time of.
    answer = library.ask(
        "medway", "Once my review hearing has taken place, how long before the decision comes?"
    )
    assert answer.answered
    assert "10 working days" in answer.text


def test_what_is_asked_of_must_still_be_named_where_the_figure_is(library: Library) -> None:
    # The review's 10 working days are no time limit on the manager's assessment named after the ask.
    answer = library.ask(
        "medway", "after I submit my portfolio, how many days does my manager have to finish assessing it?"
    )
    assert not answer.answered


def test_a_long_list_whose_first_item_does_not_fit_is_left_out(library: Library) -> None:
    pack = library.packs["medway"]
    first = "A lead line. " * 40
    long_list = "; ".join(["an item that is long enough " * 20, "b", "c", "d"])
    answer = compose(pack, [first, long_list], [], None)
    assert len(answer.text) <= MAX_CHARS


def test_each_part_leads_with_the_lines_that_give_what_it_asks(library: Library) -> None:
    # Of the supplements' facts, the one that says how long they are paid for answers "for how long", not the
    # service each supplement requires ("less than 4 years service"); a part keeps only its first lines.
    answer = library.ask("hertfordshire", "For how long will the supplements be paid? Is it a one-off?")
    assert answer.answered
    assert "3 years" in answer.text


def test_a_decline_keeps_only_the_helpful_facts_that_fit_a_chat_message(library: Library) -> None:
    # The nearest facts used to be added whole after "doesn't say": two long ones made a reply no chat
    # message holds (the scorer's limit is 1,200 characters).
    index = library.indexes["medway"]
    question = understand(
        "how many days does my manager get to assess my form?", index, library.speller_for("medway")
    )
    long_fact, short_fact = "A long fact about the form. " * 30, "The Team Manager assesses the evidence."
    answer = doesnt_say(index, question, [long_fact, long_fact, short_fact])
    assert not answer.answered
    assert len(answer.text) <= CHAT_LIMIT
    assert answer.text.count(long_fact.strip()) == 1 and short_fact in answer.text  # what fits, in order


def test_a_decline_with_nothing_that_fits_says_so_without_an_empty_heading(library: Library) -> None:
    index = library.indexes["medway"]
    question = understand(
        "how many days does my manager get to assess my form?", index, library.speller_for("medway")
    )
    answer = doesnt_say(index, question, ["x" * 2000])
    assert "might help" not in answer.text and answer.text.endswith(".")


def test_a_part_the_other_parts_answer_gives_is_not_declined(library: Library) -> None:
    # Coventry §1.2-1.3: the group's members, "Mal Mutton (Chair)", "met 4 times". Asked on its own, "how many
    # times did the members meet?" finds nothing; the chair's answer gives it, so the old code's "doesn't say"
    # for that part (and `answered: false` for the whole) was wrong.
    answer = library.ask(
        "coventry",
        "which councillor chaired the retention task and finish group, and how many times did the members meet?",
    )
    assert answer.answered and "Mal Mutton (Chair)" in answer.text and "met 4 times" in answer.text
    assert "doesn't say" not in answer.text


def test_a_yes_or_no_part_is_not_taken_as_answered_by_another_parts_list(library: Library) -> None:
    # Hertfordshire §3.4 names no list of competencies: the requirements' bullets do not answer "is there a list?"
    answer = library.ask(
        "hertfordshire",
        "which competencies must I show to become a senior practitioner? is there a list of them?",
    )
    assert not answer.answered
