"""The last check every answer passes before it is given as answered: does it speak to what was asked?

A question's salient terms are its content words that single out a subject in this organisation's
document: not chat, asking or domain words (policy, social worker, level...), not the organisation's name,
used in few of the document's sentences, or never used by it and rare in general English (wordfreq: a term
of art such as "pensionable"). Everyday words the document never uses ("compulsory", "theory") prove
nothing: the asker may put in their words what the document says in its own. An answer speaks to a term
when the term (or the glossary's name for its concept, or an abbreviation's gloss) is in the chosen facts'
text or keywords, in the text of the sections they cite, or is a cue of the topic the answer is on.

- A salient term the document never uses, weighing at least as much as the terms the answer speaks to,
  means the policy does not talk about what was asked: "<Org>'s policy doesn't say <what was asked>",
  with at most one nearest fact, `answered: false`.
- A word the document does use is never a reason to decline: the answer stands.
- A decline (no pack fact fits), where the document uses nearly every word of the question, is given the
  document's own words: the shortest passage that covers every salient term and gives the kind of answer
  asked for, quoted verbatim and cited by its section (knowledge.document_passages).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

import numpy as np
from wordfreq import zipf_frequency

from knowledge.asks import QUESTION_CUES, SILENCE, STRICT, Ask, answers, says_nothing
from knowledge.document_passages import STEM_PREFIX, DocumentIndex, document_index, section_text
from knowledge.fitting import doesnt_say
from knowledge.glossary import (
    concept_alternatives,
    concepts_named,
    first_name,
    names_concept,
    terms_of_employment_named,
    unnamed_concepts,
)
from knowledge.index import PackIndex
from knowledge.models import Pack, Source, Topic
from knowledge.proposals import CLEARLY_ASKED, absent_topics
from knowledge.replies import Answer, compose, not_stated, out_of_scope
from knowledge.retrieval import NEUTRAL
from knowledge.text import ABBREVIATIONS, CHAT_WORDS, GENERAL, STOPWORDS, normalise, stem, tokens, words
from knowledge.topics import CUES
from knowledge.understand import Question
from knowledge.wording import main_clause

# Words a name of the asker's may end in that leave it hanging ("a cap on how many"): said by the concept's name.
_DANGLING = frozenset({"of", "many", "much", "on", "for", "to"})
# A word in more than this share of the document's sentences is what the whole document is about.
SALIENT_SHARE = 0.04
# A word the document never uses is a reason to decline only when it is this rare in English (Zipf scale:
# 3 = once in a million words): a term of
# art ("pensionable", "honorarium"). Commoner words ("compulsory", "theory") may be how the asker puts a
# question the document answers in its own words.
UNHEARD_ZIPF = 3.0
MAX_ABBREVIATION = 4
# Words of the domain every policy here is about, and of how people frame a request: never the subject.
_DOMAIN_TEXT = """
    policy policies social worker workers work practitioner practitioners level levels council councils
    framework frameworks scheme schemes career careers progression progress progressing document documents
    report procedure procedures rule rules guidance say says said mention mentions state states stated
    foi freedom information request requests confirm confirmation clarify clarification question questions
    wondering asking query explain please anything something whether currently current exactly
    """
DOMAIN = frozenset(stem(w) for w in _DOMAIN_TEXT.split())
MAX_QUOTE_SENTENCES = 2
# Over the pack's facts a passage must cover more terms (measured: at 2, it replaced right answers).
MIN_QUOTE_OVER_FACTS = 3
# Over the pack's facts, a passage must speak to what they miss and to this share of the weight of what the
# question asks that the facts or the salient terms cover.
OVER_FACTS_MASS = 0.5
DOCUMENT_SHARE = 0.75  # a decline is overturned only when the document uses this share of what is asked
MIN_QUOTE_CHARS = 40
MAX_QUOTE_CHARS = 700
_CANDIDATES = 40  # best-scoring sentences tried as the start of a quote
_ITEM_MARKS = ("- ", "◆", "•", "* ")  # a list item is a full statement without a full stop


@dataclass(frozen=True)
class Term:
    """One salient term of a question: the asker's word and every stem that counts as saying it."""

    word: str
    stems: frozenset[str]

    @cached_property
    def prefixes(self) -> frozenset[str]:
        return _prefixes(self.stems)

    def covered_by(self, stems: frozenset[str] | set[str]) -> bool:
        if not self.stems.isdisjoint(stems):
            return True
        # The stemmer leaves some forms apart ("qualifying" qualifi, "qualification" qualif): a shared
        # beginning of STEM_PREFIX letters is the same word.
        return bool(self.prefixes) and not self.prefixes.isdisjoint(_prefixes(frozenset(stems)))

    def in_document(self, document: DocumentIndex) -> bool:
        """Whether the document uses the term (as covered_by, over its whole vocabulary, by its index)."""
        if not self.stems.isdisjoint(document.vocabulary):
            return True
        return any(s[:STEM_PREFIX] in document.prefixes for s in self.stems if len(s) >= STEM_PREFIX)


