"""What the web chat's API accepts and returns, checked with pydantic at the boundary."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.messages import Action, Reply
from knowledge.models import Pack
from storage.tables import Person

MAX_BODY_BYTES = 64 * 1024  # a chat turn is small; more than this is refused with 413

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


class TurnRequest(Who):
    """One message or one button press (a form's submission is a button press with its fields)."""

    text: str | None = None
    action: Action | None = None

    @model_validator(mode="after")
    def one_of_text_or_action(self) -> TurnRequest:
        if (self.text is None) == (self.action is None):
            raise ValueError("give exactly one of 'text' and 'action'")
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
