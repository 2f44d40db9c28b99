"""Running calls at the same moment on separate threads, for race tests."""

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_together(*calls: Callable[[], T], timeout: float = 30) -> list[T]:
    """Start every call at once (each on its own thread) and return their results in order.

    Each call must open its own session: a session belongs to one thread at a time.
    """
    barrier = threading.Barrier(len(calls))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as error:  # re-raised on the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    assert len(results) == len(calls), "a call did not finish in time"
    return [results[index] for index in range(len(calls))]
