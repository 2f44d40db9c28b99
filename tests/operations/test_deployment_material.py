"""The deployment material (deploy/: Dockerfile, compose file, systemd units, proxy, settings example)
and the guides use only commands, options and settings that exist: no container engine runs here, so
this is what keeps them from going stale. And the README points to both guides."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from dotenv import dotenv_values

from bot.cli import app
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
GUIDES = [REPO / "docs" / "deploying.md", REPO / "docs" / "data-protection.md", REPO / "README.md"]
NOT_OURS = {
    "POSTGRES_PASSWORD",
    "POSTGRES_USER",
    "POSTGRES_DB",
    "PYTHONUNBUFFERED",
    "PROMETHEUS_MULTIPROC_DIR",
}
# `pathway` then its words, up to the end of the command (a comment, a quote, a pipe, a backtick).
INVOCATION = re.compile(r"(?:^|[\s\"'`]|bin/)pathway((?: +[^\s#'\"`|;&)]+)+)")
TEST_SUITE_SETTINGS = {"PATHWAY_TEST_DATABASE_URL", "PATHWAY_CHROMIUM"}  # read by the tests, not by Pathway


def settings_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def commands() -> dict[tuple[str, ...], set[str]]:
    """Every command path of the CLI, with its options."""
    found: dict[tuple[str, ...], set[str]] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found[path] = {o for p in command.params for o in [*p.opts, *getattr(p, "secondary_opts", [])]}

    walk(typer.main.get_command(app), ())
    return found


def problems_with(words: list[str], known: dict[tuple[str, ...], set[str]]) -> str | None:
    for length in (2, 1):
        path = tuple(words[:length])
        if path in known:
            unknown = [
                w.split("=")[0]
                for w in words[length:]
                if w.startswith("--") and w.split("=")[0] not in known[path]
            ]
            return f"unknown option(s) {unknown} for `pathway {' '.join(path)}`" if unknown else None
    if len(words) == 1 and any(path[0] == words[0] for path in known if len(path) == 2):
        return None  # a group named on its own, e.g. `pathway data`
    return f"no command `pathway {' '.join(words[:2])}`"


def invocations(text: str) -> list[list[str]]:
    found = []
    for match in INVOCATION.finditer(text):
        words = match.group(1).split()
        if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
            found.append(words)
    return found


def code_in(markdown: str) -> str:
    """The fenced blocks and inline code of a markdown file (prose says 'Pathway' in other senses)."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", markdown, re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", markdown, flags=re.S))
    return "\n".join(blocks + inline)


def compose_commands(compose: dict[str, Any]) -> list[list[str]]:
    return [service["command"][1:] for service in compose["services"].values()
            if service.get("command", [None])[0] == "pathway"]  # fmt: skip


def test_every_pathway_command_in_the_material_exists() -> None:
    known = commands()
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    used: list[tuple[str, list[str]]] = [("compose.yaml", words) for words in compose_commands(compose)]
    docker_cmd = re.search(r"^CMD (\[.*\])$", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert docker_cmd is not None
    used.append(("Dockerfile", yaml.safe_load(docker_cmd.group(1))[1:]))
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                used += [(unit.name, words) for words in invocations(line.replace("'", " "))]
    for guide in GUIDES:
        used += [(guide.name, words) for words in invocations(code_in(guide.read_text()))]
    assert len(used) > 20
    problems = {
        f"{where}: pathway {' '.join(words)}: {p}"
        for where, words in used
        if (p := problems_with(words, known))
    }
    assert problems == set()


def test_every_setting_in_the_material_exists() -> None:
    names = settings_names() | NOT_OURS
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    used = {
        (name, "compose.yaml")
        for service in compose["services"].values()
        for name in service.get("environment", {})
    }
    used |= {(name, "pathway.env.example") for name in dotenv_values(DEPLOY / "pathway.env.example")}
    for path in [*(DEPLOY / "systemd").iterdir(), DEPLOY / "Dockerfile"]:
        used |= {
            (name, path.name)
            for name in re.findall(r"\b((?:PATHWAY|SLACK|MICROSOFT)_[A-Z_]+)=", path.read_text())
        }
    for guide in GUIDES:
        used |= {
            (name, guide.name)
            for name in re.findall(r"\b((?:PATHWAY|SLACK|MICROSOFT)_[A-Z_]+)\b", guide.read_text())
        }
    unknown = {(name, where) for name, where in used if name not in names | TEST_SUITE_SETTINGS}
    assert unknown == set()
    assert {"PATHWAY_DATABASE_URL", "PATHWAY_RETAIN_LEAVERS_MONTHS"} <= {name for name, _where in used}


def test_the_settings_example_is_read_as_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in dotenv_values(DEPLOY / "pathway.env.example").items():
        if name not in NOT_OURS and value is not None:
            monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.pathway_retain_leavers_months == {"medway": 72}
    assert settings.pathway_log_format == "json" and settings.microsoft_app_type == "SingleTenant"


def test_the_readme_points_to_both_guides() -> None:
    readme = (REPO / "README.md").read_text()
    assert "docs/deploying.md" in readme and "docs/data-protection.md" in readme


def test_the_units_run_several_web_processes_and_a_dispatcher_on_postgresql() -> None:
    web = (DEPLOY / "systemd" / "pathway-web@.service").read_text()
    assert "serve --no-dispatch" in web and "PATHWAY_PORT=%i" in web
    assert "pathway dispatch" in (DEPLOY / "systemd" / "pathway-dispatch.service").read_text()
    example = dotenv_values(DEPLOY / "pathway.env.example")
    assert str(example["PATHWAY_DATABASE_URL"]).startswith("postgresql")
