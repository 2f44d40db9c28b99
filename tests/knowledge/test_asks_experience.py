"""Experience or service asked "how much" of is a length of time, not a sum."""

from knowledge.asks import Ask, read_asks
from knowledge.library import Library


def test_how_much_experience_asks_a_duration_not_an_amount() -> None:
    asks = read_asks("how much pq experience do you need to be an ap")
    assert Ask.duration in asks
    assert Ask.amount not in asks


def test_how_much_money_still_asks_an_amount() -> None:
    assert Ask.amount in read_asks("how much is the supplement")


def test_the_rules_own_length_is_no_service_of_the_askers(library: Library) -> None:
    # "the 3 years PQE" is Coventry's rule (§5.15), not how long the asker has served: the old code answered
    # "On service, yes ... You have told me about 3 years".
    answer = library.ask(
        "coventry", "would the 3 years post qualifying experience for AP include time on agency contracts?"
    )
    assert "You have told me" not in answer.text and "On service, yes" not in answer.text


def test_whether_there_is_a_wait_asks_how_long() -> None:
    assert Ask.duration in read_asks("can i apply once my induction is done or do i have to wait")
    assert Ask.duration not in read_asks("do i have to wait for my manager to sign it")  # a person waited on


def test_the_wait_asked_about_is_no_service_of_the_askers(library: Library) -> None:
    # "wait a year" is the wait asked about: the old code answered "On service, yes ... You have told me about
    # 1 year" to a newly qualified worker who had said nothing of their service.
    answer = library.ask(
        "medway", "I'm newly qualified. can I go for level 2 straight after induction or must I wait a year?"
    )
    assert "You have told me" not in answer.text and "On service, yes" not in answer.text
    assert "one year's service" in answer.text
