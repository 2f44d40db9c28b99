"""What the section-by-section audit of each document against its pack (2026-12-02) found missing or wrong:
each test asks about something the document says (or is silent on) that the packs before the audit answered
with a neighbouring fact, declined, or answered from the document's header. Worded apart from the question
sets, so they test the packs' content, not a phrasing."""

from __future__ import annotations

from knowledge.library import Library


def test_what_a_document_says_about_its_own_review_is_in_the_pack(library: Library) -> None:
    # 11.2: a review of the revised framework is to come back to Committee in twelve months' time.
    answer = library.ask("medway", "will the competency framework itself be looked at again by the committee?")
    assert answer.answered
    assert "twelve months" in answer.text


def test_every_figure_of_a_comparison_the_document_prints_is_given(library: Library) -> None:
    # 3.3's "Position now" table gives the difference before the supplement (£3,599) as well as after (£599).
    answer = library.ask("hertfordshire", "how does HCC pay compare with the London boroughs?")
    assert "£3,599" in answer.text
    assert "£599" in answer.text


def test_a_costing_gives_the_per_person_figure_the_document_states(library: Library) -> None:
    answer = library.ask("hertfordshire", "what was the cost per WTE of upgrading from H9 to M1, with on costs?")
    assert "£3,404" in answer.text


def test_a_list_the_document_gives_in_one_sentence_is_given_whole(library: Library) -> None:
    # Section 4 lists what the yearly CPD log includes in one sentence; the pack had it in three facts, and the
    # answer gave one.
    answer = library.ask("bcc", "what must the yearly CPD log contain?")
    assert "peer learning" in answer.text
    assert "direct observation" in answer.text
    assert "feedback from people who require services" in answer.text


def test_the_report_header_names_who_wrote_it_not_who_runs_the_scheme(library: Library) -> None:
    # Hertfordshire's header fact was keyed to "who manages", "who runs": the author is not the scheme's owner.
    answer = library.ask("hertfordshire", "who runs it?")
    assert "Paul Chamberlain" not in answer.text


def test_a_neighbour_the_document_touches_but_does_not_settle_is_said_to_be_unsettled(library: Library) -> None:
    # 6.5: Members asked about the loss of salary; the report records no answer, so pay protection is not stated.
    answer = library.ask("coventry", "do people losing the £5k supplement keep their pay?")
    assert "does not say whether there will be pay protection" in answer.text


def test_a_silence_on_the_criteria_is_said(library: Library) -> None:
    answer = library.ask("coventry", "what criteria do the panels use for the advanced social worker role?")
    assert "does not set out the criteria" in answer.text


def test_the_task_and_finish_group_is_named(library: Library) -> None:
    answer = library.ask("coventry", "which councillors sat on the task and finish group?")
    assert "Lepoidevin" in answer.text
