"""'help' (and the welcome a new chat gets): what Pathway does for the person asking, by their role:
a worker's questions and application, a manager's decisions and out of office, a service manager's
escalations and reassigning, HR's tools."""

from __future__ import annotations

from dialogs.messages import Button, Reply, button
from dialogs.turn import Turn

ASKING = "Ask me anything about progression under {org}'s policy, e.g. 'what do I need for the next level?'."
WORKER = (
    "To apply: 'apply'. Then 'continue' to pick up where you left off, 'status' to see where it stands, "
    "'back', 'edit <competency>', or 'cancel' ('withdraw my application' once it is sent). "
    "'history' lists your applications and their decisions."
)
DECIDER = (
    "Applications that need your decision arrive here as cards addressed to you: decide with the card's "
    "buttons. 'status' shows what waits on you and what you decided lately; 'history 12' tells one "
    "application's story.\nAway? 'out of office until 4 December 2026, delegate to <email>' sends your "
    "decisions to them meanwhile (where the rules allow them to make them); 'end delegation' when you're back."
)
SERVICE = (
    "Decisions escalated to you come with a Reassign button. 'reassign <number> to <email>' passes a "
    "decision waiting on someone you manage to another person the same rules allow."
)
HR = (
    "HR tools: 'hr' opens the menu (panels, broadcasts and who they reached, questions I couldn't answer). "
    "'posts' and 'post <post>: <email>' record who holds the posts the policy names; 'reassign <number> to "
    "<email>' passes a waiting decision to someone else the rules allow; 'delegations' shows who is out of "
    "office (and ends an out of office); 'deactivate <email>' marks a "
    "leaver. 'status' shows applications by stage and 'history 12' one application's story."
)
LOCAL = "The policy states no route for applications: 'local procedure: …' records the council's own."


def help_reply(turn: Turn, opening: str = "") -> Reply:
    role = turn.person.role
    parts = [opening, ASKING.format(org=turn.pack.organisation.short_name)]
    buttons: list[Button] = []
    if role in ("hr", "admin"):
        parts.append(HR + ("\n" + LOCAL if not turn.pack.process.route else ""))
        buttons.append(button("HR tools", "hr_menu", "primary"))
    if role in ("manager", "service_manager", "admin"):
        parts.append(DECIDER)
        buttons.append(button("Out of office", "delegate"))
    if role in ("service_manager", "admin"):
        parts.append(SERVICE)
    if role in ("worker", "manager", "service_manager"):  # managers may apply too
        parts.append(
            WORKER
            if role == "worker"
            else "To apply yourself: 'apply'; 'history' lists your own applications."
        )
    buttons.append(button("Status", "status"))
    return Reply(text="\n".join(p for p in parts if p), buttons=buttons)
