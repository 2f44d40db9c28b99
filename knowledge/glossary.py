"""One glossary of UK social-work terms, shared by every pack: each concept with the words people and
documents use for it. A question in one council's words finds a fact in another's ("ASYE" finds "newly
qualified"); the answer quotes the fact, so it keeps the document's own term. A new council needs no new
synonyms in code: its document's words for a concept are already here, or are added here once for all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache
from types import MappingProxyType

from knowledge.text import NUMBER_WORDS, STOPWORDS, normalise, stem, tokens, words

CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("newly qualified", "asye", "nqsw", "assessed and supported year in employment", "first year in practice",
     "just qualified", "recently qualified"),
    ("review", "appeal", "challenge the decision", "dispute the decision"),
    ("progression", "promotion", "promoted", "moving up", "step up", "career progression"),
    ("post qualifying", "pq", "post qualification", "post qualifying training", "pq training"),
    ("advanced practitioner", "advanced social worker", "consultant social worker"),
    ("senior practitioner", "senior social worker"),
    ("attendance", "sickness record", "absence record", "time off sick"),
    ("practice educator", "practice teacher", "practice teaching", "peps"),
    ("portfolio", "evidence file"),
    ("increment", "yearly increment", "annual increment", "annual salary progression", "pay progression"),
    ("secondary employment", "second job", "agency shifts", "locum work", "another job", "sessional work",
     "bank shifts", "additional employment"),
    ("repayment agreement", "clawback", "pay back", "refund"),
    ("market supplement", "market force supplement", "market related supplement", "recruitment and retention payment"),
    ("caseload", "number of cases", "case load"),
    ("probation", "probationary period", "probation period"),
    ("continuing professional development", "cpd", "professional development", "learning and development"),
    ("professional assistant", "unqualified worker", "support worker"),
    ("acceleration", "accelerated", "accelerated progression", "fast track", "fast tracked",
     "skip a level", "jump a level"),
    ("appraisal", "performance and development review", "performance development framework",
     "performance management plan", "pdr", "personal development review"),
    ("supervision", "one to one", "one to ones", "supervision session"),
    ("turnover", "staff turnover", "attrition", "attrition rate"),
    ("restructure", "restructuring", "redesign", "service redesign", "reorganisation", "reorganization"),
    ("referral and assessment", "duty and assessment", "front door", "duty team", "intake team"),
    ("accreditation", "national assessment and accreditation system", "naas", "accreditation exam"),
    ("post qualifying experience", "pqe", "post qualification experience", "years post qualifying",
     "years since qualifying", "years qualified"),
    ("registering body", "hcpc", "health and care professions council", "social work england", "swe",
     "professional registration", "registered with hcpc", "registered with social work england"),
    ("spinal point", "spinal column point", "scale point", "pay point", "spinal points", "spinal column points",
     "scale points", "pay points"),  # ("scp" is glossed as "spinal point" before it is looked up)
    ("implemented", "put into effect", "put in place", "brought in", "come into force", "comes into force",
     "go live", "goes live", "rolled out", "with effect from", "take effect", "took effect", "takes effect"),
    ("written evidence", "on paper", "paper based", "paper-based", "paper exercise", "all on paper"),
    ("cost neutral", "financial implications", "absorbed within the existing budget", "cost more", "costs more",
     "cost extra", "more expensive",
     "cost the council more", "cost more money"),
    ("trade union", "trade unions", "union", "unions", "unison", "union rep", "union reps", "union representative",
     "union representatives", "trade union representative", "trade union representatives", "staff side"),
)  # fmt: skip

# Terms and conditions of employment in UK councils that a career framework may or may not speak of: each
# with the names people and HR documents use for it. A question naming one that its organisation's document
# never names asks about something the policy does not cover ("study leave" in a framework with none).
EMPLOYMENT_TERMS: tuple[tuple[str, ...], ...] = (
    ("study leave", "study days", "study time", "exam leave", "time off to study"),
    ("annual leave", "holiday entitlement", "holidays", "leave entitlement"),
    ("sick pay", "sick leave", "sickness pay"),
    ("maternity leave", "maternity pay", "paternity leave", "parental leave", "adoption leave",
     "shared parental leave"),
    ("compassionate leave", "bereavement leave", "special leave", "unpaid leave", "carers leave"),
    ("sabbatical", "career break"),
    ("part time", "part-time", "reduced hours", "fewer hours", "days a week"),
    ("pro rata", "pro-rata", "pro rated", "pro-rated"),
    ("job share", "job sharing", "job-share"),
    ("flexible working", "flexi time", "flexi-time", "flexitime", "compressed hours", "term time only"),
    ("time off in lieu", "toil"),
    ("overtime", "overtime pay", "paid overtime"),
    ("working from home", "work from home", "home working", "homeworking", "remote working", "hybrid working"),
    ("lone working", "lone worker", "lone workers", "working alone", "personal safety"),
    ("on call", "out of hours", "standby payment", "standby allowance", "emergency duty"),
    ("pension", "pensions", "pensionable", "superannuation"),
    ("honorarium", "honoraria", "bonus", "bonuses", "one-off payment", "one off payment"),
    ("performance related pay", "performance bonus", "merit pay"),
    ("acting up", "act up", "acting up allowance", "acting up payment",
     "acting in a higher role", "higher duties", "higher duties allowance"),
    ("mileage", "car allowance", "essential car user", "lease car", "travel expenses", "car parking",
     "parking permit"),
    ("relocation", "relocation package", "relocation allowance", "removal expenses"),
    ("golden hello", "welcome payment", "joining bonus", "signing on bonus", "refer a friend"),
    ("pay protection", "protected pay", "salary protection", "protection of pay", "pay protected",
     "salary protected", "protected salary", "pay cut", "loss of pay", "reduction in salary", "reduction in pay",
     "red circled", "red circling", "mark time"),
    ("london weighting", "london allowance", "fringe allowance", "london fringe", "fringe weighting",
     "area allowance", "outer london weighting"),
    ("salary sacrifice", "childcare vouchers", "cycle to work"),
    ("notice period", "period of notice", "how much notice", "hand in my notice", "weeks notice",
     "months notice"),
    ("limit on numbers", "cap on numbers", "quota", "quotas", "cap on how many", "limit on how many", "maximum number of",
     "max number of"),
    ("redundancy", "redundancies", "redeployment", "made redundant", "redundant"),
    # (Not "locum": "locum work" on the side is secondary employment.)
    ("agency worker", "agency workers", "agency social worker", "agency social workers", "agency sw", "agency staff"),
    ("secondment", "secondments", "seconded"),
    ("fixed term", "fixed-term", "temporary contract", "permanent contract", "permanent post"),
    ("dbs check", "dbs", "criminal record check", "enhanced disclosure"),
    ("registration fee", "registration fees", "hcpc fee", "social work england fee"),
    ("grievance", "grievance procedure", "disciplinary", "disciplinary procedure", "whistleblowing",
     "employment tribunal"),
    ("occupational health", "employee assistance", "counselling service", "wellbeing support"),
)  # fmt: skip


_COUNTING = ("how many", "number of")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    compiled = []
    for concept in CONCEPTS + EMPLOYMENT_TERMS:
        phrases = tuple(normalise(p) for p in concept)
        for phrase in phrases:
            # (A name in the plural too: "lease cars" names a lease car.)
            # (A count of time is a length, not a number: "a limit on how many hours I work" is no quota.)
            of_time = (
                r"(?! (?:working )?(?:hours|days|weeks|months|years)\b)" if phrase.endswith(_COUNTING) else ""
            )
            compiled.append((re.compile(rf"\b{re.escape(phrase)}(?:s|es)?\b{of_time}"), phrases))
    return tuple(compiled)


@lru_cache(maxsize=8192)
def _matching(text: str) -> tuple[int, ...]:
    """The positions in _patterns() of the names the (normalised) text uses. Every reading of a question asks
    this, so it is found once a text; a name's own words must be in the text before its pattern is tried."""
    if not _any_name().search(text):
        return ()  # (most texts name none of the glossary's concepts: one search says so)
    return tuple(
        i
        for i, (literal, (pattern, _)) in enumerate(zip(_literals(), _patterns(), strict=True))
        if literal in text and pattern.search(text)
    )


