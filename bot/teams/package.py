"""The Teams app package: manifest.json (with the bot's app id) and the two icons, zipped for upload."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

MANIFEST_DIR = Path(__file__).parent / "manifest"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class NotAnAppId(ValueError):
    """The Microsoft app id must be the bot registration's GUID."""


def manifest(app_id: str, version: str | None = None) -> dict[str, object]:
    """The manifest with the app id filled in (Teams app id and bot id are the same GUID here)."""
    if not GUID.match(app_id):
        raise NotAnAppId(f"{app_id!r} is not a Microsoft app id (a GUID like {PLACEHOLDER_ID})")
    data = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    data["id"] = app_id
    for bot in data["bots"]:
        bot["botId"] = app_id
    if version:
        data["version"] = version
    return dict(data)


def write_package(app_id: str, target: Path, version: str | None = None) -> Path:
    """Zip manifest.json, color.png and outline.png (at the archive's root, as Teams expects)."""
    content = json.dumps(manifest(app_id, version), indent=2, ensure_ascii=False)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", content)
        for icon in ("color.png", "outline.png"):
            archive.write(MANIFEST_DIR / icon, icon)
    return target
