"""What every long-running command needs: the packs, a migrated database, and the core on top."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from dialogs.conversation import Conversation
from dialogs.messages import Platform
from knowledge.library import Library
from storage import db, migrate
from storage.availability import Availability


@dataclass
class Runtime:
    settings: Settings
    library: Library
    sessions: sessionmaker[Session]
    availability: Availability = field(init=False)

    def __post_init__(self) -> None:
        self.availability = Availability(self.sessions.kw["bind"])

    @classmethod
    def start(cls, settings: Settings, library: Library) -> Runtime:
        migrate.upgrade(settings.pathway_database_url)  # the embedded default needs no separate step
        engine = db.make_engine(settings.pathway_database_url)
        return cls(settings, library, db.session_factory(engine))

    def conversation(self, channel: Platform) -> Conversation:
        return Conversation(self.library, self.sessions, channel=channel)
