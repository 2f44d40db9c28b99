"""An application's evidence in full, or its files, for someone who may see the application (its
deciders' "Read all the evidence" and "Download the files" buttons)."""

from __future__ import annotations

from dialogs import evidence_files
from dialogs.documents import evidence_in_full
from dialogs.history import may_see
from dialogs.messages import Action, Reply, whole_number
from dialogs.turn import Turn
from storage import applications


def evidence_in_full_reply(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, int(action.data.get("application") or 0))
    if app is None or not may_see(turn, app):
        return [Reply(text="You can't see that application's evidence.")]
    attachment = evidence_in_full(turn.session, turn.pack, app)
    return [Reply(text=attachment.content, attachment=attachment)]


def files_reply(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, whole_number(action.data.get("application") or 0) or 0)
    if app is None or not may_see(turn, app):
        return [Reply(text="You can't see that application's files.")]
    return [evidence_files.files_reply(turn, app)]
