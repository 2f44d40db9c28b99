"""The platforms' own published schemas (../shared/schemas/ beside the checkout, see its README).

Tests validate what Pathway produces (the Teams and Slack manifests, every Adaptive Card) against them
rather than against hand-written subsets, which can carry the same mistake as the code. Where the folder
is absent, the tests that need it skip and say why.

Slack publishes no JSON schema for Block Kit; its own SDK's models (slack_sdk.models, maintained by
Slack) are the reference used for messages and modals (`block_kit_problems`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

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


def block_kit_problems(
    blocks: list[dict[str, Any]] | None = None, view: dict[str, Any] | None = None
) -> list[str]:
    """What Slack's SDK finds wrong with message `blocks` or a modal `view`: a block or element type it
    does not know, a field it does not know (the model's own JSON leaves it out), or a broken limit."""
    found: list[str] = []
    if view is not None:
        try:
            parsed = View(**view)
            parsed.validate_json()
            read = parsed.to_dict()  # validates what it holds, nested objects too
        except (SlackObjectFormationError, TypeError) as exc:
            return [f"view: {exc}"]
        if read != view:
            found.append(f"view: Slack's model reads it differently: {json.dumps(read)[:500]}")
        blocks = view.get("blocks", [])
    for n, block in enumerate(blocks or []):
        try:
            model = Block.parse(block)
            if model is None or model.type != block.get("type"):
                found.append(f"blocks/{n}: not a block type Slack's SDK knows: {block.get('type')!r}")
                continue
            model.validate_json()
            read = model.to_dict()
        except (SlackObjectFormationError, TypeError) as exc:
            found.append(f"blocks/{n}: {exc}")
            continue
        if read != block:
            found.append(f"blocks/{n}: Slack's model reads it differently: {json.dumps(read)[:500]}")
    return found
