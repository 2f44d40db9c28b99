"""Turn a chat message into comparable text: lower case, text-speak and abbreviations expanded,
number words as digits, and a stemmed token list for retrieval."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from wordfreq import zipf_frequency

# Text-speak and common misspellings people type in chat, word for word.
CHAT_WORDS = {
    "wat": "what", "wot": "what", "wots": "what is", "wht": "what", "whats": "what is", "wats": "what is", "u": "you",
    "ur": "your", "r": "are", "y": "why", "pls": "please", "plz": "please", "lvl": "level", "lvls": "levels",
    "lvel": "level", "levle": "level", "lev": "level", "yr": "year", "yrs": "years", "mth": "month",
    "prac": "practitioner", "pracs": "practitioners", "qual": "qualification",
    "mths": "months", "mnths": "months", "b4": "before", "wen": "when", "hw": "how", "nxt": "next",
    "im": "i am", "i'm": "i am", "ive": "i have", "i've": "i have", "dont": "do not", "don't": "do not",
    "cant": "cannot", "can't": "cannot", "won't": "will not", "doesn't": "does not", "didn't": "did not",
    "isn't": "is not", "haven't": "have not", "havent": "have not", "hasn't": "has not", "hasnt": "has not",
    "hadn't": "had not", "wasn't": "was not", "wasnt": "was not", "weren't": "were not", "aren't": "are not",
    "arent": "are not", "wouldn't": "would not", "wouldnt": "would not", "couldn't": "could not",
    "couldnt": "could not", "shouldn't": "should not", "shouldnt": "should not", "didnt": "did not",
    "doesnt": "does not", "isnt": "is not", "sal": "salary", "ppl": "people", "tho": "though", "bout": "about", "abt": "about",
    "gonna": "going to", "wanna": "want to", "gd": "good", "thx": "thanks", "pq'd": "post qualified",
    "whos": "who is", "whens": "when is", "who's": "who is", "hows": "how is", "what's": "what is", "where's": "where is",
    "when's": "when is", "it's": "it is", "thats": "that is", "that's": "that is", "there's": "there is",
    "wot's": "what is", "cud": "could", "wud": "would", "shud": "should", "n": "and", "&": "and",
    "mgr": "manager", "mngr": "manager", "quali": "qualification", "quals": "qualifications",
    "1st": "first", "2nd": "second", "3rd": "third", "hav": "have", "becum": "become", "av": "have", "bak": "back", "wiv": "with",
    "obs": "observations", "ob": "observation",
}  # fmt: skip

# Words that only add emphasis, dropped so they never stand between the words of a cue ("how do I actually
# apply" asks how to apply).
FILLERS = frozenset({"actually", "really", "basically", "literally", "honestly", "genuinely", "definitely"})

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "first": "1", "second": "2", "third": "3",
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_COMPOUND = re.compile(rf"\b({'|'.join(_TENS)})[ -]({'|'.join(_UNITS)})\b")

# UK social-work abbreviations: the expansion is added beside the abbreviation, so either matches.
ABBREVIATIONS = {
    "asye": "assessed and supported year in employment newly qualified",
    "nqsw": "newly qualified social worker",
    "nq": "newly qualified",
    "scp": "spinal point",
    "pq": "post qualification",
    "peps": "practice educator professional standards",
    "pe": "practice educator",
    "amhp": "approved mental health practitioner professional",
    "bia": "best interest assessor",
    "mca": "mental capacity act",
    "dols": "deprivation of liberty",
    "dol": "deprivation of liberty",
    "cp": "child protection",
    "lac": "looked after children",
    "cla": "looked after children",
    "cin": "children in need",
    "hcpc": "hcpc registration",
    "swe": "social work england registration",
    "psw": "principal social worker",
    "tm": "team manager",
    "sm": "service manager",
    "sw": "social worker",
    "sws": "social workers",
    "sp": "senior practitioner",
    "ap": "advanced practitioner",
    "asw": "advanced social worker",
    "cpd": "continuing professional development",
    "kss": "knowledge and skills statement",
    "pcf": "professional capabilities framework",
    "pa": "professional assistant",
    "ad": "assistant director",
    "hr": "human resources",
    "msc": "msc masters",
    "pgcert": "post graduate certificate",
    "cert": "certificate",
    "dip": "diploma",
    "pgdip": "post graduate diploma",
    "mpl": "managing practice learning",
    "wte": "whole time equivalent",
    "fte": "full time equivalent",
}

# Before a bare 2 or 4, these words mean it is a quantity or a level, not "to"/"for".
_QUANTITY_BEFORE = {
    "level",
    "grade",
    "point",
    "points",
    "stage",
    "band",
    "bg",
    "h",
    "m",
    "scp",
    "l",
    "than",
    "or",
}
_UNITS_AFTER = {"year", "years", "month", "months", "week", "weeks", "day", "days", "examples", "example"}

_STEMMER = snowballstemmer.stemmer("english")
_TOKEN = re.compile(r"[a-z0-9£]+(?:[.'][a-z0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "doing",
        "i",
        "me",
        "my",
        "mine",
        "you",
        "your",
        "we",
        "our",
        "they",
        "them",
        "their",
        "it",
        "its",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "and",
        "or",
        "but",
        "if",
        "so",
        "that",
        "this",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "how",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "having",
        "there",
        "here",
        "about",
        "into",
        "over",
        "under",
        "up",
        "down",
        "out",
        "just",
        "than",
        "then",
        "too",
        "very",
        "also",
        "get",
        "got",
        "please",
        "tell",
        "know",
        "want",
        "need",
        "any",
        "some",
        "all",
        "not",
        "no",
        "yes",
        "hi",
        "hello",
        "thanks",
        "thank",
        "many",
        "much",
        "was",
        "were",
        "did",
        "there",
        "is",
    ]
)


@lru_cache(maxsize=65536)  # every candidate answer is normalised to be scored: the same facts recur
def normalise(text: str) -> str:
    """Lower-cased, chat words and number words expanded, abbreviations glossed, punctuation spaced."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 36,313 -> 36313
    text = _COMPOUND.sub(lambda m: str(_TENS[m.group(1)] + _UNITS[m.group(2)]), text)  # thirty nine -> 39
    text = re.sub(r"\b(l|lvl|level|bg|h|m|grade)[ -]?(\d{1,2})\b", _join_level, text)
    text = re.sub(r"\bpeps ?(?:stage ?)?([12])\b", r"peps stage \1", text)  # "peps2", "PEPS 2"
    words = [w for w in re.split(r"[^a-z0-9£'&.]+", text) if w and w not in FILLERS]
    out: list[str] = []
    for i, word in enumerate(words):
        word = word.strip(".'")
        if not word:
            continue
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        out.append(_expand(word, prev, nxt))
    return " ".join(out)


