"""Issue 13, the packs and the glossary (brief 13-packs): questions about what each document records that
the packs and the glossary before it answered with a neighbouring fact, declined, or answered though the
document is silent. Worded apart from the question sets; each case fails on the code and packs before."""

from __future__ import annotations

import pytest

from knowledge.library import Library

# (organisation, question, answered, words the answer must carry, words it must not)
CASES = [
    # Level 3 (Medway, Appendix B): its desirables are PQ training, a Practice Teaching Qualification and a
    # student placement; Level 2's Consolidation Award is no requirement of Level 3.
    ("medway", "which qualifications would be desirable to reach level 3?", True, ["student placement"],
     ["Consolidation"]),
    # The glossary's other names for a post or a specialism reach the document's own: a consultant social
    # worker is Coventry's advanced social worker; practice educator is Medway's practice teaching.
    ("coventry", "could I become a consultant social worker here?", True, ["advanced social worker"], []),
    ("medway", "I'm a practice educator, does that help towards level 3?", True, ["Practice Teaching"], []),
    # UNISON is a trade union (BCC's Introduction: "HR and trade union representatives").
    ("bcc", "were UNISON reps part of developing the policy?", True, ["trade union representatives"], []),
    # Social Work England is a registering body, as HCPC is in BCC's 1.4.
    ("bcc", "what does Social Work England require me to keep?", True, ["HCPC"], []),
    # PQE is post qualifying experience (Coventry 5.15); Medway sets none for any level.
    ("coventry", "what PQE is needed?", True, ["3 years"], []),
    ("medway", "is there a minimum PQE for level 3?", False, ["doesn't say"], []),
    # Coventry's header, in its own parts: the author, the contributors, the Cabinet Member and the date.
    ("coventry", "who is the author of the task and finish group report?", True, ["Gennie Holmes"], []),
    ("coventry", "which principal social worker contributed to the report?", True, ["Pardy-McLaughlin"], []),
    ("coventry", "which councillor is the report to, and on what date?", True, ["16 April 2018", "Ruane"], []),
    # Hertfordshire sets no caseload numbers: a maximum asked for is not stated.
    ("hertfordshire", "what is the maximum caseload for a qualified social worker?", False, ["doesn't say"], []),
    # Places on a course are its intake (30 students a year), not Senior Practitioner posts.
    ("hertfordshire", "how many places are on the social work degree each year?", True, ["30 students"],
     ["Senior Practitioner"]),
    # "When they join" sets the scene: the question asks what the training is, not a date.
    ("bcc", "which mandatory training do adult social workers do when they join?", True, ["Safeguarding Adults"],
     []),
    # Coventry gives no Grade 8 salary; what it says instead (3.3: comparable to the market supplement) follows,
    # and a level named twice ("grade 8 ASW") is named once.
    ("coventry", "what do grade 8 ASWs get paid?", False, ["comparable to the market supplement"],
     ["(Grade 8) and Advanced"]),
    # Silences the documents touch and stop short of: how many cases are audited (BCC 3.2), which competencies
    # the Senior Practitioner scheme needs (Hertfordshire 3.4), a wait before reapplying (Medway's Procedure).
    ("bcc", "exactly how many of my cases are audited live?", False, ["does not say how many"], []),
    ("hertfordshire", "where is the list of competencies for becoming a senior practitioner?", False,
     ["does not list"], []),
    # (The framework sets none: a silence the pack states on what is asked, so answered: false, with the fact.)
    ("medway", "after a refusal, is there a waiting period before applying again?", False, ["sets no waiting time"], []),
    # A deadline or closing date is a "when": Coventry's report gives none for the advanced roles.
    ("coventry", "what is the closing date to apply for the advanced social worker roles?", False,
     ["closing date"], []),
    # Sessional work is secondary employment (BCC 1.4).
    ("bcc", "do I need permission for sessional work at another council?", True, ["secondary employment"], []),
    # Coventry and Hertfordshire have grades, no spinal points.
    ("coventry", "which spinal points does grade 7 cover?", False, ["spinal points"], []),
    ("hertfordshire", "what spinal points are on H8?", False, ["spinal points"], []),
]  # fmt: skip


@pytest.mark.parametrize(("org", "question", "answered", "said", "unsaid"), CASES)
def test_the_answer_says_what_the_document_records(
    library: Library, org: str, question: str, answered: bool, said: list[str], unsaid: list[str]
) -> None:
    answer = library.ask(org, question)
    assert answer.answered is answered, answer.text
    assert all(words in answer.text for words in said), answer.text
    assert not any(words in answer.text for words in unsaid), answer.text
