"""What a command loads before it runs: `pathway chat` and `pathway staff import` need the core and the
database, not the server stack (both front-ends, their SDKs, the metrics app) nor the PDF library, which
together were about half of their start-up CPU; a Slack or Teams answer worker, spawned again after
every crash, needs the core, not the server's readiness checks and migrations. Each check is in a fresh interpreter, as a command starts."""

from __future__ import annotations

import json
import subprocess
import sys

SERVER_STACK = ["bot.app", "bot.slack.mount", "bot.teams.mount", "slack_bolt", "botbuilder", "bot.metrics"]
PDF = ["fpdf", "fontTools"]


def loaded_after(code: str, modules: list[str]) -> list[str]:
    probe = (
        f"import sys\n{code}\nimport json\nprint(json.dumps([m for m in {modules!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return list(json.loads(done.stdout))


def test_the_console_and_roster_commands_load_neither_the_server_stack_nor_the_pdf_library() -> None:
    assert loaded_after("import bot.cli, bot.operations", SERVER_STACK + PDF) == []


def test_a_spawned_answer_worker_loads_no_migrations_and_no_server_stack() -> None:
    """A worker process imports `pathway`'s own module (its spawn parent's main) and its front-end's
    worker module; readiness checks and migrations are the server's."""
    code = "import bot.cli, bot.slack.workers, bot.teams.workers"
    assert loaded_after(code, [*SERVER_STACK, "bot.readiness", "alembic", *PDF]) == []


def test_a_pdf_is_still_made_when_a_form_asks_for_one() -> None:
    code = "from dialogs.filled_form import FilledForm\nFilledForm('Form', [('Name', 'Ł')]).pdf()"
    assert loaded_after(code, PDF) == PDF
