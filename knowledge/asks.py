"""What kind of answer a question wants (its asks), and whether a piece of text gives that kind of answer.

A question is read into asks (an amount, who, when, how long, a repayment...) as well as into topics
(what it is about). A fact answers an ask when it declares so in the pack, when its kind does by default
(a pay table gives amounts, a sign-off rule says who), or when its words plainly give that kind of answer
(a month or date answers "when"). These cues are about English questions and answers in general, never
about one council or one test question.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from knowledge.glossary import names_of


class Ask(StrEnum):
    """The kind of answer wanted."""

    amount = "amount"  # a figure: pay, a cost, a number of posts or examples
    money = "money"  # a sum of money: a salary, a payment, a cost
    number = "number"  # how many of something: people, posts, examples
    who = "who"  # a person, a role or a body
    when = "when"  # a date, a month, a time or an event something happens at
    duration = "duration"  # how long, how many years
    repay = "repay"  # whether and what you pay back
    backdated = "backdated"  # from when an award counts
    automatic = "automatic"  # whether something happens without applying or being assessed
    what_if = "what_if"  # what happens if ...
    how = "how"  # how to do something, the steps
    why = "why"  # the reason or purpose
    list = "list"  # every item of something ("what pathways are there?")
    condition = "condition"  # on what it depends: whether it is guaranteed, what could stop it
    share = "share"  # a percentage, proportion or fraction of something
    payment = "payment"  # how a sum is paid: at once or in instalments, monthly or yearly, once or every year


# Said of the framework or policy itself ("from what date did the framework take effect"): its start, no award's
# (the backdating topic's cues read it too).
NOT_THE_SCHEME = r"(?!.*\b(framework|policy|scheme|structure|report|recommendations)\b)"

# How a question asks for each kind of answer (normalised text: lower case, abbreviations glossed).
QUESTION_CUES: dict[Ask, re.Pattern[str]] = {
    Ask.amount: re.compile(
        r"\bhow (much|many)\b|\b(what|which) (is|are|was|were) the (salary|salaries|pay|rate|cost|amount|value"
        r"|number|total|figure|range)\b|\b(minimum|maximum|min|max) (salary|pay)\b|\bhow big\b"
        r"|\b(please (provide|state|give)|provide|state)\b.*\b(number|cost|value|salary|salaries|amount)\b"
        r"|\b(what|which) (is|are|was|were) the (\w+ ){0,2}(cap|(?<!time )limit|ceiling|maximum|minimum|max|min)\b"
        r"|\b(what|which) (spinal )?(points|scps)\b"  # "what spinal points is grade 8": the points' figures
        # A measure asked for by its name ("what's the pass mark", "what percentage do I refund"): a figure.
        r"|\b(what|which) (is|are|was|were) the (\w+ )?(pass mark|mark|score|ratio|threshold)s?\b"
    ),
    Ask.money: re.compile(
        r"\bhow much (is|are|do|does|did|would|will|can|could|more|less|extra)\b.*\b(pay|paid|earn|get|cost|worth|salar"
        r"|supplement|honorari|allowance)|\b(what|which) (is|are|was|were) the (actual |exact |real |annual )?(salary|salaries|pay|rate of pay|cost)\b"
        r"|\b(minimum|maximum|min|max|starting|start|basic|top|entry) (salary|pay)\b|\bhow much (is|are) (an? |the )?(spinal point|point|scp)\b"
    ),
    Ask.number: re.compile(
        r"\bhow many (?!(years|months|weeks|days|hours)\b)(?!times (a|per|each|every) )|\bthe (total )?number of\b|\bnumbers? of (staff|people|posts"
        r"|social workers|workers|vacancies|students|examples)\b"
        r"|\b(what|which) (is|are) the (\w+ ){1,3}numbers?\b"  # "what is the reduced caseload number"
    ),
    Ask.who: re.compile(
        r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (manager|person|officer|body|panel)\b"
        r"|\b(final|last) (say|word|decision)\b|\bthe (say|decision) (on|over)\b"  # who decides, asked as yes or no
    ),
    Ask.when: re.compile(
        # ("when" asks where the question's verb follows it, or it opens or ends the question, or the asker asks
        # it ("tell me when I can"): "which councils did they look at when it was written" asks which, not when,
        # and "the training when they start" or "when it comes to" set the scene)
        r"\bwhen (is|are|was|were|do|does|did|will|would|could|should|shall|must|has|have|might|may|exactly|roughly)\b"
        r"|^when\b(?! can i)(?! it comes to)|\bwhen$"
        r"|\b(and|or|but|exactly|so|also|then|know|tell me|tell us|ask|wonder|wondering|find out|confirm|idea|sure"
        r"|say) when\b(?! it comes to)"
        r"|\bwhat (date|month|time)s?\b|\bwhich (date|month)s?\b|\bhow often\b|\bby when\b"
        # A date asked for by name ("what is the date on which ...", "the date from which it took effect")
        r"|\b(what|which) (is|was|are|were) the (\w+ )?(date|month)s?\b|\bthe (\w+ )?(date|month) (on|from|by|at) which\b"
        r"|\bhow many times (a|per|each|every) (year|month|week)\b"  # how often, asked as a count
        r"|\bnext panel\b|\b(closing|opening|start|starting|end|submission|cut off|cut-off) dates?\b|\bdeadlines?\b"
    ),
    Ask.duration: re.compile(
        r"\bhow long\b|\bhow many (working )?(years|months|weeks|days|hours)\b|\bhow soon\b|\bhow quickly\b|\bwhen can i\b"
        # Experience or service is measured in time ("how much PQ experience do I need": 3 years, not a sum)
        r"|\bhow much (\w+ ){0,3}(experience|service)\b"
        # A least or most time asked for by name ("is there a minimum amount of time on level 2", "a waiting period")
        r"|\b(minimum|maximum|min|max|least|set|fixed|waiting) (amount of |length of |period of )?(time|period|wait)\b"
        # Asked whether there is a wait ("or do I have to wait?"): how long it is
        r"|\b(have|need|got) to wait\b(?! (for|on) (my|the|a|an|your|their|him|her|them)\b)|\bmust (i|you|we) wait\b"
    ),
    Ask.repay: re.compile(r"\bpay( \w+){0,3} back\b|\brepay|\brefund|\bowe\b"),
    Ask.backdated: re.compile(
        r"\bback ?dat|\b(paid|pay|it count|count) from\b"
        rf"|\bfrom (when|what date|which date)\b{NOT_THE_SCHEME}"  # (not the date the framework took effect)
    ),
    Ask.automatic: re.compile(r"\bautomatic(ally)?\b"),
    Ask.what_if: re.compile(
        r"\bwhat (happens|if|then)\b|\bwhat (do|can) i do if\b|\bif (i|my|it|they|the \w+) .*"
        r"\b(not|fail|failed|refused|rejected|turned down|unsuccessful|don't|do not|say no)\b"
    ),
    Ask.how: re.compile(
        r"\bhow (do|can|should|would|does) (i|you|one|we|someone) (\w+ly )?(apply|go about|start|get|submit|ask|request)\b"
        r"|\b(what|which) (are the )?steps\b|\bwhat is the (process|procedure)\b"
    ),
    Ask.why: re.compile(r"\bwhy\b|\bwhat is the (point|purpose|reason|aim)\b|\breasons? for\b"),
    Ask.list: re.compile(
        r"\blist\b|\bwhat (\w+ ){0,2}are (there|available|on offer)\b|\bwhich (\w+ ){0,2}are (there|available)\b"
        r"|\bwhat are (all )?(the )?(\w+ ){0,2}(levels|grades|pathways|competencies|modules|steps|options|routes"
        r"|courses|requirements|criteria)\b|\bwhat (levels|grades|pathways|competencies|modules|options|routes)\b"
        # "which core skills do I have to evidence": which of several things, asked of the asker or of them
        r"|\bwhich (\w+ )?\w+(ies|ills|encies|ments|ions|ules|ways)\b (do|does|are|must|should|will|would|can) "
    ),
    Ask.condition: re.compile(
        r"\bguarantee|\bconditional\b|\bon (what|which) conditions?\b|\b(can|could|will|would|might) (they|it|"
        r"the council|hr|my manager) (be )?(stop|stopped|withdraw|withdrawn|take it away|taken away|cut|end)\b"
        r"|\bcould i lose\b|\bcan i lose\b"
    ),
}

# The stage after the first year in practice, by any of the glossary's names for it ("post ASYE", "post NQSW").
_FIRST_YEAR = "|".join(re.escape(name) for name in names_of("asye"))
_MONTH = r"january|february|march|april|may|june|july|august|september|october|november|december"
_TIME_UNIT = r"(working days|years?|months?|weeks?|days?)"
# Asked for a month or a date by name, and text that names one (a month, a year, a day of the month).
CALENDAR_ASKED = re.compile(r"\b(which|what) (month|date|day of the month)s?\b|\bon what date\b")
CALENDAR = re.compile(
    rf"\b({_MONTH})\b|\b(19|20)\d\d\b|\b\d{{1,2}}(st|nd|rd|th)?\b(?= ({_MONTH})\b)|\b\d{{1,2}}/\d{{1,2}}/"
)
_ROLE = (
    r"manager|director|officer|panel|chair|hr\b|human resources|payroll|cabinet|committee|member|head of"
    r"|assessor|principal|lead\b|social workers?|yourself|employees?|supervisor|staff|practitioners?|students?"
    r"|newly qualified|you\b"
)

# What text that gives each kind of answer contains.
ANSWER_CUES: dict[Ask, re.Pattern[str]] = {
    Ask.amount: re.compile(  # a figure that is not a level's name or a length of time
        rf"£\s?\d|(?<!level )(?<!grade )(?<!stage )(?<!section )(?<![a-z\d])\d[\d,.]*(?![\d,.]| ?{_TIME_UNIT}\b)"
        rf"|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty|hundred|several"
        rf"|twice|half)\b(?! {_TIME_UNIT}\b)|\bno (salary|figure|amount)"
    ),
    Ask.who: re.compile(rf"\b({_ROLE})"),
    Ask.when: re.compile(
        rf"\b({_MONTH})\b|\b(19|20)\d\d\b|\bwithin \d|\b(twice|once|three times) a year\b|\bannual|\beach year\b"
        rf"|\bevery \d+ {_TIME_UNIT}|\bimmediately\b|\bafter\b|\bbefore\b|\bonce you\b|\buntil\b|\bfrom the\b"
        rf"|\bat the (end|start)\b|\b\d+ {_TIME_UNIT}\b|\bdate\b|\b(monthly|weekly|quarterly|yearly|annually)\b"
        rf"|\b(a|per|each) (week|month|year)\b|\bin advance\b|\bbeforehand\b|\bprior to\b"
        rf"|\bduring\b|\bpost ({_FIRST_YEAR}|qualif\w*)\b|\bon (joining|appointment|starting)\b"  # at what stage
        rf"|\bin (\d+|a|one|two|three|six|twelve|eighteen) {_TIME_UNIT}'?s?'? time\b"  # "in twelve months' time"
    ),
    Ask.duration: re.compile(
        rf"\b\d+(\.\d+)?(/\d+)?( or more| or less|\+)?[ -]{_TIME_UNIT}|\b(one|two|three|four|five|six|twelve|eighteen) {_TIME_UNIT}"
        rf"|\ba (full )?year\b(?<!\d a year)|\bwithin \d|\bnot (based on|tied to|about|structured by) (years|length|time)"
        rf"|\b\d+(\.\d+)? (working )?hours?\b"  # "48 working hours per week": hours are a length of time too
    ),
    Ask.repay: re.compile(r"\brefund|\bpay (it |them |the \w+ |half |anything )?back|\brepay|\bclaw ?back"),
    Ask.backdated: re.compile(r"\bback ?dat|\beffective (date|from)|\bfrom the (date|day)\b|\btakes? effect"),
    Ask.automatic: re.compile(
        r"\bautomatic|\bbased on\b|\bdepends? on\b|\bdepending on\b|\bnot structured by\b|\brather than time"
        r"|\bby evidencing\b|\bonce (you|they) can demonstrate\b|\b(you|they) can (evidence|demonstrate)\b"
        r"|\bassessed\b|\bpanel\b"
    ),
    Ask.what_if: re.compile(
        r"\bif (you|your|it|progression|the)\b|\bnot (endorsed|agreed|approved|successful|met)\b|\breview\b"
        r"|\bappeal\b|\bnot yet\b|\bsupported\b|\bfurther\b"
    ),
    Ask.how: re.compile(
        r"\b1\. |\byou (apply|submit|write|complete|send|ask|give|provide|discuss|agree|put)\b|\bby (writing|"
        r"completing|submitting|applying)\b|\bform\b|\bportfolio\b|\bevidence\b|\bpanel\b|\brecruitment\b"
    ),
    Ask.why: re.compile(
        r"\bbecause\b|\bto ensure\b|\bso that\b|\bin order to\b|\bin recognition\b|\breasons?\b|\baims?\b"
        r"|\bpurpose\b|\bto (mirror|reduce|increase|improve|retain|recruit|support|help|avoid|recognise)\b"
    ),
}

ANSWER_CUES[Ask.money] = re.compile(
    r"£\s?\d|\b\d[\d,.]* pounds\b|\bthousands? of pounds\b|\bno (salary|figure|amount)|\b(does not|doesn't) (give|state|say)"
    r" (the |any )?(salary|salaries|amount|pay|figure)"
)
ANSWER_CUES[Ask.number] = (
    re.compile(  # a number that is not a sum of money, a level's name or a length of time
        rf"(?<![£\d,.])(?<!£ )(?<!level )(?<!grade )(?<!stage )(?<!section )(?<!point )(?<![a-z])\d[\d,.]*"
        rf"(?![\d,.]| ?{_TIME_UNIT}\b|k\b| ?%)|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty"
        rf"|fifty|hundred)\b(?! {_TIME_UNIT}\b)"
    )
)
ANSWER_CUES[Ask.condition] = re.compile(
    r"\bsubject to\b|\bprovided (that|you)\b|\bas long as\b|\bcontingent\b|\bunless\b|\bconditional\b"
    r"|\bdepends? on\b|\bclawback|\bclaw back|\bonly if\b"
)
# A share of a whole: a percentage asked for is given by a percentage or a fraction, not by a sum or a count.
QUESTION_CUES[Ask.share] = re.compile(
    r"\b(what|which) (percentage|proportion|share|fraction|per ?cent)\b|\b(the|a) (percentage|proportion|fraction)\b"
    r"|\bwhat %|\bhow much of (it|them|the \w+)\b"
)
ANSWER_CUES[Ask.share] = re.compile(
    r"\d+(\.\d+)? ?(%|per ?cent)|\b(half|halves|a third|two thirds|a quarter|three quarters|in full|the full amount"
    r"|all of it|none of it|pro rata)\b"
)
# How a sum is paid ("how is the supplement paid - one lump sum?", "is it paid monthly?"): not how much.
QUESTION_CUES[Ask.payment] = re.compile(
    r"\bhow (is|are|was|were|will|would|do|does) (\w+ ){0,4}(be )?paid\b(?! for\b)|\blump sum\b|\binstal?ments?\b"
    r"|\bpaid (monthly|annually|yearly|weekly|every year|each year|every month|all at once|at once|in one go|up ?front)\b"
    r"|\ball at once\b"
    r"|\b(one.?off|every year|each year|yearly|annual|recurring) (payment|sum|amount)\b"
)
ANSWER_CUES[Ask.payment] = re.compile(
    r"\binstal?ments?\b|\blump sum\b|\bone.?off\b|\b(paid|payable) (monthly|annually|yearly|weekly|each year"
    r"|every year|in full|in arrears|with)\b|\bper annum\b|\bphased payments?\b"
)
ANSWER_CUES[Ask.list] = re.compile(r"(^|\n)• |\bare:|(; [^;\n]+){2,}|\b1\. .*\b2\. ")

# A sentence that says the document does not give something ("The report does not give the reduced numbers",
# "it gives no salary", "it gives the months the panel meets but no deadline"): whatever figure or time word
# it holds, it gives no answer of its own.
SILENCE = re.compile(
    r"\b(does not|doesn't|do not|don't|did not|will not) (give|say|state|set out|specify|describe|mention|include"
    r"|define|detail|commit|cover)\b|\b(gives|sets|states|mentions|contains|has) no\b|\bno (\w+ ){0,2}(is|are) "
    r"(given|stated|set|specified)\b|\bis not (stated|given|specified|set out)\b"
    r"|(?<=[a-z)] )but no (?!one\b|longer\b|more\b|less\b)"
)


def says_nothing(text: str) -> bool:
    """The text says the document is silent on something (it may name what it is silent on)."""
    return SILENCE.search(text.lower()) is not None


# The asks a question must have answered for the answer to count: the others are answered by what the facts
# say about the subject (a list, a description, a yes or no with its condition).
STRICT = frozenset(
    {
        Ask.amount,
        Ask.money,
        Ask.number,
        Ask.who,
        Ask.when,
        Ask.duration,
        Ask.repay,
        Ask.backdated,
        Ask.automatic,
        Ask.share,
        Ask.payment,
    }
)


# "how long does it take", "how long before they tell me the outcome", "how long is it paid for": the length of a
# process, a wait for
# others, which the service or experience a rule requires ("3 years post qualifying experience") is not.
# (How long it takes to become, reach or be eligible for something is that service.)
PROCESS_LENGTH = re.compile(
    r"^(?!.*\b(become|becoming|reach|get to|progress|move up|eligible|go for|promot\w*|qualify for)\b)"
    r"(?=.*\b(take|takes|taking|last|lasts|tell|told|hear|decision|decided|outcome|result|again|turnaround"
    r"|paid|payable|continue|continues|run|runs|valid)\b)"  # (how long a payment or award goes on for)
    r".*\bhow (long|many (weeks|days|months)|quickly|soon)\b"
)
SERVICE_TIME = re.compile(
    rf"\b(\d+|one|two|three|four|five|six|twelve|eighteen)( or more| or less|\+)? {_TIME_UNIT}('s|')?( of)?( \w+){{0,2}}"
    rf" (experience|service|qualif\w*|post qualifying|in post|employment)\b|\bnot (based on|tied to|about|structured by)"
    rf" (years|length|time)[^.;\n]*"
)


def read_asks(text: str) -> list[Ask]:
    """The kinds of answer a normalised question asks for, in the order it asks them."""
    found = [(match.start(), ask) for ask, cue in QUESTION_CUES.items() if (match := cue.search(text))]
    asks = [ask for _, ask in sorted(found)]
    for wider in (Ask.when, Ask.amount):
        if Ask.duration in asks and wider in asks:
            asks.remove(wider)  # "when can I apply", "how many years": the time to wait
    for wider in (Ask.amount, Ask.money):
        if Ask.share in asks and wider in asks:
            asks.remove(wider)  # "how much of it do I pay back": a share of the sum
    return asks


@lru_cache(maxsize=16384)
def answers(text: str) -> frozenset[Ask]:
    """The kinds of answer a piece of text gives, going by its words alone."""
    lowered = _NAMED_RANGE.sub(r"\1\2\3\4\1\2\5", _ENUMERATOR.sub("", text).lower())
    return frozenset(ask for ask, cue in ANSWER_CUES.items() if cue.search(lowered))


# A range of names ("BG10 to 14", "levels 1 to 3", "grade 7-8"): its far end is a name too, no figure
# ("posts from BG10 to 14" gives no number of posts).
# The number of a step in a list ("1. Work with your line manager ... 2. If you are ..."): no figure.
_ENUMERATOR = re.compile(r"(?:^|(?<=[.;:] ))\d{1,2}\. (?=[A-Z])")
_NAMED_RANGE = re.compile(r"\b(bg|h|m|level|grade|stage)s?( ?)(\d+)( to |-|–)(\d+)\b")


def answers_of(text: str, *, of_process: bool) -> frozenset[Ask]:
    """The kinds of answer a text gives by its words; asked the length of a process or a payment
    (PROCESS_LENGTH), the service or experience a rule requires ("more than 4 years service") is no such length."""
    return answers(SERVICE_TIME.sub(" ", text.lower()) if of_process else text)
