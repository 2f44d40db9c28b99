"""What a council's progression policy says, as data.

A pack is one organisation's policy: its levels and pay, what each level requires, the process and
who signs off, reviews, panels, pathways, training, supplements and conditions. Every fact carries
the `Source` it came from, so the bot can cite it and a test can trace it back to the document.
A new council is a new YAML file validated by these models; no code changes.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.asks import Ask


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """Where a fact comes from: a document id and the section label or heading used in it."""

    document: str = ""  # filled in from the pack's default document when left out
    section: str = Field(min_length=1)


class Sourced(Frozen):
    source: Source


class Topic(StrEnum):
    """What a question or a fact is about. Questions are classified into these; facts are tagged."""

    overview = "overview"  # the framework, its levels/grades, who it covers, when it took effect
    pay = "pay"
    requirements = "requirements"
    eligibility = "eligibility"  # who may apply and when (service length, newly qualified)
    apply = "apply"  # how to apply, the steps
    evidence = "evidence"  # what evidence, how many examples, portfolio
    signoff = "signoff"  # who recommends, approves, authorises
    forms = "forms"
    backdating = "backdating"  # when an award takes effect
    not_approved = "not_approved"  # what happens if progression is not agreed
    review = "review"  # challenging a decision: review or appeal
    competencies = "competencies"
    pathways = "pathways"
    training = "training"
    cpd = "cpd"
    panel = "panel"
    supplements = "supplements"  # market supplements, honoraria, allowances
    clawback = "clawback"
    secondary_employment = "secondary_employment"
    probation = "probation"
    caseload = "caseload"
    vacancy = "vacancy"  # posts available, progression depending on a vacancy
    asye = "asye"
    induction = "induction"
    supervision = "supervision"


class Role(StrEnum):
    """Roles of people in the roster; sign-off rules name these."""

    worker = "worker"
    manager = "manager"  # line manager / team manager
    service_manager = "service_manager"  # service manager or above
    hr = "hr"
    admin = "admin"


class PayPoint(Frozen):
    point: int
    salary: int  # pounds a year


class Pay(Sourced):
    """A level's pay: spinal points with salaries, or a minimum and maximum."""

    points: list[PayPoint] = []
    minimum: int | None = None
    maximum: int | None = None

    @model_validator(mode="after")
    def _has_figures(self) -> Pay:
        if not self.points and (self.minimum is None or self.maximum is None):
            raise ValueError("pay needs points, or both minimum and maximum")
        return self

    @property
    def low(self) -> int:
        return min(p.salary for p in self.points) if self.points else int(self.minimum or 0)

    @property
    def high(self) -> int:
        return max(p.salary for p in self.points) if self.points else int(self.maximum or 0)


RequirementKind = Literal[
    "competency_evidence",
    "qualification",
    "training",
    "service_length",
    "portfolio",
    "vacancy",
    "panel",
    "induction",
    "performance",
    "placement",
    "other",
]


class Requirement(Sourced):
    kind: RequirementKind
    essential: bool = True
    text: str
    # For service_length: how long, and whether it counts from qualifying or from joining.
    years: float | None = None
    counted_from: Literal["qualifying", "joining", "any"] | None = None


class Level(Sourced):
    """A rung of the ladder: a level, a grade or a post. `rank` orders it within its framework."""

    id: str
    name: str
    rank: int
    framework: str | None = None  # None: every framework of the organisation
    aliases: list[str] = []
    grade: str | None = None  # the pay grade label, where the policy gives one (e.g. "BG10")
    summary: str = ""
    pay: Pay | None = None
    requirements: list[Requirement] = []
    competencies_required: list[str] = []  # competency ids whose evidence this level needs


class Competency(Sourced):
    id: str
    name: str
    group: str = ""
    aliases: list[str] = []
    descriptors: dict[str, list[str]] = {}  # level id -> what is expected at that level


class PathwayStage(Sourced):
    level: str  # level id this stage leads to or is completed at
    text: str
    modules: list[str] = []


class Pathway(Sourced):
    id: str
    name: str
    framework: str | None = None
    aliases: list[str] = []
    summary: str
    stages: list[PathwayStage] = []


class TrainingList(Sourced):
    id: str
    name: str
    framework: str | None = None
    stage: str = ""  # e.g. "induction", "ongoing", "management"
    mandatory: bool = False
    items: list[str]


