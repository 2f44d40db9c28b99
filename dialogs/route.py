"""The route an application follows: the stages the organisation's policy states, in order, or the
local procedure HR recorded where the policy states none. Nothing here assumes any council's shape."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.turn import Turn
from knowledge.local import parse_local_procedure
from knowledge.models import Backdating, LocalProcedure, Post, RouteStage
from storage.directory import get_person
from storage.local_procedures import latest_local_procedure

WAITING_PREFIX = "awaiting:"


@dataclass(frozen=True)
class Route:
    stages: list[RouteStage]
    posts: list[Post]
    backdating: Backdating | None  # None: the effective date is not stated
    local: LocalProcedure | None  # where the route comes from a local procedure, not the policy
    policy_name: str  # "Medway's policy"

    @property
    def stated(self) -> bool:
        return bool(self.stages)

    @property
    def citation(self) -> str:
        return self.local.citation if self.local else self.policy_name

    def stage(self, stage_id: object) -> RouteStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def after(self, stage: RouteStage) -> RouteStage | None:
        index = self.stages.index(stage)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None

    def before(self, stage: RouteStage) -> RouteStage | None:
        index = self.stages.index(stage)
        return self.stages[index - 1] if index else None

    def post_names(self, post_ids: list[str]) -> str:
        names = {p.id: p.name for p in self.posts}
        return " or ".join(names.get(p, p) for p in post_ids)


def route_of(turn: Turn) -> Route:
    pack = turn.pack
    process, org = pack.process, pack.organisation
    name = f"{org.short_name}'s policy"
    if process.route:
        return Route(list(process.route), list(process.posts), process.backdating, None, name)
    local = local_procedure(turn)
    if local is None:
        return Route([], list(process.posts), None, None, name)
    return Route(list(local.route), [*process.posts, *local.posts], local.backdating, local, name)


def local_procedure(turn: Turn) -> LocalProcedure | None:
    """HR's latest procedure recorded in chat, else the reviewed file beside the pack."""
    row = latest_local_procedure(turn.session, turn.org)
    if row is not None:
        who = get_person(turn.session, row.recorded_by)
        return parse_local_procedure(
            {**row.procedure, "organisation": turn.org, "recorded_by": who.name if who else "HR",
             "recorded_on": row.recorded_at.date().isoformat()}
        )  # fmt: skip
    return turn.library.local.get(turn.org)


def waiting_status(stage: RouteStage) -> str:
    return f"{WAITING_PREFIX}{stage.id}"


def waiting_stage(route: Route, status: str) -> RouteStage | None:
    """The stage an application in `status` waits on, if it waits on one."""
    if not status.startswith(WAITING_PREFIX):
        return None
    return route.stage(status.removeprefix(WAITING_PREFIX))
