"""The Teams app package and tenant linking, through the `pathway teams` commands."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.settings import Settings
from bot.teams.package import MANIFEST_DIR, Publisher, manifest
from storage.tables import Organisation
from tests.official_schemas import TEAMS_MANIFEST, problems

APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def pathway(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PATHWAY_DATABASE_URL": f"sqlite:///{tmp_path}/pathway.sqlite3", "MICROSOFT_APP_ID": APP_ID}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_is_valid_by_microsofts_schema_with_the_three_bot_scopes() -> None:
    data = manifest(APP_ID)
    assert problems(TEAMS_MANIFEST, data) == []
    assert (
        problems(TEAMS_MANIFEST, json.loads((MANIFEST_DIR / "manifest.json").read_text())) == []
    )  # as committed
    assert data["bots"] == [{**data["bots"][0], "botId": APP_ID}]  # type: ignore[index]
    assert set(data["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}  # type: ignore[index]


def test_the_official_schema_rejects_a_broken_manifest() -> None:
    assert problems(TEAMS_MANIFEST, {**manifest(APP_ID), "accentColor": "teal"})
    lower_case = manifest(APP_ID)
    lower_case["bots"][0]["scopes"] = ["personal", "groupchat"]  # type: ignore[index]
    assert problems(TEAMS_MANIFEST, lower_case) == [
        "bots/0/scopes/1: 'groupchat' is not one of ['team', 'personal', 'groupChat']"
    ]


def test_manifest_carries_the_host_and_developer_urls() -> None:
    data = manifest(APP_ID, publisher=Publisher(host="pathway.medway.example"))
    assert problems(TEAMS_MANIFEST, data) == []
    assert data["validDomains"] == ["pathway.medway.example"]
    assert data["developer"] == {"name": "Pathway", "websiteUrl": "https://pathway.medway.example",  # type: ignore[comparison-overlap]
                                 "privacyUrl": "https://pathway.medway.example/privacy",
                                 "termsOfUseUrl": "https://pathway.medway.example/terms"}  # fmt: skip
    chosen = manifest(
        APP_ID, publisher=Publisher("h.example", privacy_url="https://medway.gov.example/privacy")
    )
    assert chosen["developer"]["privacyUrl"] == "https://medway.gov.example/privacy"  # type: ignore[index]


def test_package_zips_manifest_and_icons_with_the_app_id(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "pathway.zip"
    result = pathway(env, "teams", "package", "--output", str(target), "--version", "1.0.3",
                     "--host", "pathway.medway.example", "--terms-url", "https://medway.gov.example/terms")  # fmt: skip
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert problems(TEAMS_MANIFEST, data) == []
    assert data["id"] == APP_ID and data["bots"][0]["botId"] == APP_ID and data["version"] == "1.0.3"
    assert data["validDomains"] == ["pathway.medway.example"]
    assert data["developer"]["termsOfUseUrl"] == "https://medway.gov.example/terms"


def test_package_refuses_a_missing_or_malformed_app_id(env: dict[str, str], tmp_path: Path) -> None:
    result = pathway({**env, "MICROSOFT_APP_ID": ""}, "teams", "package", "-o", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and "MICROSOFT_APP_ID" in result.output
    result = pathway(env, "teams", "package", "--app-id", "my-bot", "-o", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and "not a Microsoft app id" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_link_maps_the_tenant_to_the_organisation(env: dict[str, str], tmp_path: Path) -> None:
    result = pathway(env, "teams", "link", "--org", "medway", "--tenant", TENANT)
    assert result.exit_code == 0, result.output
    assert "Medway" in result.output
    moved = pathway(env, "teams", "link", "--org", "bcc", "--tenant", TENANT)  # a tenant has one org
    assert moved.exit_code == 0, moved.output
    with Session(create_engine(env["PATHWAY_DATABASE_URL"])) as session:
        linked = {o.id: o.teams_tenant_id for o in session.scalars(select(Organisation))}
    assert linked["bcc"] == TENANT and linked["medway"] is None
    assert pathway(env, "teams", "link", "--org", "nowhere", "--tenant", TENANT).exit_code == 2
    assert pathway(env, "teams", "link", "--org", "medway", "--tenant", "contoso").exit_code == 2


def test_single_tenant_is_the_default_app_type() -> None:
    # Azure has created no new multi-tenant bot registrations since 31 July 2025.
    assert Settings(_env_file=None).microsoft_app_type == "SingleTenant"
