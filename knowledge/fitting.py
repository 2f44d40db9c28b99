"""Whether an answer gives the kind of answer that was asked for, and the honest reply when it does not.

An answer fits when it gives the kind of answer asked for (a figure to "how much", a person to "who", a
time to "when"...), in its words or by the facts it quotes declaring it. One that does not says precisely
what the policy does not say, in the asker's own words, with the nearest facts that help, and
`answered: false`: it is a candidate's verdict (knowledge.judging), and the scoring's next candidate, the
facts that give the ask about the question's distinctive subject among them (`facts_giving_the_ask`), may
still be preferred to it (knowledge.answer).
"""

from __future__ import annotations

import re

from knowledge.asks import (
    CALENDAR,
    CALENDAR_ASKED,
    PROCESS_LENGTH,
    SERVICE_TIME,
    STRICT,
    Ask,
    answers,
    answers_of,
)
from knowledge.index import PackIndex, Passage
from knowledge.models import Source, Topic
from knowledge.replies import CHAT_LIMIT, Answer, compose, fitting
from knowledge.retrieval import NEUTRAL
from knowledge.text import GENERAL, normalise, tokens
from knowledge.topics import CUES
from knowledge.understand import Question
from knowledge.wording import YES_NO, main_clause, what_was_asked

DISTINCTIVE_SHARE = 0.12  # a word in at most this share of a pack's facts singles out what is asked
_ASK_WORDS = {"long", "often", "soon", "automat", "back", "owe", "repay", "refund", "date", "month", "time"}
MAX_NAMED = 4  # facts for that many named levels or pathways, one each
_NEAREST = 2  # facts shown beside an honest "doesn't say"