def verified(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """The answer if it speaks to the question's salient terms; else the document's own words, or the
    honest "doesn't say"."""
    checked = _checked(index, question, answer)
    if checked.answered and (absent := _detail_absent(index, question, checked)) is not None:
        return absent
    if checked.answered and _measure_never_named(index, question) is not None:
        return doesnt_say(index, question, [ln for ln in _body(checked).split("\n") if ln][:1])
    return checked


# Asked for a figure by the name of its measure ("what's the pass mark", "the ratio"): the measures whose name
# the document must use for any figure of it to be the answer.
_MEASURES = re.compile(r"\b(pass mark|mark|score|ratio|threshold|cap|ceiling|quota)s?\b")


def _measure_never_named(index: PackIndex, question: Question) -> str | None:
    """The measure a figure is asked for by name, where the organisation's document never names it: no
    figure it gives is that one ("3 levels" is no pass mark)."""
    if not {Ask.amount, Ask.number, Ask.share} & set(question.asks):
        return None
    cued = " ".join(
        m.group(0) for a in (Ask.amount, Ask.number) for m in QUESTION_CUES[a].finditer(question.text)
    )
    found = _MEASURES.search(cued)
    if found is None:
        return None
    document = _document_stems(index.pack.organisation.document)
    return None if f" {' '.join(tokens(found.group(1)))} " in document else found.group(1)


@lru_cache(maxsize=64)
def _document_stems(document_id: str) -> str:
    """The document's stemmed words, space-separated and padded (a phrase is found in it as " a b "): read
    once a document, not for every question naming a measure."""
    return f" {' '.join(tokens(normalise(document_index(document_id).raw)))} "


def _checked(index: PackIndex, question: Question, answer: Answer) -> Answer:
    if question.off_topic or answer.clarify:
        return answer
    if answer.answered and (silence := _silent_on_the_ask(index, question, answer)) is not None:
        return silence
    document = document_index(index.pack.organisation.document)
    terms = salient_terms(index, question)
    # (A decline says the asker's words back, "doesn't say how many days study leave you get": no use of them.)
    unnamed = [
        c
        for c in unnamed_concepts(question.text, _corpus(index))
        if not answer.answered or c not in _body(answer).lower()
    ]
    if answer.answered:
        said = _answer_stems(index, answer)
        spoken = [t for t in terms if t.covered_by(said) and not any(t.word in c.split() for c in unnamed)]
        conditional = [
            c
            for c in unnamed
            if re.search(rf"\b(if|when|once|after) (\w+ ){{0,4}}{re.escape(c)}", question.text)
        ]
        if unnamed and (conditional or sum(len(tokens(c)) for c in unnamed) >= len(spoken)):
            # A concept the question names that the document never names, in any of its words: it weighs
            # as many terms as the words that name it ("lone working" is two). One the asker puts as the
            # condition ("if I'm made redundant") is what a rule for everyone else does not answer, however
            # many of the question's other words that rule shares.
            asked = _as_asked(question.raw, unnamed[0])
            if asked.split()[-1].lower() in _DANGLING:  # "a cap on how many": said by its name, "a quota"
                asked = f"a {first_name(unnamed[0])}"
            return _not_covered(index, answer, asked, terms)
        if (missed := _concept_missed(index, question, answer)) is not None:
            return _declined(index, question, answer, terms, missed)
        if (denied := _for_what_the_asker_is_not(index, question, answer)) is not None:
            return denied
    if not terms:
        return answer
    if not answer.answered:
        if answer.text == out_of_scope(index.pack).text:
            return answer  # not a question about career progression at all
        content = content_terms(index, question)
        used = sum(1 for t in content if t.in_document(document))
        if used < DOCUMENT_SHARE * len(content) or unnamed:
            # The document never uses much of what is asked ("by bus"), or never names what it is about
            # ("a probation period"): no passage of it is the answer.
            return answer
        # (The passage must name the levels the question names too: a rule of BG9's is no answer about BG11.)
        return _quoted(index, document, question, [*terms, *_levels_named(question, [])]) or answer
    said = _answer_stems(index, answer)
    cued = _cued(question, _topics_of(index, answer))
    # What asks about a topic the pack has nothing on (BCC has no appeal): the asker's word, where the
    # document never uses it itself, is not heard by way of another of the glossary's names for it that the
    # document uses in another sense ("reviews to be evidenced").
    absent_cues = _cued(question, set(absent_topics(index, question)))
    unconfirmed = [t for t in terms if t.covered_by(absent_cues) and stem(t.word) not in document.vocabulary]
    unheard_terms = [
        t for t in terms if t in unconfirmed or (not t.in_document(document) and not _in_pack(index, t))
    ]
    # A topic's cue speaks for the asker's word ("disagree" asks about a review) only where the document
    # has the thing: a term of art it never uses ("honorarium") is not answered by its topic's other facts.
    missing = [
        t
        for t in terms
        if not (t.covered_by(said) if t not in unconfirmed else stem(t.word) in said)
        and (t in unheard_terms or not t.covered_by(cued))
    ]
    if not missing:
        return answer
    unheard = [t for t in missing if t in unheard_terms]
    if unheard and len(unheard) >= len(terms) - len(missing):
        # What the policy never mentions weighs at least as much as what the answer does speak to.
        return _declined(index, question, answer, terms)
    # The words are the document's: never a reason to decline. A passage of the document that speaks to
    # what the answer misses and to everything it does speak to leads, and the answer's facts follow it.
    alone = _quoted(index, document, question, terms, min_terms=MIN_QUOTE_OVER_FACTS)
    if alone is not None:
        return alone  # it speaks to every one of three or more salient terms: the facts are beside it
    content = [t for t in content_terms(index, question) if t.in_document(document)]
    required = [t for t in content if t in terms or t.covered_by(said)]
    absent = [t for t in missing if t.in_document(document)]
    passage = _passage(index, document, question, required, min_terms=1, must=absent, mass=OVER_FACTS_MASS)
    if passage is None or len(passage.text) < MIN_QUOTE_CHARS:
        # (A list item of a few words, "- Signs of Safety", shares a word with the question, "sign", and
        # says nothing of it: beside facts it would only lead them astray.)
        return answer
    # Whichever speaks to more of the question goes first (the passage counting the headings it sits
    # under, the facts their own words); the facts are kept, since the passage may miss what they give.
    facts = _body(answer).split("\n")
    first = _spoken(document, required, _stems_of(facts[0]))
    lines = [passage.text, *facts] if _spoken(document, required, passage.stems) > first else [
        facts[0], passage.text, *facts[1:]]  # fmt: skip
    cited = [passage.source, *(Source(document=c.document, section=c.section) for c in answer.sources)]
    return compose(index.pack, lines, cited, None, confidence=0.5)


# Words commoner than this in English (Zipf) are grammar ("through", "before", "there"), never a subject.
GRAMMAR_ZIPF = 5.8
# Asks whose answer is a detail of one thing (a figure, a length of time): it must be said of that thing.
# (Any figure counts for any of them: "how much experience" is answered by "3 years"; any time for "when".)
DETAIL_ASKS = (Ask.amount, Ask.money, Ask.number, Ask.duration, Ask.when, Ask.share)
FIGURES = frozenset({Ask.amount, Ask.money, Ask.number, Ask.duration})
_TIMES = frozenset({Ask.when, Ask.backdated, Ask.duration})
_SEGMENT = re.compile(r"(?<=[.!?])\s+|;\s+")  # sentences, and the items of a list
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ITEMS = re.compile(r";\s+")


def _detail_absent(index: PackIndex, question: Question, answer: Answer) -> Answer | None:
    """Asked for a figure or a length of time about a subject, where the parts of the answer that name the
    subject give none (the figure in the answer is another thing's: "Management Foundation (3 days)" to "how
    many days is the Signs of Safety course") and no other fact or sentence of the document that names it
    gives one: the policy names the subject but not the detail, so say it doesn't say that. (So too where the
    answer names the very thing asked, "each service area", only beside a figure of the whole.)"""
    asked = [ask for ask in question.asks if ask in DETAIL_ASKS]
    if not asked:
        return None
    subject = subject_terms(index, question, asked)
    if not subject:
        return None
    body = [ln for ln in _body(answer).split("\n") if ln and not ln.endswith(":")]
    # The words that single out the very thing asked ("each service area", "the second instalment"), where
    # the answer names them, must be named by a line of it that gives the detail: named only by a line that
    # gives none, beside a figure of the whole ("50 advanced social worker posts"), the figure is not theirs.
    salient = salient_terms(index, question)
    spoken = _stems_of(" ".join(body))
    singling = [t for t in subject if t in salient and t.covered_by(spoken) and _a_thing(question, t)]
    giving = " ".join(ln for ln in body if any(gives_detail(seg, asked) for seg in _SEGMENT.split(ln) if seg))
    singled = all(t.covered_by(_stems_of(giving)) for t in singling)
    named, figured = 0, 0  # the most subject terms a part of the answer names; a part that gives a figure
    scene = _before_the_ask(question, subject, asked)
    for line in body:
        segments = [seg for seg in _SEGMENT.split(line) if seg]
        lead = (_stems_of(segments[0]) if segments else frozenset()) | _levels_of(index, line)
        if segments and ";" not in line and gives_detail(segments[0], asked):
            # ... and a figure in its first sentence (not a list's item) is what its later sentences go on about ("Give
            # approximately 3 examples for each competency. Evidence should be examples of your practice").
            whole = frozenset().union(*(_stems_of(seg) for seg in segments))
            figured = max(figured, sum(t.covered_by(whole) for t in subject))
        before: frozenset[str] = frozenset()  # the sentence before (a list's items never speak of each other)
        for sentence in (s for s in _SENTENCE.split(line) if s):
            for seg in (seg for seg in _ITEMS.split(sentence) if seg):
                stems = _stems_of(seg)
                named = max(named, sum(t.covered_by(stems) for t in subject))
                if gives_detail(seg, asked):
                    # A fact's later sentences speak of what its first names ("It is a 3-year course"), and go
                    # on from the one before ("At a review hearing ... The decision is given in 10 working days").
                    # (Only the scene the question sets before it asks, "after the review hearing, how long
                    # until the decision": what it asks the figure of must be named where the figure is.)
                    figured = max(
                        figured,
                        sum(
                            t.covered_by(stems | lead | (before if t in scene else frozenset()))
                            for t in subject
                        ),
                    )
            before = _stems_of(sentence)
    # How long a move between the levels named takes ("from H7 to H8") is said of them all together (what
    # each pays is said of each).
    levels = [t for t in subject if t.word in {question.text[m.start : m.end] for m in question.mentions}]
    named = max(named, len(levels) if len(levels) > 1 and Ask.duration in asked else 0)
    # A figure said of the subject (whether it is the right one is not judged here), or no subject named.
    document = document_index(index.pack.organisation.document)
    if named == 0:
        # A figure of something the question does not name ("48 working hours per week" of a second job to
        # "how many hours of supervision"): where the document speaks of the subject, a figure of it is
        # what was asked.
        return _unnamed_subject(index, question, asked, subject, document, _body(answer))
    if figured >= named and singled:
        return None
    used = subject if figured < named else [t for t in subject if t.in_document(document)]
    if _elsewhere_gives(index, used, asked, _body(answer)):
        return None  # a fact or the document does say it, of that subject: not an absence
    nearest = [ln for ln in body if any(t.covered_by(_stems_of(ln)) for t in subject)]
    nearest.sort(key=lambda ln: -_names_of(singling, ln))  # what it says of the very thing asked, first
    return doesnt_say(index, question, nearest[:2])


def _levels_of(index: PackIndex, text: str) -> frozenset[str]:
    """The words naming the levels the facts quoted in the text are said of (their tags): a level's rule is
    said of it wherever it sits ("Most newly qualified social workers are expected to have completed at least
    one year's service before applying", among level 2's requirements)."""
    tags = {tag for p in index.passages if p.text[:60] in text for tag in p.tags}
    if not tags:
        return frozenset()
    return _stems_of(
        " ".join(f"{lv.name} {' '.join(lv.aliases)}" for lv in index.pack.levels if lv.id in tags)
    )


def _unnamed_subject(
    index: PackIndex,
    question: Question,
    asked: list[Ask],
    subject: list[Term],
    document: DocumentIndex,
    body: str,
) -> Answer | None:
    """The answer gives a figure but names none of the subject asked about, and is on another topic than the
    question ("48 working hours per week" of a second job to "how many hours of supervision"): where the
    document speaks of the subject and no fact or sentence gives the detail of it, the policy doesn't say
    it; the facts that name the subject most are what helps."""
    # (Only where the answer's facts are on none of the topics the question clearly asks about: in other
    # words than the question's, "how long have I got to challenge it" is answered by a review's "within 10
    # working days".)
    asked_topics = {t for t, v in question.topics.items() if v >= CLEARLY_ASKED}
    if not asked_topics or asked_topics & _topics_of(index, Answer(answered=True, text=body)):
        return None
    used = [t for t in subject if t.in_document(document)]
    if not used or _elsewhere_gives(index, used, asked, body):
        return None
    ranked = sorted(
        (
            (sum(t.covered_by(words) for t in used), p.text)
            for p, words in zip(index.passages, index.words, strict=True)
        ),
        key=lambda pair: -pair[0],
    )
    return doesnt_say(index, question, [text for n, text in ranked[:2] if n])


def _before_the_ask(question: Question, subject: list[Term], asked: list[Ask]) -> list[Term]:
    """The subject terms the question names before it asks for the detail: the scene it sets."""
    cues = [m.start() for ask in asked if (m := QUESTION_CUES[ask].search(question.text))]
    scene = set(tokens(question.text[: min(cues, default=0)]))
    return [t for t in subject if t.stems <= scene]


# A word the question names a thing by, after a determiner and at most one other word ("the first
# instalment", "each service area"), not what it says of the thing ("is the market supplement paid").
_DETERMINER = r"\b(the|each|every|per|a|an|my|your|their|this|that|these|those)( \w+)? "


def _a_thing(question: Question, term: Term) -> bool:
    """The question names a thing by the term."""
    return re.search(_DETERMINER + re.escape(term.word) + r"\b", question.text) is not None


def gives_detail(segment: str, asked: list[Ask]) -> bool:
    """The sentence gives the detail asked for: a figure or a time, not a statement that the document gives
    none ("The report does not give the reduced numbers")."""
    # (Any figure answers a figure asked, "how much experience" by "3 years"; a length of time asked is
    # given only by one: "2 workshops" is no length of supervision.)
    figures = FIGURES if FIGURES.intersection(asked) - {Ask.duration} else frozenset({Ask.duration})
    kinds = (
        (figures if FIGURES.intersection(asked) else frozenset())
        | (_TIMES if Ask.when in asked else frozenset())
        | ({Ask.share} if Ask.share in asked else frozenset())  # a share only by a share, not by a sum
    )
    return bool(kinds & answers(segment)) and not says_nothing(segment)


def subject_terms(index: PackIndex, question: Question, asked: list[Ask]) -> list[Term]:
    """The question's content terms besides the words that ask for the detail ("how long", "how many days")."""
    asking = asking_words(question, asked)
    # The units a figure is counted in belong to the ask wherever they sit ("how long ... in days").
    asking |= ASK_UNITS
    terms = [
        t for t in content_terms(index, question) if t.word not in asking and _zipf(t.word) < GRAMMAR_ZIPF
    ]
    return terms + _levels_named(question, asked)


# The words of any figure asked, and the units it is counted in: they say how, never what.
ASK_UNITS = frozenset({"long", "many", "much", "hours", "days", "weeks", "months", "years", "number"})


def asking_words(question: Question, asked: list[Ask]) -> set[str]:
    """The words of the question that ask for the detail ("how long", "a waiting period"). (Only the cue's own
    words: what its wildcards span is the subject, "how much more does an agency social worker cost" asks a
    figure of an agency social worker.)"""
    return {
        w
        for ask in asked
        for m in QUESTION_CUES[ask].finditer(question.text)
        for w in words(m.group(0))
        if w in _cue_words(ask)
    }


@cache
def _cue_words(ask: Ask) -> frozenset[str]:
    """The words written out in an ask's question cue (not those its wildcards match)."""
    plain = re.sub(r"\\[a-zA-Z]", " ", QUESTION_CUES[ask].pattern)
    # (A word whose last letter is optional, "deadlines?", is written out without it too.)
    return frozenset(re.findall(r"[a-z]+", plain)) | {w[:-1] for w in re.findall(r"([a-z]+)\?", plain)}


def _levels_named(question: Question, asked: list[Ask]) -> list[Term]:
    """The levels or grades the question asks the detail of ("how long from H7 to H8"), as it writes them,
    from where it asks for it on ("what's the M1 range, how long does H8 to H9 take": H8 and H9): a figure
    said of another move between levels ("H8 to H9 usually takes 12/18 months") is not the one asked."""
    cues = [m.start() for ask in asked if (m := QUESTION_CUES[ask].search(question.text))]
    start = min(cues, default=0)
    found = {
        question.text[m.start : m.end] for m in question.mentions if m.kind == "level" and m.start >= start
    }
    return [Term(name, frozenset(tokens(name))) for name in sorted(found) if tokens(name)]


def _elsewhere_gives(index: PackIndex, terms: list[Term], asked: list[Ask], body: str) -> bool:
    """Some fact of the pack the answer does not quote (those it quotes were read part by part), or some
    sentence of the document, that names every one of these terms gives the detail asked for: a fact that
    declares it answers the ask, or a sentence of one that gives the detail and names them (with what its
    first sentence names). (A figure elsewhere in a fact that names the subject is another thing's: "4 Day
    Course; ... through normal supervision" gives no length of supervision.)"""
    for passage, stems in zip(index.passages, index.words, strict=True):
        if passage.text[:60] in body:
            continue
        if set(asked) & (passage.declared - passage.silent) and all(t.covered_by(stems) for t in terms):
            return True
        segments = [seg for seg in _SEGMENT.split(passage.text) if seg]
        lead = (_stems_of(segments[0]) if segments else frozenset()) | _levels_of(index, passage.text)
        if any(
            gives_detail(seg, asked) and all(t.covered_by(_stems_of(seg) | lead) for t in terms)
            for seg in segments
        ):
            return True
    document = document_index(index.pack.organisation.document)
    # (The sentence itself names the subject: a heading above it says what the section is about, not what
    # each of its figures measures.)
    return any(
        all(t.covered_by(document.words[i]) for t in terms) and gives_detail(sentence.text, asked)
        for i, sentence in enumerate(document.sentences)
    )


def _silent_on_the_ask(index: PackIndex, question: Question, answer: Answer) -> Answer | None:
    """Where a fact the answer quotes records that the document does not give what was asked (its
    `silent_on`: "the amounts", "who assesses") and no other fact quoted gives it, the answer's substance
    is a silence: say the policy doesn't say that, first, then the facts, with `answered: false`."""
    body = _body(answer)
    quoted = [i for i, p in enumerate(index.passages) if p.text[:60] in body]
    silent = {ask for i in quoted for ask in _silent(index.passages[i].silent) if ask in question.asks}
    if not silent:
        return None
    # Another fact of the answer that is there to give it (a pay table, a sign-off rule) answers it; a
    # figure or a role word in passing ("a 2009 report", "social workers") does not; nor does one said of
    # less of what was asked about than the silence is ("the clawback clauses are for the market
    # supplements" beside "no repayment terms for the funded degree"). (The steps a fact gives answer "how"
    # whatever a silence on an application process names.)
    subject = subject_terms(index, question, sorted(silent))
    silence = max(
        _names_of(subject, index.passages[i].text)
        for i in quoted
        if silent & _silent(index.passages[i].silent)
    )
    given = set().union(
        *(
            index.passages[i].declared
            - _silent(index.passages[i].silent)
            - (STRICT if _names_of(subject, index.passages[i].text) <= silence else frozenset())
            for i in quoted
        )
    )
    if not silent - given:
        return None
    # The facts follow, without lead-ins ("Not automatically, going by the policy:") or list headings.
    return doesnt_say(index, question, [ln for ln in body.split("\n") if ln and not ln.endswith(":")])


def _silent(silent: frozenset[Ask]) -> frozenset[Ask]:
    """What a fact is silent on: silent on the amounts, it is silent on the sums of money too."""
    return silent | {Ask.money} if Ask.amount in silent else silent


def _spoken(document: DocumentIndex, terms: list[Term], stems: frozenset[str]) -> float:
    """The weight of the terms these words speak to."""
    return sum(_weight(document, t) for t in terms if t.covered_by(stems))


def salient_terms(index: PackIndex, question: Question) -> list[Term]:
    """The question's terms that single out what it asks about in this organisation's document: words the
    document uses in few of its sentences, and words it never uses that are rare in English (terms of art).
    Words everywhere in the document, and everyday words it never uses, say nothing about the subject."""
    document = document_index(index.pack.organisation.document)
    found = []
    for term in content_terms(index, question):
        share = document.share(term.stems)
        if share > SALIENT_SHARE or _zipf(term.word) >= GRAMMAR_ZIPF:
            continue  # what the whole document is about, or grammar ("through", "there")
        if share == 0 and (
            _zipf(term.word) >= UNHEARD_ZIPF
            or len(term.word) <= MAX_ABBREVIATION
            or term.in_document(document)
            or _clipped(term.word, index.pack.organisation.document)
        ):
            continue  # everyday words, abbreviations the document may spell out ("pdr"), clipped words
        found.append(term)
    return found


def content_terms(index: PackIndex, question: Question) -> list[Term]:
    """The question's words besides chat, asking and domain words and the organisation's own name."""
    org = index.pack.organisation
    return list(_content_terms(f"{org.short_name} {org.name} {org.document}", question.text))


@lru_cache(maxsize=4096)
def _content_terms(names: str, text: str) -> tuple[Term, ...]:
    """(Worked out once a question: every check of an answer reads them, several times.)"""
    own_words = _own_words(names)
    own_name = {stem(w) for w in own_words}
    alternatives = concept_alternatives(text)
    found: dict[str, Term] = {}
    glossed: set[str] = set()
    seen = words(text)
    for i, word in enumerate(seen):
        if (
            word in glossed
            or word in STOPWORDS
            or len(word) < 3
            or any(c.isdigit() or c == "'" for c in word)
        ):
            continue  # contractions ("they've") are how, never what
        if word in CHAT_WORDS or word.removesuffix("s") in ABBREVIATIONS:
            continue  # chat spellings, and abbreviations in the plural ("sps"), read as the rest of the bot does
        if any(len(word) >= 4 and name.startswith(word.removesuffix("s")) for name in own_words):
            continue  # the organisation's own name cut short ("herts")
        base = stem(word)
        if base in GENERAL or base in NEUTRAL or base in DOMAIN or base in own_name or base in found:
            continue
        gloss = ABBREVIATIONS.get(word, "").split()
        if gloss and seen[i + 1 : i + 1 + len(gloss)] == gloss:
            glossed |= set(gloss)  # "pq post qualification": one term, said by either
        found[base] = Term(word, frozenset({base, *(stem(g) for g in gloss), *alternatives.get(base, ())}))
    return tuple(found.values())


@lru_cache(maxsize=8192)
def _prefixes(stems: frozenset[str]) -> frozenset[str]:
    """The first STEM_PREFIX letters of each stem long enough to have them."""
    return frozenset(s[:STEM_PREFIX] for s in stems if len(s) >= STEM_PREFIX)


@lru_cache(maxsize=1024)
def _own_words(names: str) -> frozenset[str]:
    return frozenset(words(normalise(names)))


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    return float(zipf_frequency(word, "en"))


@lru_cache(maxsize=65536)
def _clipped(word: str, document_id: str) -> bool:
    """A word cut short in chat ("pracs" for practitioners): the start of a longer word the document uses."""
    document = document_index(document_id)
    start = word.removesuffix("s")
    return len(start) >= MAX_ABBREVIATION and any(
        len(w) > len(start) and w.startswith(start) for w in document.vocabulary
    )


def _answer_stems(index: PackIndex, answer: Answer) -> frozenset[str]:
    """The words of the answer, of the facts it quotes (with their keywords) and of the sections it cites."""
    body = _body(answer)
    text = [body]
    for cited in answer.sources:
        text.append(section_text(cited.document, cited.section))
    quoted = [words for p, words in zip(index.passages, index.words, strict=True) if p.text[:60] in body]
    return _stems_of(" ".join(text)).union(*quoted)


def _topics_of(index: PackIndex, answer: Answer) -> set[Topic]:
    """What the answer is about: its handler's topic and the topics of the facts it quotes."""
    body = _body(answer)
    found = {p_topic for p in index.passages if p.text[:60] in body for p_topic in p.topics}
    return found | ({Topic(answer.topic)} if answer.topic else set())


def _cued(question: Question, topics: set[Topic]) -> frozenset[str]:
    """The question's words that say it asks about one of these topics ("disagree" asks about a review):
    an answer on that topic speaks to them."""
    found: set[str] = set()
    for topic in topics:
        for cue in CUES.get(topic, ()):
            for match in cue.pattern.finditer(question.text):
                found |= {stem(w) for w in words(match.group(0))}
    return frozenset(found)


def _body(answer: Answer) -> str:
    return "\n".join(ln for ln in answer.text.split("\n") if not ln.startswith("Source:"))


@lru_cache(maxsize=4096)
def _stems_of(text: str) -> frozenset[str]:
    return frozenset(tokens(normalise(text)))


def _in_pack(index: PackIndex, term: Term) -> bool:
    return any(term.covered_by(words) for words in index.words)


def _declined(
    index: PackIndex, question: Question, answer: Answer, terms: list[Term], concept: tuple[str, ...] = ()
) -> Answer:
    """The policy does not talk about what was asked: say so, with the one fact of the answer nearest it (or
    the pack's fact that names the concept asked about)."""
    body = [ln for ln in _body(answer).split("\n") if ln]
    nearest = [ln for ln in body if any(t.covered_by(_stems_of(ln)) for t in terms) and not ln.endswith(":")]
    if concept:
        nearest = [p.text for p in index.passages if names_concept(concept, normalise(p.text))][:1] + nearest
    return doesnt_say(index, question, nearest[:1])


def _concept_missed(index: PackIndex, question: Question, answer: Answer) -> tuple[str, ...] | None:
    """A term of employment the question names ("part time") that the organisation's document does speak of,
    where neither the answer nor the facts it quotes name it: the answer is about the rest of the question
    ("can advanced social workers ..."), not about what it asks of it. So too any concept of the glossary
    that a detail is asked of in the clause that asks ("how many cases does an NQSW carry")."""
    body = _body(answer)
    quoted = " ".join(p.text for p in index.passages if p.text[:60] in body)
    said = normalise(f"{body} {quoted}")
    for concept in terms_of_employment_named(question.text):
        if names_concept(concept, _corpus(index)) and not names_concept(concept, said):
            return concept
    # Asked for a detail of something the glossary names ("the caseload of an NQSW", "when does the exam go
    # live"), the answer must name it too: a figure or date said of something else is no answer.
    # (An answer stating a silence is left to it: "no deadline for submissions" says what is not given.)
    asked = [a for a in question.asks if a in DETAIL_ASKS] if not SILENCE.search(body.lower()) else []
    subject = {w for t in subject_terms(index, question, asked) for w in t.stems} if asked else set()
    # (Not the asker's scene, "I'm an NQSW joining ...", nor a condition they set, "if I get accelerated ...")
    clause = _CONDITION.sub("", normalise(main_clause(question.raw)))
    clause = _COUNTED.sub("", clause)  # ("how many increments": what is counted, not what it is counted of)
    for concept in concepts_named(clause) if subject else []:
        names = {stem(w) for p in concept for w in words(p)}
        if any(re.search(rf"\bmy {re.escape(p)}", clause) for p in concept):
            continue  # the asker's own ("when can I submit my portfolio"): what they ask about it, not of it
        if names & subject and names_concept(concept, _corpus(index)) and not names_concept(concept, said):
            return concept
    return None


_COUNTED = re.compile(r"\b(?:how many|how much|number of) \w+")
_CONDITION = re.compile(r"^(?:if|once|after)\b.*?\b(?=(?:what|who|how|which|when|where)\b)")


def _not_covered(index: PackIndex, answer: Answer, subject: str, terms: list[Term]) -> Answer:
    """The policy never speaks of the subject: say so by name, with the one fact of the answer nearest it."""
    body = [ln for ln in _body(answer).split("\n") if ln]
    nearest = [ln for ln in body if any(t.covered_by(_stems_of(ln)) for t in terms) and not ln.endswith(":")]
    detail = ["What it does say that might help:", nearest[0]] if nearest else []
    return not_stated(index.pack, None, subject, detail)


def _as_asked(raw: str, phrase: str) -> str:
    """The phrase as the asker typed it ("DBS check"), where their words are the same; else as normalised."""
    typed = re.search(r"\b" + r"[\s-]+".join(re.escape(w) for w in phrase.split()) + r"\b", raw, re.I)
    return typed.group(0) if typed else phrase


@lru_cache(maxsize=256)
def _corpus_of(document_id: str, pack_corpus: str) -> str:
    return f"{normalise(document_index(document_id).raw)} {pack_corpus}"


def _corpus(index: PackIndex) -> str:
    """What the organisation's document and pack say, normalised."""
    return _corpus_of(index.pack.organisation.document, index.corpus)


@dataclass(frozen=True)
class Passage:
    """A run of the document's own sentences, verbatim, with the section it sits in."""

    text: str
    source: Source
    stems: frozenset[str]  # its words, and those of the headings it sits under

    def answer(self, pack: Pack) -> Answer:
        return compose(pack, [self.text], [self.source], None, confidence=0.5)


def _quoted(
    index: PackIndex, document: DocumentIndex, question: Question, terms: list[Term], min_terms: int = 2
) -> Answer | None:
    found = _passage(index, document, question, terms, min_terms)
    return found.answer(index.pack) if found else None


def _passage(
    index: PackIndex,
    document: DocumentIndex,
    question: Question,
    terms: list[Term],
    min_terms: int = 2,
    must: list[Term] | None = None,
    mass: float = 1.0,
) -> Passage | None:
    """The shortest run of the document's sentences (within one paragraph) that covers every salient term
    and gives the kind of answer asked for, starting from the best-scoring sentences; quoted verbatim with
    its section. One salient term is too little to tell a passage about the question from one that only
    shares a word with it. With `must`, the passage need only cover those terms and `mass` of the terms'
    weight (a rare word weighs more than a common one)."""
    if len(terms) < min_terms or not document.sentences:
        return None
    must = terms if must is None else must
    weight = {t: _weight(document, t) for t in terms}
    total = sum(weight.values())
    strict = {ask for ask in question.asks if ask in STRICT}
    scores = document.scores([tuple(t.stems) for t in terms])
    order = np.argsort(-scores)[:_CANDIDATES]
    best: tuple[float, int, int, int] | None = None  # (weight spoken to, -sentences, start, end)
    for i in (int(i) for i in order):
        if scores[i] <= 0:
            break
        for start, end in _windows(document, i):
            covered = frozenset().union(*document.words[start:end], document.context[start])
            text = " ".join(s.text for s in document.sentences[start:end])
            spoken = sum(weight[t] for t in terms if t.covered_by(covered))
            if all(t.covered_by(covered) for t in must) and spoken >= mass * total and _gives(text, strict):
                found = (round(spoken, 6), start - end, start, end)
                if len(text) <= MAX_QUOTE_CHARS and (best is None or found > best):
                    best = found  # what speaks to most of the question, in the fewest sentences
                break
    if best is None:
        return None
    chosen = list(range(best[2], best[3]))
    section = document.sentences[chosen[0]].section
    length = sum(len(document.sentences[j].text) + 1 for j in chosen)
    for j, sentence in enumerate(document.sentences):
        # The other items (paragraphs) of the same section that speak to it as much: the whole list asked about.
        covered = document.words[j] | document.context[j]
        if (
            j in chosen
            or sentence.section != section
            or (j and sentence.paragraph == document.sentences[j - 1].paragraph)
        ):
            continue  # one sentence of each other paragraph of the section: its items, each once
        if (
            all(t.covered_by(covered) for t in must)
            and sum(weight[t] for t in terms if t.covered_by(covered)) >= min(best[0], mass * total)
            and length + len(sentence.text) < MAX_QUOTE_CHARS
        ):
            chosen.append(j)
            length += len(sentence.text) + 1
    text = " ".join(document.sentences[j].text for j in sorted(chosen))
    stems = frozenset().union(*(document.words[j] | document.context[j] for j in chosen))
    return Passage(text, Source(document=index.pack.organisation.document, section=section), stems)


def _weight(document: DocumentIndex, term: Term) -> float:
    """How much a term tells one passage from another: the rarer in the document, the more."""
    return -math.log(max(document.share(term.stems), 1 / max(len(document.sentences), 1)))


def _gives(text: str, strict: set[Ask]) -> bool:
    """A full sentence or list item (not a heading) that gives the asked kind of answer (a figure, a person,
    a time)."""
    item = text.startswith(_ITEM_MARKS)  # a list item ("- Councillor Mal Mutton (Chair)") may be short
    if (len(text) < MIN_QUOTE_CHARS and not item) or (text[-1] not in ".!?)" and not item):
        return False
    return not strict or bool(strict & set(answers(text)))


def _windows(document: DocumentIndex, i: int) -> list[tuple[int, int]]:
    """Runs of sentences around sentence i, in its paragraph, shortest first."""
    paragraph = document.sentences[i].paragraph
    runs = []
    for size in range(1, MAX_QUOTE_SENTENCES + 1):
        for start in range(i - size + 1, i + 1):
            end = start + size
            if start < 0 or end > len(document.sentences):
                continue
            if all(s.paragraph == paragraph for s in document.sentences[start:end]):
                runs.append((start, end))
    return runs


def _names_of(subject: list[Term], text: str) -> int:
    """How many of the subject's terms the text names."""
    stems = _stems_of(text)
    return sum(t.covered_by(stems) for t in subject)


# "I'm not newly qualified", "I am not on the supplement": what the asker says they are not.
_NOT_ME = re.compile(r"\bi am not (?:yet )?(?:a |an |on |in |on the |in the )?((?:\w+ ){0,3}\w+)")
MIN_DENIED_WORDS = 2  # one word ("supplement") is too little to tell whom a rule is for
# Asked whether a duty binds them ("does it apply to me", "do I have to"): a duty the policy lays on others
# says nothing of the asker. (What others are entitled to, "do I get the £2k", is a no: it is theirs.)
_BOUND = re.compile(r"\b(appl(y|ies) to me|do i (have|need) to|must i|am i (required|expected) to)\b")


def _for_what_the_asker_is_not(index: PackIndex, question: Question, answer: Answer) -> Answer | None:
    """Asked whether a duty binds them, the answer's line that speaks to it is a rule for those the asker says
    they are not ("Most newly qualified social workers are expected to ..." to "I'm not newly qualified, do these
    rules apply to me?"): the policy says nothing of the asker's own case, so say so, with the rule."""
    found = _NOT_ME.search(question.text)
    if found is None or not _BOUND.search(question.text):
        return None
    said = found.group(1)
    denied = concepts_named(said) or [
        (" ".join(said.split()[:n]),) for n in (3, 2) if len(said.split()) >= max(n, MIN_DENIED_WORDS)
    ]
    body = [ln for ln in _body(answer).split("\n") if ln and not ln.endswith(":")]
    if not body:
        return None
    # The line that speaks most to what is asked (besides who the asker is not) is the answer's to it.
    asked = [t for t in content_terms(index, question) if t.word not in said.split()]
    answering = max(body, key=lambda ln: _names_of(asked, ln))
    concept = next((c for c in denied if names_concept(c, normalise(answering))), None)
    if concept is None:
        return None
    said_of = doesnt_say(index, question, [ln for ln in body if names_concept(concept, normalise(ln))][:2])
    first, _, rest = said_of.text.partition("\n")
    text = f"{first.removesuffix('.')}, for someone who is not {concept[0]}.\n{rest}"
    return said_of.model_copy(update={"text": text})


# What has rules of its own, apart from a level's: a supplement's amount and terms, a pathway's stages.
_OWN_RULES = frozenset({"supplement", "pathway"})
_OWN_TOPICS = frozenset({Topic.supplements, Topic.pathways})  # ... the same, asked of them all


def speaks_of_what_is_named(index: PackIndex, question: Question, answer: Answer) -> bool:
    """The answer speaks of the supplements or pathways the question names or clearly asks about, if it does:
    its facts are said of them or are on their topic, or its words name them."""
    named = {m.id for m in question.mentions if m.kind in _OWN_RULES}
    topics = {t for t in _OWN_TOPICS if question.asked_topics.get(t, 0.0) >= CLEARLY_ASKED}
    if not named and not topics:
        return True
    body = _body(answer)
    plain = normalise(body)
    quoted = [p for p in index.passages if p.text[:60] in body]
    about = set().union(*(p.tags for p in quoted))
    spoken = {ident for pattern, _, ident in index.aliases if ident in named and pattern.search(plain)}
    on = set().union(*(p.topics for p in quoted))
    return bool(named & (about | spoken) or topics & on)
