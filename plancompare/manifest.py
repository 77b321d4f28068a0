"""Loading and validating the plan manifest (`data/plans.yml`) as a whole, before any work."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ManifestError(Exception):
    """Every problem found in a manifest, each naming its line."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


class Plan(BaseModel):
    """One plan entry of the manifest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    city: str
    city_zh: str
    title_zh: str
    title_en: str
    period: tuple[int, int]
    baseline_year: int
    source: str
    issued: dt.date | None = None
    issuer_zh: str | None = None
    doc_number: str | None = None
    encoding: str | None = None

    @field_validator("id")
    @classmethod
    def _safe_id(cls, v: str) -> str:
        if not SAFE_ID.match(v):
            raise ValueError(
                f"id {v!r} is not a safe file name (use lower-case letters, digits, '-' and '_')"
            )
        return v

    @model_validator(mode="after")
    def _period_order(self) -> Plan:
        start, end = self.period
        if end < start:
            raise ValueError(f"period end {end} precedes its start {start}")
        return self

    @property
    def start(self) -> int:
        return self.period[0]

    @property
    def end(self) -> int:
        return self.period[1]

    def label(self) -> str:
        """Return a short bilingual label: city and period."""
        return f"{self.city} {self.city_zh} {self.start}–{self.end}"


@dataclass(frozen=True)
class Manifest:
    """The validated manifest: plans in order, comparisons, and where the file lives."""

    path: Path
    plans: tuple[Plan, ...]
    comparisons: tuple[tuple[str, str], ...]
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def plan(self, plan_id: str) -> Plan:
        """Return the plan with this id."""
        for p in self.plans:
            if p.id == plan_id:
                return p
        raise KeyError(f"{self.path}: no plan with id {plan_id!r}")

    def source_path(self, plan: Plan) -> Path:
        """Return the absolute path of a plan's text."""
        return (self.base_dir / plan.source).resolve()

    def plan_index(self, plan_id: str) -> int:
        """Return the plan's position in the manifest (it fixes the plan's colour)."""
        return [p.id for p in self.plans].index(plan_id)

    def entry(self, plan_id: str) -> dict[str, Any]:
        """Return the plan's manifest entry as plain data."""
        return self.plan(plan_id).model_dump(mode="json")


def _node_lines(node: yaml.Node) -> dict[str, Any]:
    """Return the line numbers (1-based) of the plans and comparisons in a composed YAML tree."""
    out: dict[str, Any] = {"plans": [], "plan_fields": [], "comparisons": []}
    if not isinstance(node, yaml.MappingNode):
        return out
    for key, value in node.value:
        if key.value == "plans" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                out["plans"].append(item.start_mark.line + 1)
                fields = {}
                if isinstance(item, yaml.MappingNode):
                    fields = {k.value: k.start_mark.line + 1 for k, _ in item.value}
                out["plan_fields"].append(fields)
        elif key.value == "comparisons" and isinstance(value, yaml.SequenceNode):
            out["comparisons"] = [item.start_mark.line + 1 for item in value.value]
    return out


def _describe(err: dict[str, Any]) -> str:
    loc = [str(x) for x in err["loc"]]
    if err["type"] == "missing":
        return f"missing field '{loc[0]}'"
    if err["type"] == "extra_forbidden":
        return f"unknown field '{loc[0]}'"
    msg = err["msg"].removeprefix("Value error, ")
    where = loc[0] if loc else ""
    return f"{where}: {msg}" if where and not msg.startswith(("id ", "period ")) else msg


def load_manifest(path: Path | str) -> Manifest:
    """Return the validated manifest, or raise ManifestError listing every problem with its line."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(path, ["manifest file not found"])
    text = path.read_text(encoding="utf-8-sig")
    try:
        raw = yaml.safe_load(text)
        lines = _node_lines(yaml.compose(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise ManifestError(
            path, [f"{line}not valid YAML ({getattr(exc, 'problem', exc)})"]
        ) from None
    if not isinstance(raw, dict):
        raise ManifestError(path, ["line 1: expected a mapping with 'plans' and 'comparisons'"])

    problems: list[str] = []
    for key in sorted(set(raw) - {"plans", "comparisons"}):
        problems.append(f"unknown top-level key '{key}'")
    entries = raw.get("plans")
    if not isinstance(entries, list) or not entries:
        problems.append("'plans' must be a non-empty list")
        entries = []

    plans: list[Plan] = []
    seen: dict[str, int] = {}
    base = path.parent.resolve()
    for i, entry in enumerate(entries):
        line = lines["plans"][i] if i < len(lines["plans"]) else 0
        fields = lines["plan_fields"][i] if i < len(lines["plan_fields"]) else {}
        if not isinstance(entry, dict):
            problems.append(f"line {line}: plan entry must be a mapping")
            continue
        try:
            plan = Plan.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                field_name = str(err["loc"][0]) if err["loc"] else ""
                at = fields.get(field_name, line)
                who = entry.get("id", f"entry {i + 1}")
                problems.append(f"line {at}: plan '{who}': {_describe(err)}")
            continue
        if plan.id in seen:
            problems.append(
                f"line {line}: duplicate plan id '{plan.id}' (first at line {seen[plan.id]})"
            )
            continue
        src = (base / plan.source).resolve()
        if not src.is_relative_to(base):
            at = fields.get("source", line)
            problems.append(
                f"line {at}: plan '{plan.id}': source '{plan.source}' is outside the manifest's folder"
            )
            continue
        seen[plan.id] = line
        plans.append(plan)

    comparisons: list[tuple[str, str]] = []
    raw_cmp = raw.get("comparisons") or []
    if not isinstance(raw_cmp, list):
        problems.append("'comparisons' must be a list of [left_id, right_id] pairs")
        raw_cmp = []
    for j, pair in enumerate(raw_cmp):
        line = lines["comparisons"][j] if j < len(lines["comparisons"]) else 0
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        ):
            problems.append(f"line {line}: comparison must be a pair [left_id, right_id]")
            continue
        # A comparison naming a plan that failed validation is reported through that plan.
        known = {e.get("id") for e in entries if isinstance(e, dict)}
        unknown = [x for x in pair if x not in known]
        if unknown:
            problems.append(f"line {line}: comparison names unknown plan '{unknown[0]}'")
            continue
        if pair[0] == pair[1]:
            problems.append(f"line {line}: comparison of plan '{pair[0]}' with itself")
            continue
        comparisons.append((pair[0], pair[1]))

    if problems:
        raise ManifestError(path, problems)
    plan_lines = {p.id: seen[p.id] for p in plans}
    return Manifest(path.resolve(), tuple(plans), tuple(comparisons), plan_lines)
