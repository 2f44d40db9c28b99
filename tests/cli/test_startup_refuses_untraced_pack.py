"""A pack whose figure was edited away from its document is refused at start-up by every serving command,
with the message `pathway policy check` gives, rather than served with a citation to the document."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from knowledge.loader import PACKS_DIR
from tests.cli.test_commands import env, lines, pathway  # noqa: F401  (env is a fixture)

EDITED = "{point: 39, salary: 32900}"


@pytest.fixture(scope="module")
def edited_packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("edited")
    database = {"PATHWAY_DATABASE_URL": f"sqlite:///{tmp_path}/pathway.sqlite3"}
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs)
    medway = packs / "medway.yaml"
    original = medway.read_text(encoding="utf-8")
    assert "{point: 39, salary: 32800}" in original
    medway.write_text(original.replace("{point: 39, salary: 32800}", EDITED), encoding="utf-8")
    return {**os.environ, **database, "PATHWAY_PACKS_DIR": str(packs)}


@pytest.fixture(scope="module")
def check(edited_packs: dict[str, str]) -> str:
    checked = pathway(edited_packs, "policy", "check")
    assert checked.returncode == 1
    return checked.stderr.strip()


def test_policy_check_names_the_file_line_and_field(edited_packs: dict[str, str], check: str) -> None:
    medway = Path(edited_packs["PATHWAY_PACKS_DIR"]) / "medway.yaml"
    # The line of the edited figure itself, wherever the pack's content puts it.
    line = next(
        n for n, text in enumerate(medway.read_text(encoding="utf-8").splitlines(), 1) if EDITED in text
    )
    assert (
        check
        == f"{medway}:{line}: levels[1].pay: number 32900 does not appear in medway-2010-career-framework"
    )


@pytest.mark.parametrize(
    ("command", "stdin"),
    [
        (["ask", "--org", "medway", "how much is SCP 39?"], ""),
        (["ask", "--jsonl"], '{"id": "q", "org": "medway", "question": "how much is SCP 39?"}\n'),
        (["chat", "--jsonl"], lines({"as": "worker@medway.example", "org": "medway", "text": "SCP 39?"})),
        (["serve"], ""),
        (["demo"], ""),
    ],
)
def test_serving_commands_refuse_to_start(
    edited_packs: dict[str, str], check: str, command: list[str], stdin: str
) -> None:
    started = pathway(edited_packs, *command, stdin=stdin)
    assert started.returncode == 2
    assert "32,900" not in started.stdout and started.stdout == ""
    assert started.stderr.splitlines()[1:] == [check]


def test_the_installed_packs_start(env: dict[str, str]) -> None:  # noqa: F811
    answered = pathway(env, "ask", "--org", "medway", "how much is SCP 39?")
    assert answered.returncode == 0 and "£32,800" in answered.stdout
