"""The `pathway` commands as a user runs them: roster import, the JSON-lines console, and a process
killed mid-application that picks up at the same step when started again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.demo import demo_roster
from knowledge.library import Library

PATHWAY = [sys.executable, "-m", "bot.cli"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PATHWAY_DATABASE_URL": f"sqlite:///{tmp_path}/pathway.sqlite3"}


def pathway(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PATHWAY, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def lines(*turns: dict[str, object]) -> str:
    return "".join(json.dumps(turn) + "\n" for turn in turns)


def test_staff_import_reports_bad_rows_by_line_and_imports_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    good = demo_roster(Library.load()).splitlines()
    roster.write_text(
        "\n".join([*good, "medway,not-an-email,X,worker,,,,,,,,", "nowhere,a@b.example,Y,boss,,,,,,,,"])
    )
    failed = pathway(env, "staff", "import", str(roster))
    assert failed.returncode == 1
    assert (
        f"{roster}:line {len(good) + 1}:" in failed.stderr
        and f"{roster}:line {len(good) + 2}:" in failed.stderr
    )
    roster.write_text("\n".join(good) + "\n")
    first = pathway(env, "staff", "import", str(roster))
    assert first.returncode == 0 and f"created {len(good) - 1}," in first.stdout  # nothing from the bad file
    again = pathway(env, "staff", "import", str(roster))
    assert f"unchanged {len(good) - 1}" in again.stdout


def test_chat_in_a_terminal_asks_a_form_again_with_what_was_typed_and_asks_before_sending(
    env: dict[str, str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(demo_roster(Library.load()))
    pathway(env, "staff", "import", str(roster))
    pathway(env, "org", "platforms", "medway", "slack")  # so the broadcast's preview reaches someone
    typed = [
        "add panel", "14 June 2027", "30 June 2027", "Room 4", "", "",  # the deadline after the panel
        "", "24 May 2027", "", "", "",  # asked again: Enter keeps what was typed, the deadline retyped
        "broadcast: Portfolios are due on 24 May.", "/1", "/1", "n", "/1", "y", "/quit",
    ]  # fmt: skip
    out = pathway(env, "chat", "--org", "medway", "--as", "hr@medway.example", stdin="\n".join(typed) + "\n")
    assert out.returncode == 0, out.stderr
    assert (
        "Submission deadline (optional) (e.g. 14 June 2027) (The submission deadline comes after"
        in out.stdout
    )
    assert "Where (optional) [Room 4]: " in out.stdout
    assert "Panel added: Monday 14 June 2027, at Room 4, submissions by Monday 24 May 2027" in out.stdout
    assert "Send this broadcast to" in out.stdout and "[Yes, send it: y / Go back: n]" in out.stdout
    assert out.stdout.index("Nothing was done.") < out.stdout.index("Sending to")


def test_chat_jsonl_drives_a_conversation_and_buttons(env: dict[str, str], tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(demo_roster(Library.load()))
    pathway(env, "staff", "import", str(roster))
    worker = {"as": "worker@medway.example", "org": "medway"}
    out = pathway(
        env,
        "chat",
        "--jsonl",
        stdin=lines({**worker, "text": "how much is SCP 39?"}, {**worker, "text": "apply"}),
    )
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert replies[0]["to"] == "worker@medway.example" and "32,800" in replies[0]["text"]
    assert replies[0]["sources"][0]["document"] == "medway-2010-career-framework"
    level3 = next(b for r in replies for b in r["buttons"] if "Level 3" in b["label"])
    pressed = pathway(env, "chat", "--jsonl", stdin=lines({**worker, "action": level3["action"]}))
    assert "here is how you stand" in pressed.stdout
    broken = pathway(env, "chat", "--jsonl", stdin="not json\n")
    assert broken.returncode == 0 and "Each line needs" in json.loads(broken.stdout)["text"]


def test_killed_mid_application_resumes_at_the_same_step(env: dict[str, str], tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(demo_roster(Library.load()))
    pathway(env, "staff", "import", str(roster))
    worker = {"as": "worker@medway.example", "org": "medway"}
    chat = subprocess.Popen(
        [*PATHWAY, "chat", "--jsonl"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert chat.stdin is not None and chat.stdout is not None

    def say(**turn: object) -> dict[str, object]:
        assert chat.stdin is not None and chat.stdout is not None
        chat.stdin.write(json.dumps({**worker, **turn}) + "\n")
        chat.stdin.flush()
        return dict(json.loads(chat.stdout.readline()))

    started = say(text="apply for level 3")
    say(action=next(b["action"] for b in started["buttons"] if b["label"] == "Continue"))  # type: ignore[attr-defined]
    assert "1 of 20: Recording" in json.loads(chat.stdout.readline())["text"]  # the item open, after the page
    saved = say(text="I wrote a court statement separating fact from opinion, checked by my manager.")
    assert "Saved example 1" in str(saved["text"])
    chat.kill()  # no goodbye, no flush: the turn already committed
    chat.wait(timeout=30)
    resumed = pathway(
        env, "chat", "--jsonl", stdin=lines({**worker, "text": "status"}, {**worker, "text": "continue"})
    )
    texts = [json.loads(line)["text"] for line in resumed.stdout.splitlines()]
    assert "You're on evidence" in texts[0], texts
    assert "you have 1 so far" in texts[-1], texts[-1]  # the example saved before the kill is there


def replies(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def pressed(stdout: str, name: str) -> dict[str, Any]:
    """The action of the first button called `name` in `pathway chat --jsonl` output, as a person presses it."""
    return next(b["action"] for r in replies(stdout) for b in r["buttons"] if b["action"]["name"] == name)


def test_a_message_for_someone_else_is_shown_once_on_the_console(env: dict[str, str], tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(demo_roster(Library.load()))
    pathway(env, "staff", "import", str(roster))
    hr = {"as": "hr@coventry.example", "org": "coventry"}
    held = pathway(
        env,
        "chat",
        "--jsonl",
        stdin=lines({**hr, "text": "post young people's panel: panel@coventry.example"}),
    )
    assert "Pat Panel now holds the post of Young people's panel" in held.stdout
    worker = {"as": "worker@coventry.example", "org": "coventry"}
    out = pathway(env, "chat", "--jsonl", stdin=lines({**worker, "text": "apply"}))
    out = pathway(
        env, "chat", "--jsonl", stdin=lines({**worker, "action": pressed(out.stdout, "apply_target")})
    )
    out = pathway(
        env, "chat", "--jsonl", stdin=lines({**worker, "action": pressed(out.stdout, "apply_continue")})
    )
    for _ in range(12):  # answer every evidence item until the manager step
        if "apply_manager_ok" in out.stdout:
            break
        example = (
            "I led a complex case conference and wrote the plan, reviewed with my manager in supervision."
        )
        out = pathway(env, "chat", "--jsonl", stdin=lines({**worker, "text": example}))
    out = pathway(
        env, "chat", "--jsonl", stdin=lines({**worker, "action": pressed(out.stdout, "apply_manager_ok")})
    )
    submit = pressed(
        out.stdout, "apply_submit"
    )  # its confirmation is the console's to ask; JSON lines carry it
    assert "confirm" in next(b for r in replies(out.stdout) for b in r["buttons"] if b["action"] == submit)
    out = pathway(
        env, "chat", "--jsonl", stdin=lines({**worker, "action": submit}, {**worker, "text": "status"})
    )
    to_manager = [json.loads(line) for line in out.stdout.splitlines()]
    assert sum(1 for r in to_manager if r["to"] == "panel@coventry.example") == 1  # Coventry's first panel


def test_staff_import_full_marks_leavers_and_staff_deactivate_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    everyone = demo_roster(Library.load())
    roster.write_text(everyone)
    pathway(env, "staff", "import", str(roster))
    roster.write_text("".join(line + "\n" for line in everyone.splitlines() if "worker@coventry" not in line))
    full = pathway(env, "staff", "import", "--full", str(roster))
    assert "leavers: 1 marked inactive, 0 pending decision(s) handed over" in full.stdout
    gone = pathway(env, "staff", "deactivate", "--org", "medway", "Worker@medway.example")
    assert gone.stdout.startswith("Wendy Worker (worker@medway.example) is now inactive")
    again = pathway(env, "staff", "deactivate", "--org", "medway", "worker@medway.example")
    assert again.returncode == 1 and "already inactive" in again.stderr


def test_ask_jsonl_lists_the_readings_of_a_question_asked_back(env: dict[str, str]) -> None:
    questions = lines(
        {"id": "a", "org": "bcc", "question": "what training is mandatory for me?"},
        {"id": "b", "org": "medway", "question": "how much is SCP 39?"},
    )
    done = pathway(env, "ask", "--jsonl", stdin=questions)
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["answered"] is False and len(first["clarify"]) == 2
    assert "Adult social work" in first["clarify"][1]
    assert second["answered"] is True and "clarify" not in second
