"""Local procedures: routes HR has recorded for organisations whose policy states none.

A reviewed YAML file per organisation beside the packs (`packs/local/<org>.yaml`), validated by the
same models as a pack's route. The bot cites it as a local procedure, with who recorded it and when,
never as the policy.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.loader import PACKS_DIR, SAFE_LOADER, PackError, PackProblem
from knowledge.models import LocalProcedure

LOCAL_DIR = PACKS_DIR / "local"
LOCAL_DOCUMENT = "local procedure"  # the document its stages' sources name


def load_local_procedures(directory: Path = LOCAL_DIR) -> dict[str, LocalProcedure]:
    """Every local procedure file in the folder, keyed by organisation id; a bad file fails the load."""
    found: dict[str, LocalProcedure] = {}
    problems: list[PackProblem] = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            procedure = parse_local_procedure(yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER))
        except (yaml.YAMLError, ValidationError, TypeError) as exc:
            problems.append(PackProblem(str(path), 1, "", f"not a valid local procedure: {exc}"))
            continue
        found[procedure.organisation] = procedure
    if problems:
        raise PackError(problems)
    return found


def parse_local_procedure(data: object) -> LocalProcedure:
    """A local procedure from its YAML or JSON form; stage sources default to the procedure itself."""
    if not isinstance(data, dict):
        raise TypeError("a local procedure is a mapping")
    return LocalProcedure.model_validate(_with_local_sources(data))


def _with_local_sources(data: object) -> object:
    if isinstance(data, dict):
        out = {k: _with_local_sources(v) for k, v in data.items()}
        source = out.get("source")
        if isinstance(source, str | int | float):
            out["source"] = {"document": LOCAL_DOCUMENT, "section": str(source)}
        return out
    if isinstance(data, list):
        return [_with_local_sources(v) for v in data]
    return data
