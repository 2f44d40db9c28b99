"""A question in the chat answered from the organisation's policy (HR's panel dates first), with the
asker's roster record for "my pay" or "my next level"; what was declined or unsure is recorded for
HR's 'unanswered questions'."""

from __future__ import annotations

from typing import Any

from dialogs import application, metrics, panels
from dialogs.messages import Reply, button
from dialogs.turn import Turn
from knowledge.asker import Asker
from storage.unanswered import record_unanswered


def answer(turn: Turn, state: dict[str, Any] | None, text: str) -> list[Reply]:
    scheduled = panels.answer_next_panel(turn, text)  # HR's panel records, when there are any
    if scheduled is not None:
        return scheduled
    with metrics.ANSWER_SECONDS.labels(turn.org).time():
        answer = turn.library.ask(turn.org, text, _asker(turn))  # kept answers: knowledge.remembered
    outcome = (
        "clarify" if answer.clarify  # asked back which of two readings was meant
        else "declined" if not answer.answered
        else "unsure" if answer.confidence < 0.6
        else "answered"
    )  # fmt: skip
    metrics.QUESTIONS.labels(turn.org, outcome).inc()
    if not answer.answered or answer.confidence < 0.6:
        reason = (
            "out_of_scope"
            if answer.topic is None and not answer.answered
            else "declined"
            if not answer.answered
            else "low_confidence"
        )
        record_unanswered(turn.session, turn.org, text[:2000], reason, turn.person.id)  # type: ignore[arg-type]
    readings = [button(reading, "ask", question=reading) for reading in answer.clarify]
    replies = [Reply(text=answer.text, sources=answer.sources, buttons=readings)]
    if state:
        replies.append(
            Reply(
                text=f"(Your application is still open at {application.step_name(state)}: say 'continue' when you're ready.)"
            )
        )
    return replies


def _asker(turn: Turn) -> Asker:
    """The asker's roster record, for personal questions ("my pay", "my next level")."""
    person = turn.person
    return Asker(
        level=person.level,
        spinal_point=person.spinal_point,
        framework=person.framework,
        team=person.team,
        qualified_on=person.qualified_on,
        started_on=person.started_on,
        today=turn.now.date(),
    )