def fitted(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """The answer if it gives the kind of answer asked for; else the honest "doesn't say" (or the question
    asked back, where it has two readings with different answers)."""
    given = _given(index, question, answer)
    readings = _readings(index, question, given)
    if readings:
        return _ask_back(index, question, readings)
    if given.answered and Ask.automatic in question.asks and "automatic" not in given.text.lower():
        # The facts give what it depends on (evidence, a vacancy, a panel): that is a "no" to "automatically?",
        # and the rule on how anyone progresses, where the answer's facts are a level's own, says on what.
        body = _body(given.text)
        rule = _the_rule_it_depends_on(index, question)
        if rule is not None and rule.text[:60] not in body:
            cited = [rule.source, *(Source(document=c.document, section=c.section) for c in given.sources)]
            return compose(
                index.pack,
                ["Not automatically, going by the policy:", rule.text, *body.split("\n")],
                cited,
                None,
                confidence=given.confidence,
            ).model_copy(update={"topic": given.topic})
        return given.model_copy(update={"text": f"Not automatically, going by the policy:\n{given.text}"})
    return given


def _given(index: PackIndex, question: Question, answer: Answer) -> Answer:
    if not answer.answered:
        return answer
    body = _body(answer.text)
    strict = [ask for ask in question.asks if ask in STRICT]
    of_process = bool(PROCESS_LENGTH.search(question.text))
    if not strict or set(strict) & _gives_asked(index, question, body, of_process=of_process):
        return answer
    subject = _content_words(question)
    giving = _best_fitting(index, question, strict, set(), anywhere=True)[:1]
    if (
        giving
        and set(strict) & _gives_asked(index, question, giving[0].text, of_process=of_process)
        and (_speaks_as_well(index, question, giving[0], body) or _how_anyone_progresses(question, giving[0]))
    ):
        # The fact that gives the kind of answer asked for is about what the answer was about, as much as
        # the question's words tell: it answers ("how often ... evidence": "evidence of learning every 12
        # weeks"), and the answer's facts follow it.
        lines = [giving[0].text, *(ln for ln in body.split("\n") if not ln.endswith(":"))]
        cited = [giving[0].source, *(Source(document=c.document, section=c.section) for c in answer.sources)]
        return compose(index.pack, lines, cited, None, confidence=0.6)
    nearest = [p.text for p in giving]
    nearest += [
        ln for ln in body.split("\n") if subject & set(tokens(normalise(ln))) and not ln.endswith(":")
    ]
    return doesnt_say(index, question, list(dict.fromkeys(nearest))[:_NEAREST])


# Asked whether moving up happens by itself ("do I automatically go up a grade once I finish PEPS?").
_MOVING_UP = re.compile(
    r"\b(go|move|moved|step|get|jump) up\b|\bpromot|\bprogress|\bnext (level|grade|band)\b"
)


# What a rule says progression depends on, in so many words ("depends on a vacancy", "not structured by years").
_DEPENDS = re.compile(r"\b(based on|depends? on|depending on|not structured by|rather than time)\b", re.I)


def _the_rule_it_depends_on(index: PackIndex, question: Question) -> Passage | None:
    """Of the rules on how anyone progresses that say what it depends on, the one nearest the question's words."""
    rules = [
        i
        for i, p in enumerate(index.passages)
        if _how_anyone_progresses(question, p)
        and _DEPENDS.search(p.text)
        and len(p.text) <= RULE_CHARS
        and p.topics & _PROGRESSION_TOPICS  # (not "supervision time ... depending on experience")
    ]
    if not rules:
        return None
    scores = index.scores(question.terms)
    return index.passages[max(rules, key=lambda i: (scores[i], -i))]


_PROGRESSION_TOPICS = frozenset(
    {Topic.requirements, Topic.vacancy, Topic.overview, Topic.eligibility, Topic.apply}
)
RULE_CHARS = 400  # a rule said before a level's own facts: short enough to leave room for them


def _how_anyone_progresses(question: Question, passage: Passage) -> bool:
    """Whether moving up is automatic is answered by the rule on how anyone progresses, whatever route or
    level the asker names: a fact said of no level or route in particular that says what progression
    depends on."""
    return (
        Ask.automatic in question.asks
        and _MOVING_UP.search(question.text) is not None
        and not passage.tags
        and Ask.automatic in answers(passage.text)
    )


RELEVANT_SHARE = 0.6  # a fact this close to the best match for the question's words is about what it asks


def _speaks_as_well(index: PackIndex, question: Question, passage: Passage, body: str) -> bool:
    """The fact names every distinctive word of the question the answer names, and matches the question's
    words nearly as well as the pack's best match: it is about the same subject, and gives the ask."""
    distinctive = distinctive_words(index, question)
    said = set(tokens(normalise(body)))
    i = index.passages.index(passage)
    if not distinctive & said <= index.words[i]:
        return (
            False  # the answer names what singles out the subject ("reduced ... NQSW") and the fact does not
        )
    if not _content_words(question) & index.words[i]:
        return False  # it shares only the words that say what kind of question it is
    named = {m.id for m in question.mentions if m.kind != "framework"}
    if named and not _said_of(passage, named):
        return False  # not said of the level, pathway or supplement asked about
    scores = index.scores(question.terms)
    return scores[i] > 0 and scores[i] >= RELEVANT_SHARE * max(scores)


def facts_giving_the_ask(index: PackIndex, question: Question) -> Answer | None:
    """The facts that give the kind of answer asked for (a figure, a person, a time) about the question's
    distinctive subject, where it asks for one."""
    strict = [ask for ask in question.asks if ask in STRICT]
    subject = distinctive_words(index, question)
    if not strict or not (subject or any(m.kind != "framework" for m in question.mentions)):
        return None  # nothing singles out what it is about: any fact giving a figure would do
    found = _best_fitting(index, question, strict, subject)
    if not found:
        return None
    return compose(index.pack, [p.text for p in found], [p.source for p in found], None, confidence=0.6)


def _readings(index: PackIndex, question: Question, answer: Answer) -> list[str]:
    """A personal question ("what must I do?") whose answer differs by framework, where neither the question
    nor the asker's record says which is theirs: each framework is a reading, and the asker chooses. (Asked in
    general, "mandatory training" gets both lists.)"""
    frameworks = {f.id: f.name for f in index.pack.frameworks}
    if not answer.answered or not question.personal or len(frameworks) < 2 or question.ids("framework"):
        return []
    if YES_NO.match(question.text):
        return []  # "can I progress without it?": the same yes or no whichever list is theirs
    body = _body(answer.text)
    quoted = [p for p in index.passages if p.text[:60] in body]
    by_framework: dict[str, set[str]] = {}
    for passage in quoted:
        for framework in passage.tags & set(frameworks):
            by_framework.setdefault(framework, set()).add(passage.kind)
    if len(by_framework) < 2 or not set.intersection(*by_framework.values()):
        return []  # different kinds of rule for each: both belong in the answer
    asked = _content_words(question)
    singled = {
        f for f in by_framework for p in quoted if f in p.tags and asked & set(tokens(normalise(p.text)))
    }
    if len(singled) == 1:
        return []  # the question's own words are in one framework's rule ("court skills")
    return [frameworks[f] for f in frameworks if f in by_framework]


def _ask_back(index: PackIndex, question: Question, readings: list[str]) -> Answer:
    org = index.pack.organisation.short_name
    text = (
        f"{org}'s policy gives a different answer for {' and for '.join(readings)}. Which do you mean? "
        f"Ask again naming one, e.g. “{main_clause(question.raw)} in {readings[0]}”."
    )
    return Answer(answered=False, text=text, clarify=[f"{main_clause(question.raw)} ({r})" for r in readings])


def _content_words(question: Question) -> set[str]:
    """The question's words besides those that say what kind of question it is."""
    text = question.text
    for cues in CUES.values():
        for cue in cues:
            text = cue.pattern.sub(" ", text)
    return set(tokens(text)) - NEUTRAL - _ASK_WORDS - GENERAL


def distinctive_words(index: PackIndex, question: Question) -> set[str]:
    """The question's words that only a few of the pack's facts use: what singles out its subject."""
    if not index.passages:
        return set()
    org = set(tokens(normalise(f"{index.pack.organisation.short_name} {index.pack.organisation.name}")))
    asked = _content_words(question) - org
    limit = max(1, int(DISTINCTIVE_SHARE * len(index.passages)))
    uses = index.uses
    return {word for word in asked if 0 < uses.get(word, 0) <= limit and not word.isdigit()}


def _gives_asked(index: PackIndex, question: Question, body: str, *, of_process: bool) -> set[Ask]:
    """As _gives; asked for a month or a date by name ("which month is it paid in?"), a time only when the text
    names one (a month, a year, a date): "yearly increments" say how often, not in which month."""
    gives = _gives(index, body, of_process=of_process)
    if CALENDAR_ASKED.search(question.text) and not CALENDAR.search(body.lower()):
        gives.discard(Ask.when)
    return gives


def _gives(index: PackIndex, body: str, *, of_process: bool = False) -> set[Ask]:
    """The asks the answer's text gives: by its words, and as declared by the facts it quotes. Asked how long
    a process takes, the service or experience a rule requires is no length of it."""
    quoted = [i for i, passage in enumerate(index.passages) if passage.text[:60] in body]
    return asks_given(index, body, quoted, of_process=of_process)


def asks_given(index: PackIndex, body: str, quoted: list[int], *, of_process: bool) -> set[Ask]:
    """The asks a text gives by its words and by the facts it quotes declaring them; asked the length of a
    process or of a payment, without the service or experience a rule requires ("more than 4 years service")."""
    found = set(answers_of(body, of_process=of_process))
    for i in quoted:
        gives = index.gives[i]
        found |= (
            gives - {Ask.duration}
            if of_process and SERVICE_TIME.search(index.passages[i].text.lower())
            else gives
        )
    return found


def _best_fitting(
    index: PackIndex, question: Question, strict: list[Ask], subject: set[str], *, anywhere: bool = False
) -> list[Passage]:
    """The facts that give the asked kind of answer about the asked subject, best first (at most two), or the
    best for each level, pathway or supplement named ("from the top of level 1 to the bottom of level 2")."""
    scores = index.scores(question.terms)
    named = {m.id for m in question.mentions if m.kind != "framework"}
    scored = []
    for i, passage in enumerate(index.passages):
        if strict and not set(strict) & index.gives[i]:
            continue
        if named and not (_said_of(passage, named) or (anywhere and not passage.tags)):
            continue  # not said of the level, pathway or supplement asked about
        shared = subject & index.words[i]
        if subject and not shared:
            continue
        scored.append((scores[i] + 3.0 * len(shared), i))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    if not scored or scored[0][0] <= 0:
        return []
    if len(named) > 1:
        each = [next((i for _, i in scored if index.passages[i].tags & {one}), None) for one in sorted(named)]
        return [index.passages[i] for i in dict.fromkeys(i for i in each if i is not None)][:MAX_NAMED]
    top = scored[0][0]
    return [index.passages[i] for score, i in scored[:2] if score >= 0.75 * top]


# Rules of the process that hold whatever the level (when an award counts, who signs, how to appeal).
_ANY_LEVEL = {"rule", "fact", "evidence"}
_LEVEL_TOPICS = {Topic.requirements, Topic.eligibility, Topic.apply, Topic.overview, Topic.pay}


def _said_of(passage: Passage, named: set[str]) -> bool:
    """The passage is about one of the named levels (or pathways...), or is a process rule for any level."""
    if passage.tags & named:
        return True
    return not passage.tags and passage.kind in _ANY_LEVEL and not passage.topics & _LEVEL_TOPICS


_HELPS = "What it does say that might help:"


def doesnt_say(index: PackIndex, question: Question, nearest: list[str]) -> Answer:
    """The policy covers the subject but nothing in it answers this: say exactly that, then what helps."""
    org = index.pack.organisation
    head = f"{org.short_name}'s policy doesn't say {what_was_asked(question.raw)}."
    tail = f"Please ask {org.ask}."
    room = CHAT_LIMIT - len(head) - len(_HELPS) - len(tail) - 3  # a decline has no source line
    helping = fitting([line for line in nearest if line and not line.startswith("Source:")], room)
    lines = [head, *([_HELPS, *helping] if helping else []), tail]
    return Answer(answered=False, text="\n".join(lines), topic=None)


def _body(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith("Source:"))