@cache
def _literals() -> tuple[str, ...]:
    return tuple(normalise(p) for concept in CONCEPTS + EMPLOYMENT_TERMS for p in concept)


def _matched(text: str) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    patterns = _patterns()
    return [patterns[i] for i in _matching(text)]


def names_of(name: str) -> tuple[str, ...]:
    """Every name of the glossary's concept this name is one of, in lower case as a document writes it (not
    glossed), the name itself first; the name alone if it is none ("asye" gives "newly qualified", "nqsw"...)."""
    found = name.lower()
    for concept in CONCEPTS + EMPLOYMENT_TERMS:
        phrases = tuple(p.lower() for p in concept)
        if found in phrases:
            return (found, *(p for p in phrases if p != found))
    return (found,)


def other_names(name: str) -> tuple[re.Pattern[str], ...]:
    """Patterns (over normalised text) for every name of the concept this (normalised) name is one of, if it
    is one: "advanced practitioner" gives "advanced social worker" and "consultant social worker" too."""
    return _by_name().get(name) or _by_name().get(name.removesuffix("s"), ())


@cache
def _by_name() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The concepts of social work's own terms (not the terms of employment, which name no post or route)."""
    concepts = {tuple(normalise(p) for p in concept) for concept in CONCEPTS}
    patterns: dict[tuple[str, ...], list[re.Pattern[str]]] = {}
    for pattern, phrases in _patterns():
        if phrases in concepts:
            patterns.setdefault(phrases, []).append(pattern)
    return {phrase: tuple(found) for phrases, found in patterns.items() for phrase in phrases}