def _join_level(match: re.Match[str]) -> str:
    word, number = match.group(1), match.group(2)
    if word in {"l", "lvl", "level"}:
        return f"level {number}"
    if word == "grade":
        return f"grade {number}"
    return f"{word}{number}"  # bg11, h9, m1


def _expand(word: str, prev: str, nxt: str) -> str:
    unit = CHAT_WORDS.get(nxt, nxt)  # "2 yrs" is two years, not "to years"
    if word in {"4", "2"} and prev not in _QUANTITY_BEFORE and nxt.isalpha() and unit not in _UNITS_AFTER:
        return "for" if word == "4" else "to"
    if word in CHAT_WORDS:
        return CHAT_WORDS[word]
    if word in NUMBER_WORDS and not (word in {"first", "second", "third"} and nxt not in _UNITS_AFTER):
        return NUMBER_WORDS[word]
    if word in ABBREVIATIONS:
        return f"{word} {ABBREVIATIONS[word]}"
    return word


def words(text: str) -> list[str]:
    return _TOKEN.findall(text)


# Where the stemmer joins words of different meaning ("officer" and "office" are both "offic") or leaves a
# verb's irregular past apart from it ("met" and "meet"): the stem to use instead.
_STEM_EXCEPTIONS = {"officer": "officer", "officers": "officer", "met": "meet"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEM_EXCEPTIONS.get(word) or str(_STEMMER.stemWord(word))


def term_groups(text: str) -> list[tuple[str, ...]]:
    """Stemmed content words of normalised text, an abbreviation and its gloss grouped as one term, so that
    "cpd continuing professional development" weighs as one word in retrieval, not four."""
    found = words(text)
    groups: list[tuple[str, ...]] = []
    i = 0
    while i < len(found):
        span = 1
        gloss = ABBREVIATIONS.get(found[i], "").split()
        if gloss and found[i + 1 : i + 1 + len(gloss)] == gloss:
            span += len(gloss)
        group = tuple(dict.fromkeys(stem(w) for w in found[i : i + span] if w not in STOPWORDS))
        if group:
            groups.append(group)
        i += span
    return groups


def tokens(text: str) -> list[str]:
    """Stemmed content words of already-normalised text, for retrieval."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


# Everyday English that says how something is asked, never what about: common verbs, adverbs, quantifiers
# (stemmed). A question's subject is in its other words.
_GENERAL_TEXT = """
    most least more less each every other another same still already actually really just only even ever
    never always usually normal normally exactly before after during while until since yet again also
    take took taken make made give given go goes going gone went come came say said says see seen look
    put keep kept let think reckon mean means need needs want wants like get gets got getting start stop
    happen happens right wrong true sure certain possible able allowed supposed first last next new old
    good bad best better big small high higher low lower full whole part thing things way ways lot bit
    kind sort type someone anyone everyone something anything everything year years month months week
    weeks day days time times today now then soon later ago apply applying applied work working worked
    job role post people person staff team council show ready stuff everybody become expect decide
    around regarding concerning about meant
"""
GENERAL = frozenset(stem(w) for w in _GENERAL_TEXT.split())


# A word this common in English (Zipf scale: 3 = once in a million words) is a word the asker chose, never a
# misspelling to correct: common misspellings ("recieve" 2.8, "managment" 2.2) are rarer, and correcting
# "unqualified" (3.2) to "qualified" would turn a word into its opposite.
COMMON_ZIPF = 3.0


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in English (wordfreq's Zipf scale: 0 for a word it has never seen)."""
    return float(zipf_frequency(word, "en"))


def is_word(word: str) -> bool:
    """Whether English has the word at all (a pattern's stem such as "honorari" is no word)."""
    return zipf(word) > 0


def is_common_word(word: str) -> bool:
    return zipf(word) >= COMMON_ZIPF
