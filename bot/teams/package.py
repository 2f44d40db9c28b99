"""The Teams app package: manifest.json (with the bot's app id, host and URLs) and the two icons, zipped."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST_DIR = Path(__file__).parent / "manifest"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# A host name as Teams' validDomains takes it: no scheme, no path (the schema allows a *. wildcard).
HOST = re.compile(
    r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+(:\d+)?$"
)


class NotAnAppId(ValueError):
    """The Microsoft app id must be the bot registration's GUID."""


class BadPackageSetting(ValueError):
    """A host or URL the manifest cannot carry (Teams requires https addresses and bare host names)."""


@dataclass(frozen=True)
class Publisher:
    """Where the app is served and the developer's pages the Teams store listing links to. The pages
    default to ones on `host`; without a host, the committed manifest's placeholders stay."""

    host: str | None = None
    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None

    def urls(self) -> dict[str, str]:
        pages = {
            "websiteUrl": self.website_url,
            "privacyUrl": self.privacy_url,
            "termsOfUseUrl": self.terms_url,
        }
        if self.host:
            defaults = {"websiteUrl": "", "privacyUrl": "/privacy", "termsOfUseUrl": "/terms"}
            pages = {key: url or f"https://{self.host}{defaults[key]}" for key, url in pages.items()}
        chosen = {key: url for key, url in pages.items() if url}
        for key, url in chosen.items():
            if not url.startswith("https://"):
                raise BadPackageSetting(f"{key} must be an https:// address, not {url!r}")
        return chosen


def manifest(
    app_id: str, version: str | None = None, publisher: Publisher | None = None
) -> dict[str, object]:
    """The manifest with the app id filled in (Teams app id and bot id are the same GUID here)."""
    if not GUID.match(app_id):
        raise NotAnAppId(f"{app_id!r} is not a Microsoft app id (a GUID like {PLACEHOLDER_ID})")
    publisher = publisher or Publisher()
    data = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    data["id"] = app_id
    for bot in data["bots"]:
        bot["botId"] = app_id
    if version:
        data["version"] = version
    data["developer"].update(publisher.urls())
    if publisher.host:
        if not HOST.match(publisher.host):
            raise BadPackageSetting(
                f"--host takes a host name such as pathway.example.org, not {publisher.host!r}"
            )
        data["validDomains"] = [publisher.host]
    return dict(data)


def write_package(
    app_id: str, target: Path, version: str | None = None, publisher: Publisher | None = None
) -> Path:
    """Zip manifest.json, color.png and outline.png (at the archive's root, as Teams expects)."""
    content = json.dumps(manifest(app_id, version, publisher), indent=2, ensure_ascii=False)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", content)
        for icon in ("color.png", "outline.png"):
            archive.write(MANIFEST_DIR / icon, icon)
    return target
