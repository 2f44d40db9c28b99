"""What a council's progression policy says, as data.

A pack is one organisation's policy: its levels and pay, what each level requires, the process and
who signs off, reviews, panels, pathways, training, supplements and conditions. Every fact carries
the `Source` it came from, so the bot can cite it and a test can trace it back to the document.
A new council is a new YAML file validated by these models; no code changes.
"""

from __future__ import annotations

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


class Review(Sourced):
    name: str = "review"  # the policy's word: review or appeal
    text: str
    window_working_days: int | None = None
    to: str = ""
    response_working_days: int | None = None
    final: bool | None = None


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


class Process(Frozen):
    steps: list[Step] = []
    evidence: EvidenceRule | None = None
    signoff: list[SignOff] = []
    forms: list[Form] = []
    backdating: Backdating | None = None
    not_approved: str = ""
    not_approved_source: Source | None = None
    review: Review | None = None
    panel: Panel | None = None


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
        ids = [x.id for group in (self.levels, self.competencies, self.pathways, self.facts) for x in group]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"ids used twice: {sorted(duplicates)}")
        return self

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)