class Step(Sourced):
    kind: Literal[
        "choose_target",
        "eligibility",
        "competency_evidence",
        "qualification",
        "portfolio",
        "line_manager",
        "summary",
        "submit",
        "other",
    ]
    text: str


class SignOff(Sourced):
    """One decision in the chain, in order: recommend, authorise, or a panel."""

    stage: Literal["recommend", "authorise", "panel"]
    role: Role | Literal["panel"]
    text: str


class Form(Sourced):
    name: str
    text: str
    send_to: str = ""


class Hearing(Sourced):
    """A review hearing, where the policy holds one."""

    text: str
    right_to_be_represented: bool = False
    assessing_manager_attends: bool = False  # the manager responsible for the assessment explains it


class Review(Sourced):
    name: str = "review"  # the policy's word: review or appeal
    text: str
    window_working_days: int | None = None
    to: str = ""
    to_post: str = ""  # the post (Process.posts id) whose holder receives and decides the review
    response_working_days: int | None = None
    final: bool | None = None
    hearing: Hearing | None = None


class Panel(Sourced):
    name: str
    text: str
    months: list[str] = []  # month names when it sits, where the policy gives them
    members: str = ""
    feedback_by: str = ""
    not_yet: str = ""  # what happens when the panel says not yet


class EvidenceRule(Sourced):
    text: str
    examples_per_competency: int | None = None


class Backdating(Sourced):
    rule: Literal["line_manager_signed", "decision", "panel", "other"]
    text: str


class Post(Sourced):
    """A post the policy names as acting in its process ("Assistant Director, Children's Care").
    HR records who holds it; holders act in the stages that name it."""

    id: str
    name: str


class RecordedField(Sourced):
    """Something a stage's decider records, in the policy's words, with the policy's choices
    (the first choice is the one an approval needs, e.g. "met" of met / not met)."""

    id: str
    label: str
    choices: list[str] = Field(min_length=2)


SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.I)
StageKind = Literal["recommendation", "authorisation", "panel", "appraisal", "vacancy"]


class RouteStage(Sourced):
    """One step of the route an application follows, in order, as the policy states it.

    `decider` says where the decider comes from: the applicant's line manager on the roster, the
    nearest person above the previous stage's decider, or the holders of the posts named (panel
    members, a named post). `roles` are the roster roles allowed to decide (checked at every decision);
    a post holder may decide whatever their roster role. An empty route is "route not stated"."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,23}$")  # unique in the route; decisions are kept per stage id
    kind: StageKind
    name: str
    text: str
    decider: Literal["line_manager", "above_previous", "posts"]
    roles: list[Role] = []
    posts: list[str] = []  # Process.posts ids
    records: list[RecordedField] = []
    months: list[str] = []  # a panel that sits only in these months (the sitting date is recorded)
    feedback_posts: list[str] = []  # posts who give the applicant feedback on the outcome
    approve: str = "Approve"
    decline: str = "Not approve"
    decline_outcome: Literal["not_approved", "not_yet"] = "not_approved"
    # What an approval at this, the last stage, means: a new level now, or eligibility for a post
    # that a vacancy and recruitment then fill (the stage after it says how).
    approval_means: Literal["next_stage", "new_level", "eligible_for_vacancy"] = "next_stage"
    chased: bool = True  # reminders and escalation while it waits (not for a vacancy, which may take months)

    @model_validator(mode="after")
    def _text_for_every_reader(self) -> RouteStage:
        # The stage's text is shown to the applicant and on its deciders' cards: "your line manager
        # records..." would speak to the wrong person on one of them.
        if SECOND_PERSON.search(self.text):
            raise ValueError(f"route stage {self.id}: write its text for any reader ('the applicant', "
                             f"'the line manager'), not to 'you': {self.text!r}")  # fmt: skip
        return self


class Move(Sourced):
    """How the policy says a worker moves to these levels, where it is not an application."""

    levels: list[str] = Field(min_length=1)
    how: Literal["application", "recruitment", "appraisal", "not_a_step", "not_stated"]
    text: str
    min_months_at_level: int | None = None  # time at the current level first, where the policy sets it


class Process(Frozen):
    steps: list[Step] = []
    evidence: EvidenceRule | None = None
    signoff: list[SignOff] = []  # who signs off, as answers state it
    forms: list[Form] = []
    backdating: Backdating | None = None  # None: the policy does not say when a move takes effect
    not_approved: str = ""
    not_approved_source: Source | None = None
    review: Review | None = None
    panel: Panel | None = None
    posts: list[Post] = []
    route: list[RouteStage] = []  # what the application workflow executes; empty: route not stated
    moves: list[Move] = []  # levels not reached by an application, or with conditions on applying

    @model_validator(mode="after")
    def _route_is_sound(self) -> Process:
        post_ids = {p.id for p in self.posts}
        ids = [s.id for s in self.route]
        if len(ids) != len(set(ids)):
            raise ValueError(f"route stage ids used twice: {sorted(i for i in ids if ids.count(i) > 1)}")
        for stage in self.route:
            unknown = set(stage.posts + stage.feedback_posts) - post_ids
            if unknown:
                raise ValueError(f"route stage {stage.id}: unknown posts {sorted(unknown)}")
            if stage.decider == "posts" and not stage.posts:
                raise ValueError(f"route stage {stage.id}: decided by posts but names none")
            if stage.decider == "above_previous" and stage is self.route[0]:
                raise ValueError(f"route stage {stage.id}: the first stage has no previous decider")
        if self.review and self.review.to_post and self.review.to_post not in post_ids:
            raise ValueError(f"review: unknown post {self.review.to_post!r}")
        return self


class LocalProcedure(Frozen):
    """A route HR has recorded for an organisation whose policy does not state one. Cited as local,
    with who recorded it and when, never as the policy. Its stages' sources point into this record."""

    organisation: str
    recorded_by: str
    recorded_on: date
    text: str
    route: list[RouteStage] = Field(min_length=1)
    posts: list[Post] = []
    backdating: Backdating | None = None

    @property
    def citation(self) -> str:
        return f"Local procedure recorded by {self.recorded_by} on {self.recorded_on:%-d %B %Y}"


