"""Control words people type in chat: start, continue, status, back, cancel, edit, review, help."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import normalise

_START = re.compile(
    r"^(apply|start|begin|new application|start (an |my |a )?application|(i want|i'd like|i would like|i'm ready|i am ready) "
    r"to (apply|go for|progress|start)|(i want|i'd like|i would like) (to )?(go for|apply for|progress to|move to)|"
    r"apply (for|to)|(can you )?help me apply)\b"
)
_CONTINUE = re.compile(r"^(continue|resume|carry on|go on|pick up where i left off|where was i)\b")
_STATUS = re.compile(
    r"^(status|my status|where is my application|where's my application|application status|progress)\W*$"
)
_BACK = re.compile(r"^(back|go back|previous)\W*$")
_CANCEL = re.compile(
    r"^(cancel|stop|withdraw|cancel (my |the )?application|withdraw (my |the )?application)\W*$"
)
_EDIT = re.compile(r"^(edit|change|add to|redo)\s+(?P<name>.+)$")
_REVIEW = re.compile(
    r"^((i want|i'd like|i would like) (to )?(request |ask for |have )?(a )?(review|appeal)|request (a )?(review|appeal)|"
    r"appeal( (this|the|my) decision)?|review( (this|the|my) decision)?)\W*$"
)
_HISTORY = re.compile(
    r"^(history|my history|my applications|application history|past applications|show (my )?history)"
    r"(\s+(of\s+)?(application\s+)?#?(?P<id>\d{1,9}))?\W*$"
)
_HISTORY_OF = re.compile(r"^(show\s+)?history\s+(of\s+|for\s+)?(?P<name>[^\s\d#][^\n]{0,99}?)[\s?.!]*$")
_HELP = re.compile(r"^(help|what can you do|menu|commands|\?)\W*$")
_YES = re.compile(r"^(yes|y|yeah|yep|ok|okay|sure|confirm)\W*$")
_NO = re.compile(r"^(no|n|nope|keep going|don't|do not)\W*$")
_QUESTION_START = re.compile(
    r"^(what|what's|how|when|who|whom|which|where|why|can|could|do|does|did|is|are|am|will|would|should|shall|may)\b"
)


@dataclass(frozen=True)
class Command:
    name: str
    argument: str = ""


def parse(text: str) -> Command | None:
    raw = text.strip().lower()
    plain = normalise(text)
    for name, pattern in (("status", _STATUS), ("back", _BACK), ("cancel", _CANCEL), ("help", _HELP),
                          ("review", _REVIEW), ("continue", _CONTINUE), ("yes", _YES), ("no", _NO)):  # fmt: skip
        if pattern.search(raw) or pattern.search(plain):
            return Command(name)
    history = _HISTORY.search(raw)
    if history:
        return Command("history", history.group("id") or "")
    history_of = _HISTORY_OF.search(raw)
    if history_of:
        return Command("history", history_of.group("name").strip())
    edit = _EDIT.search(raw)
    if edit:
        return Command("edit", edit.group("name"))
    if _START.search(raw) or _START.search(plain):
        return Command("apply", text)
    return None


def looks_like_question(text: str) -> bool:
    """A question to the knowledge base rather than an answer to the dialog's current step."""
    stripped = text.strip()
    if stripped.endswith("?"):
        return True
    return bool(_QUESTION_START.search(stripped.lower())) and len(stripped) < 120 and "." not in stripped[:-1]
