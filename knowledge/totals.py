"""Asked what they get in total, an asker on a level with a supplement is given the two figures added up.

"I'm on H9 max ... what do I get in total with the supplement?" answered by the supplement alone leaves the
sum to the asker. Both figures are the policy's (the level's pay and the supplement's amount); the answer
leads with them and their sum, then says the rest as before. Nothing else is added: a level without a stated
salary, or an answer that gives no single supplement, is left as it is.
"""

from __future__ import annotations

import re

from knowledge.index import PackIndex, pay_text, supplement_headline
from knowledge.models import Level, Source, Supplement, Topic
from knowledge.proposals import CLEARLY_ASKED
from knowledge.replies import Answer, compose, money
from knowledge.understand import Question

_TOTAL = re.compile(r"\b(in total|total|altogether|all together|in all|combined|overall|all in)\b")
_TOP = re.compile(r"\b(max|maximum|top)\b")
_BOTTOM = re.compile(r"\b(min|minimum|bottom|start(ing)?)\b")


def with_the_total(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """The answer led by the asker's level's pay plus the one supplement it gives, where a total is asked."""
    if not answer.answered or not _TOTAL.search(question.text) or len(question.levels) != 1:
        return answer
    level = index.pack.level(question.levels[0].id)
    given = [s for s in index.pack.supplements if supplement_headline(s) in answer.text]
    if level.pay is None or len(given) != 1:
        return answer
    line = _sum_line(level, given[0], question)
    if line is None:
        return answer
    assert level.pay is not None
    sources = [level.pay.source, given[0].source]
    sources += [Source(document=c.document, section=c.section) for c in answer.sources]
    body = [ln for ln in answer.text.split("\n") if ln and not ln.startswith("Source:")]
    said = compose(index.pack, [line, *body], sources, None, confidence=answer.confidence)
    return said.model_copy(update={"topic": answer.topic})


def _sum_line(level: Level, supplement: Supplement, question: Question) -> str | None:
    """The level's figure the asker is on (its maximum, minimum or their spinal point), plus the supplement."""
    assert level.pay is not None
    pay = level.pay
    points = {p.point: p.salary for p in pay.points}
    if question.points and question.points[0] in points:
        where, figure = f"spinal point {question.points[0]}", points[question.points[0]]
    elif _TOP.search(question.text):
        where, figure = f"the {level.grade or level.name} maximum", pay.high
    elif _BOTTOM.search(question.text):
        where, figure = f"the {level.grade or level.name} minimum", pay.low
    else:
        low, high = pay.low + supplement.amount, pay.high + supplement.amount
        return (
            f"{level.name} pays {money(pay.low)} to {money(pay.high)}; with the {money(supplement.amount)} "
            f"{supplement.name} that is {money(low)} to {money(high)} a year."
        )
    total = figure + supplement.amount
    return (
        f"In total: {where}, {money(figure)}, plus the {money(supplement.amount)} {supplement.name} makes "
        f"{money(total)} a year."
    )


def with_the_levels_pay(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """A question clearly about the pay of the levels it names, answered by another fact about their pay (what
    a costing per post includes, say), is also given those levels' pay: what the asker would be paid is the
    point of "is that my pay rise?"."""
    if not answer.answered or question.topics.get(Topic.pay, 0.0) < CLEARLY_ASKED:
        return answer
    named = [index.pack.level(i) for i in dict.fromkeys(ref.id for ref in question.levels)]
    priced = [lv for lv in named if lv.pay]
    if not priced or any(pay_text(lv) in answer.text for lv in priced):
        return answer
    if any(money(lv.pay.low) in answer.text for lv in priced if lv.pay):
        return answer  # (it already gives their figures, in its own words)
    body = [ln for ln in answer.text.split("\n") if ln and not ln.startswith("Source:")]
    sources = [Source(document=c.document, section=c.section) for c in answer.sources]
    sources += [lv.pay.source for lv in priced if lv.pay]
    said = compose(index.pack, [*body, *(pay_text(lv) for lv in priced)], sources, None, answer.confidence)
    return said.model_copy(update={"topic": answer.topic})