class Supplement(Sourced):
    id: str
    name: str
    kind: Literal["market_supplement", "honorarium", "allowance"]
    amount: int  # pounds
    who: str  # who qualifies, in the policy's words
    roles: list[str] = []  # level ids or role words it is for
    min_years: float | None = None  # service needed, where the policy ties it to service
    max_years: float | None = None
    conditions: list[str] = []
    status: Literal["current", "being_removed", "removed"] = "current"
    aliases: list[str] = []


class Fact(Sourced):
    """Anything else the policy says that a worker may ask about, tagged with its topics."""

    id: str
    topics: list[Topic] = Field(min_length=1)
    text: str
    keywords: list[str] = []
    applies_to: list[str] = []  # level, pathway or framework ids it is about
    # The kinds of answer it gives, beyond those its topics and its words give by default (knowledge.asks).
    answers: list[Ask] = []


class Framework(Frozen):
    id: str  # "children" or "adults"
    name: str
    aliases: list[str] = []


class Organisation(Frozen):
    id: str
    name: str
    short_name: str
    document: str  # default document id for sources that leave it out
    document_title: str
    effective_date: date | None = None
    effective_source: Source | None = None
    ask: str = "your line manager or HR"  # who to ask when the policy does not say


class Pack(Frozen):
    organisation: Organisation
    frameworks: list[Framework] = []
    levels: list[Level] = Field(min_length=1)
    competencies: list[Competency] = []
    pathways: list[Pathway] = []
    training: list[TrainingList] = []
    process: Process = Process()
    supplements: list[Supplement] = []
    facts: list[Fact] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> Pack:
        level_ids = {lv.id for lv in self.levels}
        framework_ids = {f.id for f in self.frameworks}
        competency_ids = {c.id for c in self.competencies}
        for level in self.levels:
            if level.framework is not None and level.framework not in framework_ids:
                raise ValueError(f"level {level.id}: unknown framework {level.framework!r}")
            missing = set(level.competencies_required) - competency_ids
            if missing:
                raise ValueError(f"level {level.id}: unknown competencies {sorted(missing)}")
        for comp in self.competencies:
            unknown = set(comp.descriptors) - level_ids
            if unknown:
                raise ValueError(f"competency {comp.id}: descriptors for unknown levels {sorted(unknown)}")
        for pathway in self.pathways:
            for stage in pathway.stages:
                if stage.level not in level_ids:
                    raise ValueError(f"pathway {pathway.id}: stage for unknown level {stage.level!r}")
        for move in self.process.moves:
            if set(move.levels) - level_ids:
                raise ValueError(f"process.moves: unknown levels {sorted(set(move.levels) - level_ids)}")
        ids = [x.id for group in (self.levels, self.competencies, self.pathways, self.facts) for x in group]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"ids used twice: {sorted(duplicates)}")
        return self

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)
