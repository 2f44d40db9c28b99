"""What the web chat's API accepts and returns, checked with pydantic at the boundary."""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.file_checks import MAX_FILE_BYTES
from dialogs.messages import MAX_FILES_AT_ONCE, Action, InboundFile, Reply
from knowledge.models import Pack
from storage.tables import Person

MAX_BODY_BYTES = 64 * 1024  # a chat turn is small; more than this is refused with 413
# A turn carrying a file (the page sends each file on its own): the file as base64, and the turn.
MAX_UPLOAD_BYTES = MAX_BODY_BYTES + 4 * (MAX_FILE_BYTES // 3 + 1)

ROLE_NAMES = {
    "worker": "social worker",
    "manager": "line manager",
    "service_manager": "service manager",
    "hr": "HR",
    "admin": "administrator",
}


class Who(BaseModel):
    """The person the page is talking as: an email on the organisation's roster."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    org: str = Field(min_length=1, max_length=64)
    email: str = Field(alias="as", min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")

    @field_validator("email", mode="after")
    @classmethod
    def as_on_the_roster(cls, email: str) -> str:
        return email.lower()  # the roster keeps emails in lower case


class UploadedFile(BaseModel):
    """A file chosen on the page, sent as base64 (the body stays JSON, as every state change here must)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(default="application/octet-stream", max_length=255)
    data_base64: str = Field(max_length=MAX_UPLOAD_BYTES)

    def inbound(self) -> InboundFile:
        try:
            data = b64decode(self.data_base64, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"{self.name}: data_base64 is not base64") from exc
        return InboundFile.of(self.name, data, self.media_type)


class TurnRequest(Who):
    """One message, one button press (a form's submission is a button press with its fields), or files
    (with any words as their caption)."""

    text: str | None = None
    action: Action | None = None
    files: list[UploadedFile] = Field(default=[], max_length=MAX_FILES_AT_ONCE)

    @model_validator(mode="after")
    def one_of_text_or_action(self) -> TurnRequest:
        if self.text is not None and self.action is not None:
            raise ValueError("give exactly one of 'text' and 'action'")
        if self.text is None and self.action is None and not self.files:
            raise ValueError("give exactly one of 'text' and 'action', or 'files'")
        return self


class Received(Who):
    """The outbox ids of messages the page has shown."""

    ids: list[int] = Field(min_length=1, max_length=500)


def person_json(person: Person, pack: Pack) -> dict[str, Any]:
    role = ROLE_NAMES.get(person.role, person.role)
    if person.level and person.role == "worker":
        role = f"{role}, {pack.level(person.level).name}" if _has_level(pack, person.level) else role
    return {"email": person.email, "name": person.name, "role": person.role, "description": role}


def _has_level(pack: Pack, level: str) -> bool:
    return any(lv.id == level for lv in pack.levels)


def reply_json(reply: Reply, pack: Pack) -> dict[str, Any]:
    """A reply as the page draws it; sources carry their document's title as well as its id."""
    body = reply.model_dump(mode="json")
    organisation = pack.organisation
    body["sources"] = [
        {
            **source,
            "title": organisation.document_title
            if source["document"] == organisation.document
            else source["document"],
        }
        for source in body["sources"]
    ]
    return body
