"""Evidence as forms and files (issue 16): one form per item holding its examples, a page and a summary
where every item opens and saving comes back, words like 'submit' never saved as evidence, the
policy's minimums checked (and cited) before anything is sent, and files: checked, attached to an
item, listed on the deciders' cards and downloadable only by those who may see the application."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.filled_form import FilledForm
from dialogs.messages import InboundFile, Reply
from storage.tables import Application, AuditEntry, EvidenceFile, EvidenceItem
from tests.dialogs.conftest import Chat, all_text, find_button, open_button
from tests.dialogs.test_medway_application import complete_evidence

WORKER, MANAGER, OTHER_MANAGER, HR = (
    "worker@medway.example",
    "tm@medway.example",
    "tm2@medway.example",
    "hr@medway.example",
)
PDF = FilledForm("Portfolio of evidence", [("Worker", "W")]).pdf()
EXAMPLE = "I led the review of the plan with the family and partners, and the plan was agreed at review."


def pdf(name: str = "portfolio.pdf") -> InboundFile:
    return InboundFile.of(name, PDF, "application/pdf")


def docx() -> bytes:
    """A minimal Word document: a ZIP whose first entry is [Content_Types].xml, then word/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def to_evidence(chat: Chat, who: str = WORKER, start: str = "I want to go for level 3") -> list[Reply]:
    replies = chat.say(who, start)
    return chat.press(who, find_button(replies, "Continue"))


def examples(sessions: sessionmaker[Session], competency: str | None = None) -> list[str]:
    with sessions() as session:
        query = select(EvidenceItem).order_by(EvidenceItem.position)
        if competency:
            query = query.where(EvidenceItem.competency == competency)
        return [item.text for item in session.scalars(query)]


def fill_every_item(chat: Chat, page: list[Reply], per_item: int = 3) -> list[Reply]:
    """Each item's form, from the evidence page, with `per_item` examples; the last page shown."""
    assert page[0].card is not None
    for field in [f for f in page[0].card.fields if f.button is not None]:
        assert field.button is not None
        opened = chat.press(WORKER, field.button)
        typed = {f"new{k}": f"{EXAMPLE} ({field.label}, {k})" for k in range(1, per_item + 1)}
        page = chat.submit_form(WORKER, opened[0], **typed)
        page = [r for r in page if r.card is not None] or page
    return page


def to_summary(chat: Chat, page: list[Reply]) -> list[Reply]:
    route = chat.press(WORKER, find_button(page, "Continue"))
    return chat.press(WORKER, find_button(route, "Yes, send it"))


