"""What start-up already checked: packs that loaded and traced before, kept so they need not be again.

Loading a pack means building it from YAML (PyYAML constructs its objects in Python even with libyaml)
and tracing every fact to its document: some 20-35 ms a pack, so with 200 organisations every start of
`pathway serve` or `pathway ask` took seconds. A pack that passed is kept here as its validated JSON,
under a digest of everything that verdict depends on: the pack file's bytes, every document's bytes, and
the code that validates and traces. Change any of them and the digest changes, so the pack is checked
afresh: the record can only say "exactly this passed before", never let a changed pack through. The
JSON is validated again as it is read (pydantic's validators are cheap; the YAML and the tracing are
what cost), so a damaged record is never served: it is ignored, like one that cannot be read or written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from functools import cache
from pathlib import Path

import pydantic
from pydantic import ValidationError

from knowledge import asks, loader, models, tracing
from knowledge.models import Pack


def default_directory() -> Path:
    """The user's cache folder (XDG), as other command-line tools keep theirs."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pathway" / "verified-packs"


class VerifiedPacks:
    def __init__(self, directory: Path, documents_dir: Path) -> None:
        self.directory = directory
        self._documents = _documents_digest(documents_dir)

    def digest(self, pack_bytes: bytes) -> str:
        return hashlib.sha256(_code_digest().encode() + self._documents.encode() + pack_bytes).hexdigest()

    def get(self, digest: str) -> Pack | None:
        try:
            return Pack.model_validate_json((self.directory / f"{digest}.json").read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def put(self, digest: str, pack: Pack) -> None:
        """Keep the verdict; a cache that cannot be written (read-only home, full disk) costs only time."""
        target = self.directory / f"{digest}.json"
        partial = target.with_suffix(f".{os.getpid()}.partial")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_text(pack.model_dump_json(), encoding="utf-8")
            os.replace(partial, target)  # whole or not at all, even with two processes starting at once
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def _documents_digest(documents_dir: Path) -> str:
    """Every document's name and bytes: a pack may cite any of them."""
    digest = hashlib.sha256()
    for path in sorted(documents_dir.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _code_digest() -> str:
    """The code a verdict came from: the pack model (with the asks its validators fill facts' defaults
    from), the loader and the tracer, and the pydantic and Python that ran them."""
    digest = hashlib.sha256(f"{pydantic.VERSION} {sys.version}".encode())
    for module in (models, asks, loader, tracing, sys.modules[__name__]):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()
