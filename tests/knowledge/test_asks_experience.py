"""Experience or service asked "how much" of is a length of time, not a sum."""

from knowledge.asks import Ask, read_asks


def test_how_much_experience_asks_a_duration_not_an_amount() -> None:
    asks = read_asks("how much pq experience do you need to be an ap")
    assert Ask.duration in asks
    assert Ask.amount not in asks


def test_how_much_money_still_asks_an_amount() -> None:
    assert Ask.amount in read_asks("how much is the supplement")
