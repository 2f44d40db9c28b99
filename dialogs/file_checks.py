"""What Pathway takes as an evidence file: its limits on size and type (Pathway's own, stated as
Pathway's, not as the council's), checked on the bytes themselves, and a name that does not identify
a service user (the same check as written evidence)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype

from dialogs.messages import InboundFile
from dialogs.privacy import identifying_details

MAX_FILE_BYTES = 10 * 1024 * 1024  # one file; Slack, Teams and the web fetch no more than this
MAX_FILES_PER_APPLICATION = 30


@dataclass(frozen=True)
class Kind:
    name: str  # as people say it
    media_type: str
    detected: str | None  # filetype's extension for the content; None: plain text (no signature)


# By extension: what the content must then be.
KINDS = {
    "pdf": Kind("PDF", "application/pdf", "pdf"),
    "docx": Kind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "doc": Kind("Word", "application/msword", "doc"),
    "odt": Kind("OpenDocument text", "application/vnd.oasis.opendocument.text", "odt"),
    "rtf": Kind("RTF", "application/rtf", "rtf"),
    "txt": Kind("plain text", "text/plain", None),
    "png": Kind("PNG image", "image/png", "png"),
    "jpg": Kind("JPEG image", "image/jpeg", "jpg"),
    "jpeg": Kind("JPEG image", "image/jpeg", "jpg"),
}
TAKEN = "PDF, Word (.docx or .doc), OpenDocument text (.odt), RTF, plain text (.txt), PNG or JPEG"
LIMITS = f"Pathway takes {TAKEN} files of up to {MAX_FILE_BYTES // (1024 * 1024)} MB each"


@dataclass(frozen=True)
class Accepted:
    name: str
    media_type: str
    data: bytes
    identifying: list[str]  # what in its name looks as if it identifies someone (empty: nothing)


def check(file: InboundFile, known_words: Collection[str] = ()) -> Accepted | str:
    """The file as it will be kept, or why it is refused (a sentence for the sender)."""
    name = base_name(file.name)
    if file.unavailable:
        return f"I couldn't fetch {name} ({file.unavailable}), so it wasn't kept. Please send it again."
    if file.size > MAX_FILE_BYTES:
        return f"{name} is {megabytes(file.size)}, so it wasn't kept: {LIMITS}. Please make it smaller (or split it) and send it again."
    kind = KINDS.get(PurePosixPath(name).suffix.lower().removeprefix("."))
    if kind is None:
        return f"{name} wasn't kept: {LIMITS}."
    data = file.data
    if data is None:
        return f"I didn't receive the contents of {name}, so it wasn't kept. Please send it again."
    if len(data) > MAX_FILE_BYTES:
        return f"{name} is {megabytes(len(data))}, so it wasn't kept: {LIMITS}."
    if not data:
        return f"{name} is empty, so it wasn't kept."
    if not is_kind(data, kind):
        return f"{name} isn't a {kind.name} file inside, whatever its name says, so it wasn't kept. Please save it as {kind.name} and send it again."
    return Accepted(name, kind.media_type, data, name_details(name, known_words))


def is_kind(data: bytes, kind: Kind) -> bool:
    if kind.detected is None:  # plain text has no signature: it must read as text
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return "\x00" not in text
    found = filetype.guess(data)
    return found is not None and found.extension == kind.detected


def base_name(name: str) -> str:
    """The file's own name, without any folders a client put before it (either kind of slash)."""
    plain = PureWindowsPath(PurePosixPath(name).name).name.strip()
    return plain[:255] or "unnamed file"


def name_details(name: str, known_words: Collection[str] = ()) -> list[str]:
    """What in a file's name looks as if it identifies someone. Separators count as spaces, and a name
    at the start counts too (in prose a capitalised pair starting a sentence is taken for ordinary
    words; a file name has no sentences)."""
    stem = PurePosixPath(name).stem
    words = " ".join(part for part in re.split(r"[\s_\-.]+", stem) if part)
    return identifying_details(f"file {words}", known_words)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