def test_an_item_is_one_form_holding_its_examples_and_saving_returns_to_the_page(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    page = to_evidence(chat)
    assert page[0].card is not None and len(page[0].card.fields) == 20  # every competency on one page
    opened = chat.press(WORKER, open_button(page, "Assessments"))
    form = opened[0].form
    assert form is not None and form.title == "Assessments"
    assert [f.name for f in form.fields] == ["new1", "new2", "new3", "files"]  # the policy's 3, and files
    assert "Policy: Medway's policy, Level 3, Evidence of competencies." in form.intro
    assert "must not identify service users" in form.intro

    saved = chat.submit_form(WORKER, opened[0], new1=EXAMPLE, new2=EXAMPLE.replace("led", "chaired"))
    assert saved[0].text == "Saved Assessments: 2 of about 3 examples."
    page = next(r for r in saved if r.card is not None)
    assert page.replaces == page.card.key  # the page is redrawn where it is, not sent again
    assert "2. Assessments (open: type here): 2 of about 3 examples" in page.text  # files sent now go to it

    again = chat.press(WORKER, open_button([page], "Assessments"))
    boxes = {f.name: f.value for f in again[0].form.fields if f.kind == "text"}  # type: ignore[union-attr]
    first, second = [name for name in boxes if name.startswith("e")]
    assert boxes[first] == EXAMPLE and boxes["new1"] == ""
    chat.submit_form(WORKER, again[0], **{first: EXAMPLE.replace("review", "conference"), second: "",
                                          "new1": EXAMPLE.replace("led", "wrote")})  # fmt: skip
    assert examples(sessions, "assessments") == [
        EXAMPLE.replace("review", "conference"),
        EXAMPLE.replace("led", "wrote"),
    ]  # changed in place, cleared one removed, a new one added


def test_a_box_to_mend_keeps_what_was_typed(chat: Chat, sessions: sessionmaker[Session]) -> None:
    page = to_evidence(chat)
    opened = chat.press(WORKER, open_button(page, "Assessments"))
    again = chat.submit_form(WORKER, opened[0], new1=EXAMPLE, new2="too short")
    assert again[0].text.startswith("Example 2: That's very short for an example")
    assert again[0].form is not None and {f.name: f.value for f in again[0].form.fields}["new1"] == EXAMPLE
    assert examples(sessions) == []  # nothing saved until every box is fine
    reopened = chat.press(WORKER, again[0].form.opened_by)  # where a form opens only from a click (Slack)
    assert reopened[0].form is not None and reopened[0].form.fields[1].value == "too short"


def test_an_item_opened_from_the_summary_returns_to_the_summary_in_one_step(chat: Chat) -> None:
    """Issue 16: after editing one item it took 17 'Next' clicks to get back to the summary."""
    summary = to_summary(chat, fill_every_item(chat, to_evidence(chat)))
    assert "20 of 20 competencies have 3 examples" in all_text(summary)
    opened = chat.press(WORKER, open_button(summary, "Child Protection"))
    back = chat.submit_form(WORKER, opened[0], new1=EXAMPLE.replace("plan", "child protection plan"))
    assert back[0].text == "Saved Child Protection: 4 of about 3 examples."
    assert any(r.card and r.card.title == "Your application for Level 3 Social Worker" for r in back)
    assert "Submitted" in all_text(chat.press(WORKER, find_button(back, "Submit")))


def test_submit_typed_after_editing_from_the_summary_is_never_saved_as_evidence(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    """Issue 16: typing 'submit' there was saved as evidence."""
    route = complete_evidence(chat)  # typed, one example a message, as before
    chat.press(WORKER, find_button(route, "Yes, send it"))
    before = len(examples(sessions))
    for typed in ("submit", "Submit my application now", "OK send it please", "I'm done"):
        chat.say(WORKER, "edit child protection")  # back at the evidence, the item open for typing
        replies = chat.say(WORKER, typed)
        assert len(examples(sessions)) == before, typed
        assert "Your application for Level 3 Social Worker" in all_text(replies), typed  # back at the summary
    assert "Nothing was saved" in all_text(chat.say(WORKER, "I think that is everything from me thanks"))
    assert "Submitted" in all_text(chat.say(WORKER, "Submit my application now"))
    assert len(examples(sessions)) == before


def test_submission_checks_the_policys_minimums_and_says_what_is_missing(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    page = to_evidence(chat)
    opened = chat.press(WORKER, open_button(page, "Recording"))
    page = chat.submit_form(WORKER, opened[0], new1=EXAMPLE)
    refused = chat.press(WORKER, find_button(to_summary(chat, page), "Submit"))
    text = all_text(refused)
    assert text.startswith("Not sent yet: Medway's policy asks for evidence for each of these")
    assert "Assessments" in text and "Recording" not in text.split("they have none:")[1]
    assert "(Medway's policy, Level 3, Evidence of competencies)" in text
    assert {s.section for s in refused[0].sources} == {"Level 3", "Evidence of competencies"}
    with sessions() as session:
        assert session.scalars(select(Application)).one().status == "drafting"

    summary = fill_every_item(chat, chat.say(WORKER, "continue"), per_item=1)  # from the summary, back to it
    asked = chat.press(WORKER, find_button(summary, "Submit"))
    assert "Give approximately 3 examples for each competency" in all_text(asked)
    assert "Recording (2)" in all_text(asked) and "Assessments (1)" in all_text(asked)
    assert "Submitted" in all_text(chat.press(WORKER, find_button(asked, "Send it as it is")))


def test_files_are_checked_attached_to_the_open_item_and_listed(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    """Issue 16: nothing could be attached."""
    to_evidence(chat)  # the first item, Recording, is open
    attached = chat.send(WORKER, pdf())
    assert attached[0].text == "Attached portfolio.pdf (0.0 MB) to Recording."
    assert "Attached cert.docx" in all_text(
        chat.send(WORKER, InboundFile.of("C:\\Users\\w\\cert.docx", docx()))
    )

    refused = {
        "run.exe": InboundFile.of("run.exe", b"MZ\x90\x00"),
        "fake.pdf": InboundFile.of("fake.pdf", b"just some words, not a PDF"),
        "big.pdf": InboundFile(name="big.pdf", media_type="application/pdf", size=11 * 1024 * 1024),
        "gone.pdf": InboundFile(name="gone.pdf", size=10, unavailable="Slack refused the download"),
    }
    said = {name: all_text(chat.send(WORKER, file)) for name, file in refused.items()}
    assert "Pathway takes PDF, Word (.docx or .doc)" in said["run.exe"] and "up to 10 MB" in said["run.exe"]
    assert "isn't a PDF file inside" in said["fake.pdf"]
    assert "big.pdf is 11.0 MB, so it wasn't kept" in said["big.pdf"]
    assert "I couldn't fetch gone.pdf (Slack refused the download)" in said["gone.pdf"]

    held = chat.send(WORKER, pdf("John_Smith_assessment.pdf"))
    assert (
        "Before I keep John_Smith_assessment.pdf: its name seems to contain what looks like a person's full name"
        in held[0].text
    )
    with sessions() as session:
        assert [f.filename for f in session.scalars(select(EvidenceFile))] == [
            "portfolio.pdf",
            "cert.docx",
            "John_Smith_assessment.pdf",
        ]
    assert "Removed John_Smith_assessment.pdf" in all_text(chat.press(WORKER, find_button(held, "Remove it")))
    page = chat.say(WORKER, "continue")
    assert (
        "Recording (open: type here): 0 of about 3 examples, 2 files (portfolio.pdf, cert.docx)"
        in all_text(page)
    )


def test_deciders_and_hr_download_the_files_and_nobody_else_does(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    page = to_evidence(chat)
    chat.send(WORKER, pdf())
    summary = to_summary(chat, fill_every_item(chat, page))
    assert "Recording: 3 of about 3 examples, 1 file (portfolio.pdf)" in all_text(summary)
    chat.press(WORKER, find_button(summary, "Submit"))

    card = chat.inbox(MANAGER)[0]
    assert card.card is not None
    assert {f.label: f.value for f in card.card.fields}["Files"] == "portfolio.pdf (Recording)"
    listing = chat.press(MANAGER, find_button([card], "Download the files (1)"))
    assert "portfolio.pdf (0.0 MB), for Recording" in all_text(listing)
    got = chat.press(MANAGER, find_button(listing, "Download portfolio.pdf"))
    assert got[0].attachment is not None and got[0].attachment.data == PDF
    assert got[0].attachment.media_type == "application/pdf"
    hr = chat.press(HR, find_button(listing, "Download portfolio.pdf"))
    assert hr[0].attachment is not None and hr[0].attachment.data == PDF

    for outsider in (OTHER_MANAGER, "nq@medway.example"):
        refused = chat.press(outsider, find_button(listing, "Download portfolio.pdf"))
        assert refused[0].attachment is None and "can't give you that file" in refused[0].text
        assert "can't see" in all_text(chat.press(outsider, find_button([card], "Download the files")))
    with sessions() as session:
        downloads = session.scalars(select(AuditEntry).where(AuditEntry.action == "file_downloaded")).all()
        assert len(downloads) == 2  # who downloaded what is on the record


def test_a_file_sent_with_nothing_open_asks_which_item_and_outside_a_draft_is_explained(chat: Chat) -> None:
    assert "I keep files only as evidence for an application" in all_text(chat.send(HR, pdf()))
    summary = to_summary(chat, fill_every_item(chat, to_evidence(chat), per_item=3))  # nothing open now
    asked = chat.send(WORKER, pdf("certificate.pdf"))
    assert asked[0].text == "Which item is certificate.pdf evidence for?" and len(asked[0].buttons) == 20
    placed = chat.press(WORKER, find_button(asked, "Report writing"))
    assert placed[0].text.startswith("Attached certificate.pdf") and "to Report writing" in placed[0].text
    assert "Report writing: 3 of about 3 examples, 1 file (certificate.pdf)" in all_text(
        chat.say(WORKER, "continue")
    )
    assert summary


def test_a_bcc_portfolio_can_be_a_file(chat: Chat) -> None:
    page = to_evidence(chat, "worker@bcc.example", "apply for level 3")
    assert "1. One of: a Graduate Diploma" in all_text(page)
    chat.say(
        "worker@bcc.example", "I hold the Post Graduate Diploma in advanced practice, awarded last year."
    )
    attached = chat.send("worker@bcc.example", pdf("HCPC portfolio.pdf"))
    assert (
        attached[0].text.startswith("Attached HCPC portfolio.pdf")
        and "A portfolio to evidence" in attached[0].text
    )
    replies = chat.say("worker@bcc.example", "done")
    replies = chat.press("worker@bcc.example", find_button(replies, "Yes, send it"))
    assert "Submitted" in all_text(chat.press("worker@bcc.example", find_button(replies, "Submit")))
    card = chat.inbox("manager@bcc.example")[0]
    assert card.card is not None and "HCPC portfolio.pdf (A portfolio to evidence" in str(card.card.fields)


def test_an_old_skip_button_acts_only_on_its_own_item(chat: Chat, sessions: sessionmaker[Session]) -> None:
    page = to_evidence(chat)
    old_skip = find_button(page, "Skip for now")  # drawn for Recording
    chat.press(WORKER, old_skip)  # Recording skipped: Assessments is open
    late = chat.press(WORKER, old_skip)
    assert "no longer open" in all_text(late) and "2 of 20: Assessments" in all_text(late)
    chat.say(WORKER, EXAMPLE)
    assert examples(sessions, "assessments") == [EXAMPLE]
