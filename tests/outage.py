"""A database that cannot be reached: PostgreSQL at a loopback port nothing listens on."""

from __future__ import annotations

import socket

from sqlalchemy.orm import Session, sessionmaker

from storage import db


def unreachable_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/pathway"  # closed once the probe is


def unreachable_sessions() -> sessionmaker[Session]:
    return db.session_factory(db.make_engine(unreachable_url()))
