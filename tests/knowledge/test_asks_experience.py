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
