"""Files as evidence: received (checked, then attached to the open item, or held until the worker says
which item or confirms a name that looked identifying), listed, and downloaded by those who may see
the application (dialogs.history.may_see: the applicant, their deciders, service managers and HR)."""

from __future__ import annotations

from typing import Any

from dialogs import file_checks
from dialogs.evidence import open_slot, slot_by_key, slots
from dialogs.history import may_see
from dialogs.messages import Attachment, InboundFile, Reply, button
from dialogs.turn import Turn
from storage import audit, directory, evidence_files
from storage.tables import Application, EvidenceFile

State = dict[str, Any]


def receive(turn: Turn, app: Application, state: State, files: list[InboundFile]) -> list[Reply]:
    """Files sent while the draft is open: each checked; kept ones go to the open item."""
    replies: list[Reply] = []
    current = open_slot(turn, app, state)
    for file in files:
        if (
            len(evidence_files.files_of(turn.session, app.id, placed_only=False))
            >= file_checks.MAX_FILES_PER_APPLICATION
        ):
            replies.append(
                Reply(
                    text=f"{file.name} wasn't kept: Pathway keeps up to {file_checks.MAX_FILES_PER_APPLICATION} files with one application. Remove one you no longer need first."
                )
            )
            continue
        checked = file_checks.check(file, turn.library.speller.vocabulary)
        if isinstance(checked, str):
            replies.append(Reply(text=checked))
            continue
        held = f"its name seems to contain {', '.join(checked.identifying)}" if checked.identifying else None
        row = evidence_files.add_file(turn.session, app.id, filename=checked.name, media_type=checked.media_type,
                                      content=checked.data, slot=current.key if current else None,
                                      added_by=turn.person.id, held_because=held)  # fmt: skip
        replies.append(_kept(turn, app, state, row))
    return replies


def _kept(turn: Turn, app: Application, state: State, row: EvidenceFile) -> Reply:
    if row.held_because:
        state["pending_file"] = row.id
        text = (f"Before I keep {row.filename}: {row.held_because}. Evidence should not identify service users, "
                "and deciders will see the file's name. Rename the file and send it again, or keep it as it is.")  # fmt: skip
        return Reply(text=text, buttons=[button("Remove it", "apply_remove_file", "primary", file=row.id, app=app.id),
                                         button("Keep it", "apply_keep_file", file=row.id, app=app.id)])  # fmt: skip
    if row.slot is None:
        state["unplaced"] = row.id
        choices = [
            button(s.title[:75], "apply_place_file", file=row.id, slot=s.key, app=app.id)
            for s in slots(turn, app)
        ]
        return Reply(text=f"Which item is {row.filename} evidence for?", buttons=choices[:24])
    slot = slot_by_key(turn, app, row.slot)
    title = slot.title if slot else row.slot
    return Reply(text=f"Attached {row.filename} ({file_checks.megabytes(row.size)}) to {title}.",
                 buttons=[button("Remove it", "apply_remove_file", file=row.id, app=app.id)])  # fmt: skip


def act(turn: Turn, app: Application, state: State, name: str, data: dict[str, Any]) -> list[Reply]:
    """The file buttons: remove, keep (a name that looked identifying), place (on an item)."""
    row = evidence_files.get_file(turn.session, int(data.get("file") or 0))
    if row is None or row.application_id != app.id:
        return [Reply(text="That file is no longer with your application.")]
    if name == "apply_remove_file":
        evidence_files.remove_file(turn.session, app.id, row.id)
        state.pop("pending_file", None)
        return [Reply(text=f"Removed {row.filename}.")]
    if name == "apply_keep_file":
        row.held_because = None
        state.pop("pending_file", None)
        return [_kept(turn, app, state, row)]
    slot = slot_by_key(turn, app, data.get("slot"))
    if slot is None:
        return [Reply(text="That item isn't part of this application.")]
    row.slot = slot.key
    state.pop("unplaced", None)
    return [_kept(turn, app, state, row)]


def outside_a_draft() -> Reply:
    return Reply(text="I keep files only as evidence for an application you're writing, so I haven't kept that. "
                      "Say 'apply' to start one, or 'continue' to open yours, then send the file again.")  # fmt: skip


# --- for the deciders -------------------------------------------------------------------------------


def files_reply(turn: Turn, app: Application) -> Reply:
    """The application's files, one Download button each."""
    if not may_see(turn, app):
        return Reply(text="You can't see that application's files.")
    rows = evidence_files.files_of(turn.session, app.id)
    if not rows:
        return Reply(text=f"Application {app.id} has no files.")
    titles = {s.key: s.title for s in slots(turn, app)}
    lines = [
        f"• {row.filename} ({file_checks.megabytes(row.size)}), for {titles.get(row.slot or '', row.slot)}"
        for row in rows
    ]
    buttons = [button(f"Download {row.filename}"[:75], "evidence_file", file=row.id) for row in rows[:24]]
    return Reply(text=f"Files with application {app.id}:\n" + "\n".join(lines), buttons=buttons)


def download(turn: Turn, file_id: int) -> Reply:
    row = evidence_files.get_file(turn.session, file_id)
    app = turn.session.get(Application, row.application_id) if row is not None else None
    if row is None or app is None or not may_see(turn, app) or row.slot is None or row.held_because:
        return Reply(text="I can't give you that file: there's none of that number you may see.")
    worker = directory.get_person(turn.session, app.person_id)
    audit.record(turn.session, turn.org, "file_downloaded", actor_id=turn.person.id, application_id=app.id,
                 detail={"file": row.id, "filename": row.filename}, at=turn.now)  # fmt: skip
    name = worker.name if worker else "the applicant"
    about = (
        f"{row.filename}, evidence with {name}'s application {app.id} ({file_checks.megabytes(row.size)})."
    )
    # The reply's words differ from the file's text, so every surface offers the file itself.
    return Reply(
        text=f"Here is {row.filename}.",
        attachment=Attachment.binary(row.filename, row.content, row.media_type, about),
    )
