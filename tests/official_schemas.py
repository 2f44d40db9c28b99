"""The platforms' own published schemas (../shared/schemas/ beside the checkout, see its README).

Tests validate what Pathway produces (the Teams and Slack manifests, every Adaptive Card) against them
rather than against hand-written subsets, which can carry the same mistake as the code. Where the folder
is absent, the tests that need it skip and say why.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
TEAMS_MANIFEST = "teams-manifest-1.17.schema.json"
ADAPTIVE_CARD = "adaptive-card-1.5.schema.json"
SLACK_MANIFESTS = ("slack-manifest-1.0.0.schema.json", "slack-manifest-2.0.0.schema.json")


def available() -> bool:
    return SCHEMAS.is_dir()


@functools.cache
def _validator(name: str) -> Any:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)  # each names its draft in $schema
    validator.check_schema(schema)
    return validator(schema)


def validator(name: str) -> Any:
    """The validator for the official schema `name`; the calling test skips when the folder is absent."""
    if not available():
        pytest.skip(
            f"the platforms' official schemas are not at {SCHEMAS} (../shared/schemas/ beside the checkout)"
        )
    return _validator(name)


def problems(name: str, document: Any) -> list[str]:
    """What the official schema `name` finds wrong with `document`, one line per error."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator(name).iter_errors(document)
    ]
