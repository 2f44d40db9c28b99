"""The transcript harness of tests/dialogs (people talking to the real core over a migrated database)."""

from tests.dialogs.conftest import chat, clock, library, sessions

__all__ = ["chat", "clock", "library", "sessions"]
