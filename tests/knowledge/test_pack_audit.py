"""What the section-by-section audit of each document against its pack (2026-12-02) found missing or wrong:
each case asks about something the document says (or is silent on) that the packs before the audit answered
with a neighbouring fact, declined, or answered from the document's header. Worded apart from the question
sets, so they test the packs' content, not a phrasing."""

from __future__ import annotations

import pytest

from knowledge.library import Library

FOUND = [
    # 11.2: a review of the revised framework is to come back to Committee in twelve months' time.
    ("medway", "will the competency framework itself be looked at again by the committee?", ["twelve months"]),
    # 3.3's "Position now" table gives the gap before the supplement (£3,599) as well as after (£599).
    ("hertfordshire", "how does HCC pay compare with the London boroughs?", ["£3,599", "£599"]),
    # Financial Implications: £3,404 per WTE upgraded, including on costs.
    ("hertfordshire", "what was the cost per WTE of upgrading from H9 to M1, with on costs?", ["£3,404"]),
    # Section 4 lists what the yearly CPD log includes in one sentence; the pack had it in three facts.
    ("bcc", "what must the yearly CPD log contain?",
     ["peer learning", "direct observation", "feedback from people who require services"]),
    # 6.5: Members asked about the loss of salary; the report records no answer.
    ("coventry", "do people losing the £5k supplement keep their pay?",
     ["does not say whether there will be pay protection"]),
    # 5.15: the panels "ensure that candidates meet the criteria", which the report never sets out.
    ("coventry", "what criteria do the panels use for the advanced social worker role?",
     ["does not set out the criteria"]),
    # 1.2 names the task and finish group's members.
    ("coventry", "which councillors sat on the task and finish group?", ["Lepoidevin", "Mal Mutton (Chair)"]),
    # Second audit (brief i13q). 5.6: besides the open forum, audit reports are shared with all managers.
    ("coventry", "do managers see the case audit reports?", ["shared with all managers"]),
    # 5.7: staff need reminding that the audit information is there and how to access it.
    ("coventry", "how will staff know where to find the learning from audits?", ["how to access it"]),
    # 9.1: the Broadgate refurbishment is budgeted in the capital programme.
    ("coventry", "has the refurbishment been budgeted for?", ["capital programme"]),
    # 2.3: the post qualifying pathway is being developed with Coventry University (a who, not only a how).
    ("coventry", "who is developing the PQ pathway with Coventry?", ["Coventry University"]),
    # Financial Implications: each area's total, and the parts of the supplements' cost with their on costs.
    ("hertfordshire", "what is the total cost of the career progression proposals?", ["£316,332", "£537,240"]),
    ("hertfordshire", "how much do the £2,000 supplements cost with on costs?", ["£529", "£240,255"]),
    # 2.1: the inspection history the framework starts from (JAR 2006, OfSTED 2008, February 2010).
    ("medway", "what did inspections say about medway safeguarding?", ["2006", "adequate", "February 2010"]),
]  # fmt: skip


@pytest.mark.parametrize(("org", "question", "said"), FOUND)
def test_what_the_document_says_is_in_the_answer(
    library: Library, org: str, question: str, said: list[str]
) -> None:
    answer = library.ask(org, question)
    assert all(words in answer.text for words in said), answer.text


def test_the_report_header_names_who_wrote_it_not_who_runs_the_scheme(library: Library) -> None:
    # Hertfordshire's header fact was keyed to "who manages", "who runs": the author is not the scheme's owner.
    answer = library.ask("hertfordshire", "who runs it?")
    assert "Paul Chamberlain" not in answer.text