@cache
def _any_name() -> re.Pattern[str]:
    """Any name of any concept: whether a question names one at all."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _patterns()))


@cache
def _named() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """As _patterns, with the article the asker may put before a name ("a dbs check")."""
    compiled = []
    for pattern, phrases in _patterns():
        compiled.append((re.compile(rf"\b(?:(?:a|an|the|any) )?{pattern.pattern[2:]}"), phrases))
    return tuple(compiled)


@lru_cache(maxsize=4096)
def names_in(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Where the (normalised) text names a concept: the span of each name and all the concept's names."""
    return tuple(
        (m.start(), m.end(), phrases) for pattern, phrases in _matched(text) for m in pattern.finditer(text)
    )


def named_otherwise(name: str, corpus: str) -> bool:
    """Whether the (normalised) corpus uses another of the glossary's names for a concept the name is one of
    ("practice teaching" for a practice educator; the name as the asker wrote it, "peps", is glossed first)."""
    glossed = name if " " in name else normalise(name)
    names = {p for _, _, phrases in names_in(glossed) for p in phrases}
    return any(_uses(corpus, rf"\b{re.escape(p)}\b") for p in names - {name})


@lru_cache(maxsize=16384)
def _uses(corpus: str, pattern: str) -> bool:
    """Whether a pack's text uses a phrase: asked again for every question, so remembered."""
    return re.search(pattern, corpus) is not None


