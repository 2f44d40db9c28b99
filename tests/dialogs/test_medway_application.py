"""A whole Medway application, level 2 -> level 3: evidence for every competency, the line manager
recommends (recording the form's met / not met and have / have not), a service manager above them
authorises, the award is backdated to the line manager's signature and payroll gets its form."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.tables import Application, Decision, Person
from tests.dialogs.conftest import Chat, Clock, all_text, find_button

WORKER, MANAGER, SERVICE = "worker@medway.example", "tm@medway.example", "sm@medway.example"


def example(competency: str, n: int) -> str:
    return f"In a complex case I led the {competency.lower()} work myself, example {n}, and the plan was agreed at review."


def complete_evidence(chat: Chat) -> list:
    replies = chat.say(WORKER, "I want to go for level 3")
    assert "how you stand" in all_text(replies)
    replies = chat.press(WORKER, find_button(replies, "Continue"))
    for _ in range(20):
        text = all_text(replies)
        assert "Please give about 3 examples" in text, text
        title = text.split(": ", 1)[1].split(".")[0]
        for n in range(1, 4):
            replies = chat.say(WORKER, example(title, n))
    return replies


def test_full_medway_application_to_payroll(
    chat: Chat, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    replies = complete_evidence(chat)
    route = all_text(replies)
    assert "1. Line manager's recommendation (Tara Manager)\n2. Authorisation" in route
    assert "Someone else" not in route  # the worker does not choose who decides
    replies = chat.press(WORKER, find_button(replies, "Yes, send it"))
    summary = all_text(replies)
    assert "20 of 20 competencies have 3 examples" in summary
    replies = chat.press(WORKER, find_button(replies, "Submit"))
    assert "sent it to Tara Manager" in all_text(replies)

    card = chat.inbox(MANAGER)[0]
    assert card.card is not None and "Wendy Worker" in card.card.title
    assert "Level 3 Social Worker" in all_text([card])
    fields = {f.label: f.value for f in card.card.fields}
    assert fields["Now"] == "Level 2 Social Worker, point 37"
    assert "All the competencies appropriate (met / not met)" in fields["You record"]
    assert "attendance, punctuality and promotion of diversity and equality" in fields["You record"]
    refused = chat.press(SERVICE, find_button([card], "Progressed"))  # not whom the card was sent to
    assert "sent to Tara Manager" in all_text(refused)
    asked = chat.press(MANAGER, find_button([card], "Progressed"))
    assert asked[0].form is not None and {f.name for f in asked[0].form.fields} == {
        "competencies",
        "attendance_punctuality_diversity",
        "note",  # optional: a note for the worker and the authoriser
    }
    unclear = chat.press(
        MANAGER,
        find_button([card], "Progressed"),
        competencies="maybe",
        attendance_punctuality_diversity="have",
    )
    assert "met or not met" in all_text(unclear)
    replies = chat.press(
        MANAGER,
        find_button([card], "Progressed"),
        competencies="met",
        attendance_punctuality_diversity="have",
    )
    assert "Recorded: Progressed (Line manager's recommendation)" in all_text(replies)
    signed_on = clock.now.date()

    clock.advance(days=6)
    authorise = chat.inbox(SERVICE)
    assert authorise and "Service Managers and above only" in all_text(authorise)
    twice = chat.press(MANAGER, find_button(authorise, "Authorise"))  # the recommender can't authorise too
    assert "already made one decision" in all_text(twice)
    replies = chat.press(SERVICE, find_button(authorise, "Authorise"))
    assert "Recorded: Authorise (Authorisation)" in all_text(replies)

    outcome = [r for r in chat.inbox(WORKER) if "approved" in r.text]
    assert outcome, "the worker is told the outcome"
    assert f"effective from {signed_on:%-d %B %Y} (if approved, the award is backdated" in outcome[-1].text
    assert "spinal point is 41" in outcome[-1].text and "£34,549" in outcome[-1].text
    form = outcome[-1].attachment
    assert form is not None and "PAY002" in form.content and "To spinal point: 41" in form.content
    with sessions() as session:
        worker = session.scalars(select(Person).where(Person.email == WORKER)).one()
        app = session.scalars(select(Application)).one()
        assert (worker.level, worker.spinal_point) == ("level-3", 41)
        assert app.status == "approved" and app.effective_date == signed_on
        recommended = session.scalars(select(Decision).where(Decision.stage == "recommend")).one()
        assert recommended.recorded == {"competencies": "met", "attendance_punctuality_diversity": "have"}


def test_second_click_and_stale_card_make_one_decision(chat: Chat) -> None:
    replies = complete_evidence(chat)
    replies = chat.press(WORKER, find_button(replies, "Yes, send it"))
    chat.press(WORKER, find_button(replies, "Submit"))
    card = chat.inbox(MANAGER)[0]
    given = {"competencies": "met", "attendance_punctuality_diversity": "have"}
    first = chat.press(MANAGER, find_button([card], "Progressed"), **given)
    again = chat.press(MANAGER, find_button([card], "Progressed"), **given)
    declined_late = chat.press(
        MANAGER, find_button([card], "NOT progressed"), reasons="x", actions="y", **given
    )
    assert "Recorded" in all_text(first)
    assert "Already decided" in all_text(again) and "Tara Manager" in all_text(again)
    assert "Already decided" in all_text(declined_late)
    assert len(chat.inbox(SERVICE)) == 1  # one authorisation request, not two
