"""Load policy packs from YAML, all or nothing, with errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import ValidationError

from knowledge.models import Pack

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster
PACKS_DIR = Path(__file__).parent / "packs"
DOCUMENTS_DIR = Path(__file__).parent / "documents"


@dataclass(frozen=True)
class PackProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PackError(Exception):
    """A pack that cannot be used. Carries every problem found, so one run shows them all."""

    def __init__(self, problems: Iterable[PackProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_pack(path: Path) -> Pack:
    text = _read(path)
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise PackError([PackProblem(str(path), line, "", f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise PackError([PackProblem(str(path), 1, "", "a pack must be a mapping at the top level")])
    organisation = data.get("organisation")
    default_document = str(organisation.get("document", "")) if isinstance(organisation, dict) else ""
    try:
        return Pack.model_validate(_with_default_document(data, default_document))
    except ValidationError as exc:
        root = yaml.compose(text, Loader=SAFE_LOADER)  # only now: the node tree knows line numbers
        raise PackError(_problems(path, root, exc)) from exc
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:  # a cross-check that
        # met a shape it did not expect: still a broken pack, reported as one, not a traceback
        raise PackError([PackProblem(str(path), 1, "", f"cannot be read as a pack ({exc!r})")]) from exc


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise PackError([PackProblem(str(path), 1, "", f"cannot be read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise PackError([PackProblem(str(path), line, "", "not UTF-8 text")]) from exc


PackCheck = Callable[[Path, Pack], list[PackProblem]]


class Verdicts(Protocol):
    """Packs that loaded and passed the check before, by a digest of all they depend on
    (knowledge.verified_packs)."""

    def digest(self, pack_bytes: bytes) -> str: ...
    def get(self, digest: str) -> Pack | None: ...
    def put(self, digest: str, pack: Pack) -> None: ...


def load_packs(
    directory: Path = PACKS_DIR, check: PackCheck | None = None, verdicts: Verdicts | None = None
) -> dict[str, Pack]:
    """Every pack in the folder, keyed by organisation id; one broken pack fails the whole load.

    `check` adds the problems of a pack that loads (tracing it to its document, see knowledge.tracing);
    `verdicts` skips loading and checking a pack whose exact bytes passed before.
    """
    packs: dict[str, Pack] = {}
    problems: list[PackProblem] = []
    for path in sorted(directory.glob("*.yaml")):
        digest = _digest(verdicts, path)
        pack = verdicts.get(digest) if verdicts is not None and digest is not None else None
        if pack is None:
            try:
                pack = load_pack(path)
            except PackError as exc:
                problems.extend(exc.problems)
                continue
            found = check(path, pack) if check is not None else []
            problems.extend(found)
            if verdicts is not None and digest is not None and not found:
                verdicts.put(digest, pack)
        if pack.organisation.id in packs:
            problems.append(PackProblem(str(path), 1, "organisation.id", "organisation defined twice"))
        packs[pack.organisation.id] = pack
    if problems:
        raise PackError(problems)
    if not packs:
        raise PackError([PackProblem(str(directory), 1, "", "no policy packs found")])
    return packs


def _digest(verdicts: Verdicts | None, path: Path) -> str | None:
    if verdicts is None:
        return None
    try:
        return verdicts.digest(path.read_bytes())
    except OSError:
        return None  # load_pack reports it


def _with_default_document(data: Any, document: str) -> Any:
    """Sources may be written as a bare section label, and may leave the document out."""
    if isinstance(data, dict):
        out = {k: _with_default_document(v, document) for k, v in data.items()}
        for key in ("source", "effective_source", "not_approved_source"):
            value = out.get(key)
            if isinstance(value, str | int | float):
                out[key] = {"document": document, "section": str(value)}
            elif isinstance(value, dict) and not value.get("document"):
                out[key] = {**value, "document": document}
        return out
    if isinstance(data, list):
        return [_with_default_document(v, document) for v in data]
    return data


def _problems(path: Path, root: yaml.Node | None, exc: ValidationError) -> list[PackProblem]:
    problems = []
    for error in exc.errors():
        loc = [part for part in error["loc"] if not (isinstance(part, str) and "[" in part)]
        line = line_of(root, loc)
        field = ".".join(str(part) for part in loc)
        problems.append(PackProblem(str(path), line, field, error["msg"]))
    return problems


def line_of(node: yaml.Node | None, loc: Iterable[str | int]) -> int:
    """The line of the deepest YAML node the error path reaches."""
    found = node_at(node, loc)
    return found.start_mark.line + 1 if found is not None else 1


def node_at(node: yaml.Node | None, loc: Iterable[str | int]) -> yaml.Node | None:
    """The deepest YAML node the path reaches."""
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None