def related_terms(text: str, corpus: str) -> list[tuple[str, ...]]:
    """For each concept the (normalised) question names in words this pack's document does not use, the
    names the document does use,
    as one retrieval term of stemmed words (weighed once, like an abbreviation with its gloss)."""
    terms: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for pattern, phrases in _matched(text):
        if phrases in seen or _uses(corpus, pattern.pattern):
            continue  # the document uses the asker's own word: nothing to translate
        seen.add(phrases)
        others = [p for p in phrases if p not in text and _uses(corpus, rf"\b{re.escape(p)}\b")]
        stems = tuple(dict.fromkeys(stem(w) for p in others for w in words(p)))
        if stems:
            terms.append(stems)
    return terms


@lru_cache(maxsize=4096)
def concept_alternatives(text: str) -> Mapping[str, frozenset[str]]:
    """For each stemmed word of a glossary phrase the (normalised) text uses, the stems of every name of
    that concept: saying any of them says the word ("asye" is said by "newly qualified")."""
    found: dict[str, set[str]] = {}
    for pattern, phrases in _matched(text):
        # (Not the small words or numbers of a name, "one to one" for supervision: "one year" is no supervision.)
        named = {
            s
            for p in phrases
            for w in words(p)
            if w not in STOPWORDS and (s := stem(w)) not in NUMBER_WORDS and not s.isdigit()
        }
        for phrase in (p for p in phrases if pattern.pattern == rf"\b{re.escape(p)}(?:s|es)?\b"):
            for w in words(phrase):
                found.setdefault(stem(w), set()).update(named)
    return MappingProxyType({word: frozenset(stems) for word, stems in found.items()})


@cache
def _stem_sequence(text: str) -> str:
    """Normalised text as its stemmed words, space-separated and padded: a phrase is found in it whatever
    its inflection or the small words between ("works from home" has "work from home")."""
    return f" {' '.join(tokens(text))} "


def unnamed_concepts(text: str, corpus: str) -> list[str]:
    """The asker's words for each concept the (normalised) question names that the (normalised) corpus never
    names in any of its words: what the question is about that the document does not speak of."""
    named: dict[tuple[str, ...], str] = {}  # concept -> the longest of its names the question uses
    unnamed = _unnamed_in(corpus)
    for i in _matching(text):
        if i not in unnamed:
            continue
        pattern, phrases = _named()[i]
        match = pattern.search(text)
        if match is not None and len(match.group(0)) > len(named.get(phrases, "")):
            named[phrases] = match.group(0)  # "a probation period", not "a probation"
    return list(named.values())


@lru_cache(maxsize=256)
def _unnamed_in(corpus: str) -> frozenset[int]:
    """The names (positions in _patterns() and _named()) of the concepts the corpus never names in any of their
    words: the same for every question to one pack, so found once."""
    document = _stem_sequence(corpus)
    return frozenset(
        i
        for i, (_, phrases) in enumerate(_named())
        if not any(f" {' '.join(tokens(p))} " in document for p in phrases if tokens(p))
    )


def first_name(name: str) -> str:
    """The glossary's first name for the concept a name (the asker's words for it) is one of."""
    plain = re.sub(r"^(a|an|the|any) ", "", normalise(name))
    for pattern, phrases in _patterns():
        if pattern.fullmatch(plain):
            return phrases[0]
    return name


def terms_of_employment_named(text: str) -> list[tuple[str, ...]]:
    """Every name of each term or condition of employment (EMPLOYMENT_TERMS) the (normalised) text names, one
    tuple a concept."""
    employment = {tuple(normalise(p) for p in concept) for concept in EMPLOYMENT_TERMS}
    return [phrases for phrases in concepts_named(text) if phrases in employment]


def names_concept(phrases: tuple[str, ...], text: str) -> bool:
    """Whether the (normalised) text names the concept by any of its names, in any inflection."""
    sequence = f" {' '.join(tokens(text))} "
    return any(f" {' '.join(tokens(p))} " in sequence for p in phrases if tokens(p))


def concepts_named(text: str) -> list[tuple[str, ...]]:
    """Every name of each concept (of either list) the (normalised) text names, one tuple a concept."""
    return list(dict.fromkeys(phrases for _, phrases in _matched(text)))
