"""How people ask about each topic: weighted cue patterns over normalised text.

These are about the language of career progression, not about any council: each pack's facts are
tagged with the same topics, so a topic with no facts in a pack is one that policy does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.asks import NOT_THE_SCHEME
from knowledge.models import Topic


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float


def _cues(*pairs: tuple[str, float]) -> tuple[Cue, ...]:
    return tuple(Cue(re.compile(p), w) for p, w in pairs)


CUES: dict[Topic, tuple[Cue, ...]] = {
    Topic.pay: _cues(
        # ("how is the new grade paid for": how it is funded, not what it pays; "cost more money" is its cost)
        (
            r"\b(salary|salaries|wage|wages|paid(?! for\b(?! (?:\w+ )?(?:months?|years?|weeks?)\b))|earn|earnings"
            r"|(?<!cost more )(?<!costs more )(?<!cost extra )money|£)",
            3,
        ),
        (r"\bpay\b(?! back)(?! it back)", 3),
        (r"\bincrements?\b|\bpay rise\b", 2.5),
        (r"\bhow much\b", 2),
        (
            r"\bhow much (would|will|could|do|does|can|did) (i|you|we|they|someone) (get|earn|be paid|make|take home)",
            3,
        ),
        (r"\bhow much (more|less)\b|\bdifference in (pay|salary)\b|\bpay difference\b", 2),
        (r"\bhow much (is|are|does|do|will|would) (an? |the )?(level|grade|bg\d|h\d|m1)", 1.5),
        (r"\bspinal point \d+|\bpoint \d+\b", 3.5),
        (r"\b(spinal (column )?points|scps|pay points)\b|\bwhich points?\b", 3),
        (r"\b(pay (scale|band|range|grade)s?|pay point)", 1),
        (r"\b(salary |pay )?ranges?\b", 1.5),  # "what's the M1 range": its pay from bottom to top
        (
            r"\b(top|bottom|highest|lowest|first|last|starting|maximum|minimum) (spinal )?(point|salary|pay)s?\b",
            3.5,
        ),
    ),
    Topic.requirements: _cues(
        (r"\b(requirements?|required|criteria|prerequisites?)\b", 3),
        (
            r"\bwhat (do|would|will) (i|you|we|someone) need\b|\b(need|have|got) to (do|have|show|prove|evidence|demonstrate)\b",
            3,
        ),
        (r"\bhow (do|can|would) (i|you|someone) (get|progress|move|go|become|reach|achieve)\b", 2),
        (r"\b(progress|progression|move|get|go|step) (up )?(to|into|onto)\b|\breach\b|\bachieve\b", 1.5),
        # ("what is expected for progression to level 2": what it requires, asked by what is expected)
        (r"\bexpected (of (me|us|you) )?(for|to (get|reach|progress|move|be promoted))\b", 2),
        (r"\bto (become|be) an? \b|\bwhat does it take\b", 2),
        (r"\b(needed|necessary|essential|desirable|must i|do i have to have)\b", 1.5),
        (r"\bdo (i|you|we) (need|require|have to have)\b", 1.5),
        (r"\b(do|must) (i|you|we) (have|need) to (be|have)\b", 2),
        (r"\b(qualifications?|quals) (for|to get|to reach|to become|needed|required)\b", 3),
        (r"\b(jump|accelerat|skip|leapfrog|fast track)", 2),
    ),
    Topic.eligibility: _cues(
        (r"\b(eligible|eligibility|qualify for|entitled)\b", 3),
        (r"\bcan i (still |also )?(apply|go for|progress|move|put myself forward)\b", 2.5),
        (r"\b(can|could) i (be|become|get)\b|\bam i (able|allowed|ready)\b", 2.5),
        (r"\b(can|could) i (go|move|jump|skip|progress) (straight |directly )?(from|to|into|up)\b", 3),
        (
            r"\bqualified \d+(\.\d+)? (months?|years?|weeks?) ago\b|\bjust qualified\b|\bnewly qualified\b",
            2.5,
        ),
        (r"\bhow long (before|until|do i have to wait|must i)\b|\bhow soon\b|\bwhen can i\b", 2.5),
        (r"\b(years?|months?) (of )?(service|experience|post qualifying|post qualification|pqe)\b", 1.5),
        (r"\bhow many years\b", 1.5),
    ),
    Topic.apply: _cues(
        (r"\b(apply|applying|application|applications)\b", 2.5),
        (r"\bhow (do|does|can) (i|you|one|someone|it) (progress|go about|get promoted|start)\b", 2.5),
        (r"\b(process|procedure|steps?)\b", 2),
        (r"\bhow (does|do|will) (progression|progressing|it|promotion|the scheme|the framework) work\b", 3),
        (r"\bput (myself|me) forward\b|\bstart (the|my|an) (process|application)\b", 2),
        (r"\bhow (do|can|would|should|does) (i|you|we|one|someone) (apply|go about applying)\b", 2),
    ),
    Topic.evidence: _cues(
        (r"\bevidence\b", 3),
        (r"\bexamples?\b", 3),
        (r"\bhow many (examples|pieces of evidence|bits of evidence)\b", 2),
        (r"\bportfolio\b", 2.5),
        (r"\bprove|proof|demonstrate|show that\b", 1),
    ),
    Topic.signoff: _cues(
        (r"\bsigns? (it )?off\b|\bsign-off\b|\bsigned off\b", 4),
        (r"\b(authoris|authoriz|approv|endorse|agree[sd]? (it|my|the))", 2.5),
        (r"\bwho (decides|makes the decision|agrees|says yes|has the final say|assesses)\b", 3.5),
        # ("who has to authorise it", "who can approve my progression": who signs off, asked by its verb)
        (r"\bwho (\w+ ){0,3}(authoris|authoriz|approv|endors)", 4),
        (r"\b(second|final) (authoriser|signature|approval)\b", 2),
        (
            r"\bwhat (does|do|will|should|must) (my|the) (line |team )?manager (need to |have to )?(do|say|check|write)",
            4,
        ),
        (
            r"\bwho (else )?(can|could|will|would|should|must|may|is allowed to) (authoris|authoriz|approv|sign|agree|decide)",
            4,
        ),
    ),
    Topic.forms: _cues(
        (r"\bforms?\b|\bpaperwork\b|\bpay002\b|\bpayform\b|\bpayroll\b", 4),
        (r"\bwhere (do|does) (i|it|the form|my application) (send|go)|\bsend (it|the form|my)\b", 2.5),
    ),
    Topic.backdating: _cues(
        (r"\bback ?dat", 5),
        (r"\b(effective|take effect|start|starts|kick in|come in)\b.*\b(pay|rise|award|increase|date)\b", 2),
        (r"\b(pay|rise|award|increase)\b.*\b(effective|take effect|start|kick in|from when)\b", 2),
        # ("what date was the report?" is no award's date, nor is the date a framework took effect from)
        (rf"\bfrom when\b{NOT_THE_SCHEME}|\bfrom (what|which) date\b{NOT_THE_SCHEME}", 3),
        (
            rf"\bfrom (what|which) date\b{NOT_THE_SCHEME}"
            r"|\b(what|which) date (will|would|do|does|is) (i|my|the (pay|rise|award|increase))",
            1.5,
        ),
        (r"\b(go|goes|going) up from\b|\bwhen (will|does|do) (my|the) (pay|salary|rise|increase|award)\b", 2),
    ),
    Topic.not_approved: _cues(
        (r"\bnot (approved|agreed|endorsed|progressed|successful|accepted|supported|ready)\b", 4),
        (r"\b(turned down|refused|rejected|unsuccessful|declined|fail|failed|fails|says? no|not yet)\b", 3.5),
        (r"\bwhat (happens|if)\b.*\b(no|not|don't|do not|fail)\b", 1.5),
        (r"\bdon't get it|do not get it|doesn't go through|does not go through\b", 3),
        (r"\b(do not|does not|did not|fail to|failed to|cannot) (meet|reach|pass|make)\b", 4),
        (r"\b(have|has|had) not (yet )?(met|reached|passed|made)\b", 2.5),  # "I haven't met the criteria"
    ),
    Topic.review: _cues(
        (r"\bappeal", 5),
        (r"\breview\b", 3),
        (r"\b(ask|request|apply) for (a |an )?(review|appeal)\b|\breview (hearing|request)\b", 2),
        (r"\b(challeng|disagree|dispute|contest|unfair|complain)", 4),
        (r"\bunhappy with\b|\bnot happy with\b", 3),
        (r"\bfinal\b", 1),
    ),
    Topic.competencies: _cues(
        (
            r"\b(?<!on )(?<!by )(?<!via )competen(?!cy (progression|framework|based|band|scheme|threshold))",
            4,
        ),  # not "progress on competency", nor the scheme
        (r"\b(core )?skills\b|\bdescriptors?\b|\bbehaviours?\b|\bcapabilit", 2),
        (r"\blist\b", 0.5),
    ),
    Topic.pathways: _cues(
        (r"\bpathways?\b|\broutes?\b", 3.5),
        (r"\bspecialis", 2),
        (r"\bmodules?\b", 2.5),
        (
            r"\b(approved mental health|best interest assessor|practice educator|msc|masters|diploma|certificate)\b",
            2,
        ),
        (r"\bhow (do|can) i become an? (approved|best|practice|amhp|bia)", 3),
        # A way for unqualified staff to qualify ("is there any way to qualify while working here?")
        (
            r"\b(way|ways|route|help|helps|support|chance) (for me |for us )?to (qualify|get qualified|become qualified)\b"
            r"|\b(help|support) (me|us|staff) (to )?(qualify|get qualified|become qualified)\b",
            3.5,
        ),
    ),
    Topic.training: _cues(
        (r"\btraining\b|\bcourses?\b", 3.5),
        (r"\b(mandatory|compulsory|essential) (training|courses?|learning)\b", 3),
        (r"\b(post qualification|qualification|qualifications|study|studying|degree|university)\b", 1.5),
    ),
    Topic.cpd: _cues(
        (r"\bcontinuing professional development\b|\bcpd\b", 4),
        (r"\bobservations?\b|\bobserved\b", 4),
        (r"\bpeer learning\b|\breflective (log|logs|practice)\b|\blog\b", 3),
        (r"\b(development plan|appraisal|my performance|learning log)\b", 2.5),
        (r"\bfeedback from\b", 2),
    ),
    Topic.panel: _cues(
        (r"\bpanels?\b", 5),
        (r"\b(sits?|meets?|meeting)\b", 0.5),
    ),
    Topic.supplements: _cues(
        (r"\bsupplements?\b|\bhonorari(um|a)\b|\ballowances?\b|\bbonus(es)?\b|\btop[ -]?up\b", 5),
        (r"\bmarket (force|rate|related)?\b|\bextra (pay|money|payment)\b|\bretention payment\b", 3),
        (r"\bone[ -]off payment\b|\binstalments?\b", 2),
        (
            r"\b(anything|something|paid|get) extra\b|\bextra (for|because|as)\b|\b(get|paid|earn|receive) on top\b",
            3.5,
        ),
        (r"\b(paid|pay|earn|get) (more|extra) for (being|doing|having|taking)\b", 4),
    ),
    Topic.clawback: _cues(
        (r"\bclaw ?back\b|\bpay (it |them |the money |anything )?back\b|\brepay|\brefund", 5),
        (r"\bcourse fees?\b|\bfees?\b", 3),
        (r"\bif i leave\b|\bleave the (council|authority)\b|\bleaving\b", 1.5),
        (
            r"\b(pay|owe) (anything|something|any of it)\b",
            2.5,
        ),  # ("... leave after 18 months, do I pay anything?")
    ),
    Topic.secondary_employment: _cues(
        (
            r"\bsecond(ary)? (job|employment)\b|\banother job\b|\bextra job\b|\badditional (employment|job|work)\b",
            5,
        ),
        (
            r"\b(work|working|shifts?) (for|with|at) (another|other|a different) (agency|employer|council|authority"
            r"|organisation|company)\b|\b(evening|weekend|night) (work|job|shifts?)\b",
            4,
        ),
        (
            r"\bside job\b|\bsecond employer\b|\bbank (work|job|shifts?)\b|\blocum\b|\bagency (shifts?|work)\b",
            4,
        ),
        (r"\b(maximum|max|most) (weekly )?(working )?hours\b|\bhours (a|per) week\b|\bworking time\b", 3),
    ),
    Topic.probation: _cues(
        (r"\bprobation", 5),
    ),
    Topic.caseload: _cues(
        (r"\bcase ?loads?\b", 5),
        (r"\bhow many (cases|children|families)\b|\bnumber of cases\b", 4),
    ),
    Topic.vacancy: _cues(
        (r"\bvacanc", 4),
        (r"\bhow many\b.*\b(posts|roles|jobs)\b|\bposts? (available|funded)\b|\bnumber of posts\b", 4),
        # Places are posts, unless they are on a course ("how many places on the degree?": its intake).
        (
            r"\bhow many\b.*\bplaces\b(?!.*\b(courses?|degree|programmes?|training|modules?|pathways?|qualification)\b)",
            4,
        ),
        (r"\brecruitment process\b|\binterview\b", 2),
    ),
    Topic.asye: _cues(
        (r"\bassessed and supported year\b|\basye\b|\bfirst year\b", 4),
    ),
    Topic.induction: _cues(
        (r"\binduction\b", 4),
    ),
    Topic.supervision: _cues((r"\bsupervision\b|\bsupervise", 3), (r"\bmentor|\bcoach|\bbuddy\b", 2)),
    Topic.overview: _cues(
        (r"\b(framework|scheme|structure|career (grade|path|ladder))\b", 2),
        (r"\bwhat (levels|grades|bands)\b|\bhow many (levels|grades)\b|\blevels are there\b", 4),
        (r"\bwhat (grade|level) is\b|\bwhich (grade|level)\b", 3),
        (r"\bwhen did\b.*\b(start|begin|come in|take effect)\b|\bhow old is\b|\bpolicy date\b", 3),
        (
            r"\bwhen (was|were) (this|it|the \w+)\b.*\b(agreed|approved|introduced|adopted|written|published|decided)",
            3,
        ),
        (r"\bwhat is (the |an? )?(level|grade|advanced|senior)\b", 1.5),
        (r"\bwho (is|does) (the|this) (policy|framework|scheme) (cover|for|apply)\b|\bwho is it for\b", 3),
    ),
}

# Requests that sit outside career progression even when they use its words ("sick pay").
OFF_TOPIC = re.compile(
    r"\b(annual leave|holiday(s)? (entitlement|request|booking)|book (a )?(holiday|leave|time off)"
    r"|sick(ness)? (pay|leave|absence|policy|note|days?)|off sick|calling in sick|maternity|paternity|adoption leave|parental leave|pension|mileage|expenses"
    r"|parking|canteen|menu|lunch|weather|joke|football|recipe|lottery|password|laptop|printer|wifi|it support"
    r"|timesheet|payslip|p60|tax code|car lease|bereavement|jury service|dress code|flexi ?time balance"
    r"|write (me )?a (poem|song|story)|capital of|who won"
    r"|book (me )?(a |an |the )?(\w+ )?(room|desk|taxi|train|car|parking space)|meeting room"
    r"|(help me|can you|could you|please) (write|draft|proofread|redraft) (my|a|the|me|this)"
    r")\b"  # instructions to the bot ("ignore your rules", "pretend you are"): knowledge.instructions
)

# Words that mark a question as being about progression even when no topic is clear.
DOMAIN = re.compile(
    r"\b(level|grade|bg\d+|h\d|m1|progress|progression|promot|career|competen|increment|practitioner|senior|advanced"
    r"|framework|spinal|point|salary|pay|panel|pathway|portfolio|evidence|manager|asye|newly qualified"
    r"|supplement|honorari|training|qualification|policy|social worker)"
)

# Posts a worker may ask to reach or be paid as, whichever council they work for. One that names
# none of the pack's own levels is a post that policy does not describe.
ROLE_TITLE = re.compile(
    r"\b(senior practitioners?|advanced practitioners?|advanced social workers?|consultant social workers?"
    r"|practice supervisors?|team managers?|service managers?|principal social workers?|principal officers?"
    r"|assistant team managers?|deputy team managers?|head of service|practice leads?|senior social workers?)\b"
)

# Specialist roles and awards social workers train for, whichever council they work for. One the pack's
# document never mentions is a route that policy does not offer.
SPECIALISM = re.compile(
    r"\b(amhp|approved mental health (practitioner|professional)|bia|best interests? assessor|practice educator"
    r"|peps|consolidation award|practice teaching|signs of safety)s?\b"
)

# What a topic is called when the bot says a policy does not cover it.
TOPIC_PHRASES: dict[Topic, str] = {
    Topic.overview: "that",
    Topic.pay: "salaries",
    Topic.requirements: "the requirements for that",
    Topic.eligibility: "who is eligible or when you can apply",
    Topic.apply: "how to apply",
    Topic.evidence: "what evidence is needed",
    Topic.signoff: "who signs progression off",
    Topic.forms: "which forms to use",
    Topic.backdating: "when an award takes effect or whether it is backdated",
    Topic.not_approved: "what happens if progression is not approved",
    Topic.review: "a review or appeal process",
    Topic.competencies: "a competency framework",
    Topic.pathways: "progression pathways",
    Topic.training: "training requirements",
    Topic.cpd: "CPD requirements",
    Topic.panel: "a progression panel",
    Topic.supplements: "supplements, honoraria or allowances",
    Topic.clawback: "repaying course fees or payments",
    Topic.secondary_employment: "secondary employment",
    Topic.probation: "probation",
    Topic.caseload: "caseloads",
    Topic.vacancy: "vacancies or numbers of posts",
    Topic.asye: "the ASYE",
    Topic.induction: "induction",
    Topic.supervision: "supervision",
}


# Each topic's cues as one pattern: most topics have no cue in a question, and one search says so (half the
# time of trying each cue; every question is scored twice).
_ANY_CUE = {
    topic: re.compile("|".join(f"(?:{c.pattern.pattern})" for c in cues)) for topic, cues in CUES.items()
}


def score_topics(text: str) -> dict[Topic, float]:
    """Each topic's weight of evidence in the (normalised) question; topics with none are left out."""
    scores: dict[Topic, float] = {}
    for topic, cues in CUES.items():
        if not _ANY_CUE[topic].search(text):
            continue
        total = sum(cue.weight for cue in cues if cue.pattern.search(text))
        if total:
            scores[topic] = total
    return scores
