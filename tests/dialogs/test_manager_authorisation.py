"""Medway's Manager Authorisation after an approval: every field of the form from the roster and the
decisions, UK dates, a PDF (read back here), sent to the authoriser and to the payroll contact HR put on
the roster with the policy's PAY002 instruction, and the worker's copy. What no one recorded says so."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from dialogs.documents import recorded_lines
from dialogs.messages import Reply
from dialogs.staff import import_staff
from knowledge.library import Library
from storage.db import transaction
from storage.roster_rows import HEADER_LINE
from storage.tables import Decision
from tests.dialogs.conftest import Chat, Clock, all_text, find_button
from tests.dialogs.test_medway_application import MANAGER, SERVICE, WORKER, complete_evidence

PAYROLL = "payroll@medway.example"
POSTS = f"""{HEADER_LINE},ern,job_title,post_number
medway,worker@medway.example,Wendy Wiśniewska,worker,tm@medway.example,Assessment,children,Level 2,,37,2019-07-01,2019-09-01,E12345,Social Worker (Children),P-0042
"""
PAYROLL_CONTACT = f"{HEADER_LINE}\nmedway,{PAYROLL},Pat Payroll,payroll,,Payroll Services,,,,,,\n"


def pdf_text(reply: Reply) -> str:
    attachment = reply.attachment
    assert attachment is not None and attachment.media_type == "application/pdf"
    assert attachment.filename.endswith(".pdf") and attachment.data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.data)).pages)
    return re.sub(r"\s+", " ", text)


def approved(chat: Chat, clock: Clock) -> None:
    replies = complete_evidence(chat)
    replies = chat.press(WORKER, find_button(replies, "Yes, send it"))
    chat.press(WORKER, find_button(replies, "Submit"))
    recorded = {"competencies": "met", "attendance_punctuality_diversity": "have"}
    chat.press(MANAGER, find_button(chat.inbox(MANAGER), "Progressed"), **recorded)  # Monday 23 November 2026
    clock.advance(days=3)
    chat.press(SERVICE, find_button(chat.inbox(SERVICE), "Authorise"))  # Thursday 26 November


@pytest.mark.parametrize("payroll_on_roster", [True, False])
def test_the_form_is_complete_in_a_pdf_and_reaches_authoriser_payroll_and_worker(
    chat: Chat, clock: Clock, sessions: sessionmaker[Session], library: Library, payroll_on_roster: bool
) -> None:
    with transaction(sessions) as session:
        import_staff(session, library, POSTS)
        if payroll_on_roster:
            import_staff(session, library, PAYROLL_CONTACT)
    approved(chat, clock)

    worker_copy = next(r for r in chat.inbox(WORKER) if r.attachment)
    text = pdf_text(worker_copy)
    for line in [
        "Manager Authorisation for Accelerated Social Worker Salary Progression",
        "Name: Wendy Wiśniewska", "ERN: E12345", "Job title: Social Worker (Children)", "Post number: P-0042",
        "Progression from spinal point: 37 (Level 2 Social Worker)",
        "To spinal point: 41 (Level 3 Social Worker)",
        "Effective from: 23 November 2026",  # backdated to the line manager's signature
        "Date of progression assessment: 23 November 2026",
        "Recommendation: progressed",
        "All the competencies appropriate: met",  # as the line manager recorded them
        "Good attendance, punctuality and promotion of diversity and equality issues: have",
        "Full reasons if the recommendation is not to progress: not applicable",
        "Line manager: Tara Manager, 23 November 2026",
        "Authorised: Sam Service, 26 November 2026",
        "sent with Payform PAY002 to Payroll Services, Gun Wharf, Dock Road, Chatham, Kent, ME4 4TR",
    ]:  # fmt: skip
        assert line in text, (line, text)
    assert "competencies met" not in text.lower() and not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert re.sub(r"\s+", " ", worker_copy.attachment.content if worker_copy.attachment else "") in text

    to_authoriser = [r for r in chat.inbox(SERVICE) if r.attachment]
    assert len(to_authoriser) == 1 and pdf_text(to_authoriser[0]) == text
    assert "which you authorised, is attached" in to_authoriser[0].text
    assert "PAY002" in to_authoriser[0].text
    assert (
        to_authoriser[0].sources[0].section
        == "Manager Authorisation for Accelerated Social Worker Salary Progression"
    )
    if payroll_on_roster:
        assert "I have sent it to Pat Payroll for Payroll Services" in to_authoriser[0].text
        form, evidence = chat.inbox(PAYROLL)
        assert pdf_text(form) == text and "PAY002" in form.text
        assert evidence.attachment is not None and "The evidence form for Wendy Wiśniewska" in evidence.text
        assert "Evidence for Level 3 Social Worker" in evidence.attachment.content
    else:
        assert "No payroll contact is on the roster, so I have not sent it on" in to_authoriser[0].text
        assert "ask HR to add the payroll contact to the roster (role payroll)" in all_text(to_authoriser)


def test_a_field_nobody_recorded_says_so(library: Library) -> None:
    """The form never fills a recorded field with a default: absent, it reads 'not recorded'."""
    pack = library.packs["medway"]
    unrecorded = Decision(stage="recommend", outcome="approved", recorded={"competencies": "not met"})
    assert recorded_lines(pack, unrecorded) == [
        ("All the competencies appropriate", "not met"),
        ("Good attendance, punctuality and promotion of diversity and equality issues", "not recorded"),
    ]
    assert recorded_lines(pack, None) == []
