"""Print the PostgreSQL URL the test suite should use, or nothing when none answers (`make test`).

PATHWAY_TEST_DATABASE_URL wins when set (and is printed only if it answers, so a typo is not silently
taken for "no PostgreSQL": the message says it did not answer). Otherwise the local default that
.ci/run and the README describe: postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import os
import sys

import psycopg

LOCAL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def answers(url: str) -> bool:
    try:
        with psycopg.connect(url.replace("+psycopg", "", 1), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def main() -> None:
    given = os.environ.get("PATHWAY_TEST_DATABASE_URL", "")
    url = given or LOCAL_DEFAULT
    if answers(url):
        print(url)
    elif given:
        print(f"PATHWAY_TEST_DATABASE_URL={given} does not answer", file=sys.stderr)


if __name__ == "__main__":
    main()
