"""Trace a pack back to its documents: every source names a real section, every number is in the text.

This is what lets the bot promise it never states a figure its sources do not contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from knowledge.loader import (
    DOCUMENTS_DIR,
    PACKS_DIR,
    SAFE_LOADER,
    PackCheck,
    PackProblem,
    Verdicts,
    load_packs,
    node_at,
)
from knowledge.models import Pack, Source, Sourced

# Fields that name or order things rather than state facts.
STRUCTURAL_FIELDS = frozenset(
    {
        "id", "rank", "aliases", "keywords", "topics", "answers", "applies_to", "level", "framework",
        "competencies_required", "roles", "kind", "stage", "rule", "status", "role", "counted_from",
        "essential", "final", "mandatory", "source", "effective_source", "not_approved_source",
    }
)  # fmt: skip

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fourteen": "14",
    "twenty": "20", "half": "50",
}  # fmt: skip
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(NUMBER_WORDS)})\b")
PATH_PART = re.compile(r"[^.\[\]]+")


@dataclass(frozen=True)
class TraceProblem:
    where: str
    message: str
    number: str | None = None  # the number the document lacks, when that is the problem

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def load_traced_packs(
    directory: Path = PACKS_DIR, documents_dir: Path = DOCUMENTS_DIR, verdicts: Verdicts | None = None
) -> dict[str, Pack]:
    """Every pack in the folder, loaded and traced to its document: what `pathway policy check` checks
    and what start-up demands, so a pack whose figure was edited is never served. Raises PackError.
    With `verdicts` (knowledge.verified_packs), a pack whose exact bytes, documents and checking code
    passed before is not loaded and traced again."""
    check: PackCheck = lambda path, pack: trace_problems(path, pack, documents_dir)  # noqa: E731
    return load_packs(directory, check=check, verdicts=verdicts)


def trace_problems(path: Path, pack: Pack, documents_dir: Path = DOCUMENTS_DIR) -> list[PackProblem]:
    """`trace(pack)` as problems naming the pack file and the line of the untraced fact."""
    problems = trace(pack, documents_dir)
    if not problems:
        return []
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    return [PackProblem(str(path), _line(root, p), p.where, p.message) for p in problems]


def _line(root: yaml.Node | None, problem: TraceProblem) -> int:
    """The line of the fact, or of the very number in it the document lacks."""
    node = node_at(root, _path_parts(problem.where))
    if node is None:
        return 1
    if problem.number is not None:
        node = next((n for n in _scalars(node) if problem.number in _numbers_in(n.value)), node)
    return int(node.start_mark.line) + 1


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            yield from _scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)


def _path_parts(where: str) -> list[str | int]:
    """'levels[2].pay' -> ['levels', 2, 'pay']"""
    return [int(part) if part.isdigit() else part for part in PATH_PART.findall(where)]


def trace(pack: Pack, documents_dir: Path = DOCUMENTS_DIR) -> list[TraceProblem]:
    """Every way the pack fails to trace to its documents; empty when it is sound."""
    problems: list[TraceProblem] = []
    for where, item in sourced_items(pack):
        problems.extend(_trace_item(where, item, documents_dir))
    org = pack.organisation
    if org.effective_date is not None:
        if org.effective_source is None:
            problems.append(TraceProblem("organisation.effective_date", "has no effective_source"))
        else:
            text = document_numbers(org.effective_source.document, documents_dir)
            if str(org.effective_date.year) not in text:
                problems.append(TraceProblem("organisation.effective_date", "year not in the document"))
    return problems


def sourced_items(model: BaseModel, where: str = "") -> Iterator[tuple[str, Sourced]]:
    """Every fact-bearing object in the pack, with its path."""
    if isinstance(model, Sourced):
        yield where, model
    for name, value in model:
        path = f"{where}.{name}" if where else name
        if isinstance(value, BaseModel):
            yield from sourced_items(value, path)
        elif isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, BaseModel):
                    yield from sourced_items(entry, f"{path}[{i}]")


def stated_numbers(item: BaseModel) -> set[str]:
    """Numbers the item itself states (not those of nested sourced items, which trace on their own)."""
    found: set[str] = set()
    for name, value in item:
        if name in STRUCTURAL_FIELDS or isinstance(value, Sourced):
            continue
        found |= _numbers_in(value)
    return found


def _numbers_in(value: object) -> set[str]:
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float):
        return {_plain(str(value))}
    if isinstance(value, str):
        return {_plain(m) for m in NUMBER.findall(value)}
    if isinstance(value, Sourced):
        return set()
    if isinstance(value, BaseModel):
        return stated_numbers(value)
    if isinstance(value, dict):
        return set().union(*(_numbers_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_numbers_in(v) for v in value)) if value else set()
    return set()


def _plain(number: str) -> str:
    number = number.replace(",", "")
    return number[:-2] if number.endswith(".0") else number


def _trace_item(where: str, item: Sourced, documents_dir: Path) -> Iterator[TraceProblem]:
    source: Source = item.source
    path = documents_dir / f"{source.document}.txt"
    if not path.exists():
        yield TraceProblem(where, f"source document {source.document!r} not found")
        return
    if _normal(source.section) not in document_text(source.document, documents_dir):
        yield TraceProblem(where, f"section {source.section!r} not found in {source.document}")
    numbers = document_numbers(source.document, documents_dir)
    for number in sorted(stated_numbers(item)):
        if number not in numbers:
            yield TraceProblem(where, f"number {number} does not appear in {source.document}", number)


@cache
def document_text(document: str, documents_dir: Path = DOCUMENTS_DIR) -> str:
    return _normal((documents_dir / f"{document}.txt").read_text(encoding="utf-8"))


@cache
def document_numbers(document: str, documents_dir: Path = DOCUMENTS_DIR) -> frozenset[str]:
    text = (documents_dir / f"{document}.txt").read_text(encoding="utf-8").lower()
    numbers = {_plain(m) for m in NUMBER.findall(text)}
    numbers |= {NUMBER_WORDS[word] for word in NUMBER_WORD.findall(text)}
    return frozenset(numbers)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip()
