"""Loading and validating the plan manifest (`data/plans.yml`) as a whole, before any work."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from .storage import YAML_LOADER, read_yaml

MAX_ID = 64
SAFE_ID = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{MAX_ID - 1}}}$")
TOP_LEVEL = {"plans", "comparisons"}
# Required text fields must say something; white space alone is a missing value.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A year is a whole number (not true/false, not "2016") in the span of modern plans.
FIRST_YEAR, LAST_YEAR = 1900, 2200
Year = Annotated[int, Field(strict=True, ge=FIRST_YEAR, le=LAST_YEAR)]


class OneLineError:
    """A mix-in for a mistake in a notebook's parameters: IPython shows its message, no traceback."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class UnknownPlanError(OneLineError, KeyError):
    """A plan id that the manifest does not hold."""


class SamePlanError(OneLineError, ValueError):
    """A comparison of a plan with itself."""


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
    city: Text
    city_zh: Text
    title_zh: Text
    title_en: Text
    period: tuple[Year, Year]
    baseline_year: Year
    source: Text
    issued: dt.date | None = None
    issuer_zh: str | None = None
    doc_number: str | None = None
    encoding: str | None = None
    # Set by load_manifest when another plan has the same city and period: labels name the id.
    _shares_label: bool = PrivateAttr(default=False)

    @field_validator("id")
    @classmethod
    def _safe_id(cls, v: str) -> str:
        if len(v) > MAX_ID:
            raise ValueError(f"id {v!r} is too long ({len(v)} characters, at most {MAX_ID})")
        if not SAFE_ID.match(v):
            raise ValueError(
                f"id {v!r} is not a safe file name (use lower-case letters, digits, '-' and '_')"
            )
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding '{v}'") from None
        return v

    @model_validator(mode="after")
    def _years_in_order(self) -> Plan:
        problems = _year_problems(self.period, self.baseline_year)
        if problems:
            raise ValueError(problems[0][1])
        return self

    @property
    def start(self) -> int:
        return self.period[0]

    @property
    def end(self) -> int:
        return self.period[1]

    def label(self) -> str:
        """Return a short bilingual label: city and period (and id, when another plan shares them)."""
        short = f"{self.city} {self.city_zh} {self.start}–{self.end}"
        return f"{short} ({self.id})" if self._shares_label else short


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
        known = ", ".join(p.id for p in self.plans)
        raise UnknownPlanError(f"{self.path}: no plan with id {plan_id!r} (its plans: {known})")

    def pair(self, left: str, right: str) -> list[Plan]:
        """Return the two plans of a comparison (two different plans of the manifest)."""
        if left == right:
            raise SamePlanError(f"left and right are both {left!r}: choose two different plans")
        return [self.plan(left), self.plan(right)]

    def source_path(self, plan: Plan) -> Path:
        """Return the absolute path of a plan's text."""
        return (self.base_dir / plan.source).resolve()

    def plan_index(self, plan_id: str) -> int:
        """Return the plan's position in the manifest (it fixes the plan's colour)."""
        return [p.id for p in self.plans].index(plan_id)

    def entry(self, plan_id: str) -> dict[str, Any]:
        """Return the plan's manifest entry as plain data."""
        return self.plan(plan_id).model_dump(mode="json")


class _AliasMarkingLoader(yaml.SafeLoader):
    """A loader whose composed aliases (- *entry) carry their own line, not their anchor's."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if not self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        node = super().compose_node(parent, index)
        return type(node)(node.tag, node.value, mark, node.end_mark)


def _compose(text: str) -> yaml.Node | None:
    """Return the YAML tree for line numbers; a text with an alias ('*') takes the marking loader."""
    return yaml.compose(text, Loader=_AliasMarkingLoader if "*" in text else YAML_LOADER)


def _key_lines(node: yaml.Node) -> tuple[dict[str, int], list[str]]:
    """Return a mapping node's keys with their lines, and the keys given more than once."""
    lines: dict[str, int] = {}
    repeated: list[str] = []
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value in lines:
                repeated.append(f"line {k.start_mark.line + 1}: field '{k.value}' given twice")
            lines.setdefault(k.value, k.start_mark.line + 1)
    return lines, repeated


def _node_lines(node: yaml.Node) -> dict[str, Any]:
    """Return the line numbers (1-based) of the plans and comparisons in a composed YAML tree."""
    out: dict[str, Any] = {"plans": [], "plan_fields": [], "repeated": [], "comparisons": []}
    if not isinstance(node, yaml.MappingNode):
        return out
    out["top"], out["top_repeated"] = _key_lines(node)
    for key, value in node.value:
        if key.value == "plans" and isinstance(value, yaml.SequenceNode):
            # A key given twice keeps its last value when loaded: so do its lines.
            out["plans"], out["plan_fields"], out["repeated"] = [], [], []
            for item in value.value:
                out["plans"].append(item.start_mark.line + 1)
                fields, repeated = _key_lines(item)
                out["plan_fields"].append(fields)
                out["repeated"].append(repeated)
        elif key.value == "comparisons" and isinstance(value, yaml.SequenceNode):
            out["comparisons"] = [item.start_mark.line + 1 for item in value.value]
    return out


def _describe(err: dict[str, Any]) -> str:
    """Return a pydantic error as a short phrase naming the field."""
    loc = [str(x) for x in err["loc"]]
    if err["type"] == "missing" and len(loc) > 1:  # period: [2016]
        return f"'{loc[0]}' needs two items, [start, end]"
    if err["type"] == "missing":
        return f"missing field '{loc[0]}'"
    if err["type"] == "extra_forbidden":
        return f"unknown field '{loc[0]}'"
    if err["type"] == "tuple_type" and loc == ["period"]:  # period: "2011-2015"
        return "'period' must be a list of two years, [start, end], e.g. [2011, 2015]"
    if err["type"] == "value_error":  # our own validators' messages name the field already
        return err["msg"].removeprefix("Value error, ")
    return f"{'.'.join(loc)}: {err['msg']}" if loc else err["msg"]


def _scalars(node: yaml.Node) -> list[yaml.ScalarNode]:
    """Return the scalar nodes of a composed YAML tree in document order."""
    if isinstance(node, yaml.ScalarNode):
        return [node]
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    return [s for child in children for s in _scalars(child)]


def _value_problem(text: str) -> str:
    """Return the first scalar that YAML parses but cannot turn into a value, with its line."""
    for node in _scalars(yaml.compose(text)):
        try:
            yaml.SafeLoader("").construct_object(node)
        except (ValueError, OverflowError) as exc:  # a date such as 2016-13-45
            kind = "date" if node.tag.endswith(":timestamp") else node.tag.rsplit(":", 1)[-1]
            return f"line {node.start_mark.line + 1}: '{node.value}' is not a valid {kind} ({exc})"
    return "a value cannot be read"


def _read_yaml(path: Path) -> tuple[Any, dict[str, Any]]:
    """Return the parsed manifest and its line numbers; raise ManifestError if it is not YAML."""
    if path.is_dir():
        raise ManifestError(path, ["a folder, not a manifest file"])
    if not path.is_file():
        raise ManifestError(path, ["manifest file not found"])
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:200]:
        raise ManifestError(path, ["UTF-16 (or other wide) text: save the manifest as UTF-8"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(path, [f"not UTF-8 text (byte offset {exc.start})"]) from None
    try:
        try:
            return read_yaml(text), _node_lines(_compose(text))
        except yaml.YAMLError:
            # The pure-Python parser's messages are the ones users see (and tests check).
            return yaml.safe_load(text), _node_lines(yaml.compose(text, Loader=_AliasMarkingLoader))
    except (ValueError, OverflowError):  # parsed, but a value is impossible (2016-13-45)
        raise ManifestError(path, [_value_problem(text)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ManifestError(path, [f"{line}not valid YAML ({problem})"]) from None


def _year_problems(period: Any, baseline: Any) -> list[tuple[str, str]]:
    """Return (field, problem) for a period out of order or a baseline year after its start."""
    if not (
        isinstance(period, list | tuple)
        and len(period) == 2
        and all(isinstance(y, int) for y in period)
    ):
        return []
    start, end = period
    out = []
    if end < start:
        out.append(("period", f"period end {end} precedes its start {start}"))
    if isinstance(baseline, int) and baseline > start:
        out.append(
            ("baseline_year", f"baseline year {baseline} is after the period's start {start}")
        )
    return out


def _raw_checks(entry: dict[str, Any], base: Path) -> list[tuple[str, str]]:
    """Return (field, problem) for checks that hold even when other fields of the entry are bad."""
    out = _year_problems(entry.get("period"), entry.get("baseline_year"))
    source = entry.get("source")
    if isinstance(source, str) and source:
        try:
            resolved = (base / source).resolve()
        except (OSError, RuntimeError):  # a symbolic link that points to itself, in a loop
            out.append(("source", f"source '{source}' cannot be resolved (a symbolic-link loop?)"))
        else:
            if not resolved.is_relative_to(base):
                out.append(("source", f"source '{source}' is outside the manifest's folder"))
    return out


def _entry_problems(
    entry: Any, index: int, lines: dict[str, Any], base: Path
) -> tuple[Plan | None, list[str]]:
    """Return the validated plan of one entry (None if invalid) and its problems, each with a line."""
    line = lines["plans"][index] if index < len(lines["plans"]) else 0
    fields = lines["plan_fields"][index] if index < len(lines["plan_fields"]) else {}
    if not isinstance(entry, dict):
        return None, [f"line {line}: plan entry must be a mapping"]
    who = entry.get("id", f"entry {index + 1}")
    found: list[tuple[str, str]] = []
    plan = None
    raw = _raw_checks(entry, base)
    field_of = {text: name for name, text in raw}
    try:
        plan = Plan.model_validate(entry)
    except ValidationError as exc:
        for err in exc.errors():
            text = _describe(err)
            # A whole-entry check (the years' order) names its field through the raw checks.
            name = str(err["loc"][0]) if err["loc"] else field_of.get(text, "")
            found.append((name, text))
    found += raw
    repeated = lines["repeated"][index] if index < len(lines["repeated"]) else []
    at = sorted((fields.get(name, line), text) for name, text in dict.fromkeys(found))
    problems = repeated + [f"line {n}: plan '{who}': {text}" for n, text in at]
    return (plan if not problems else None), problems


def _comparison_problems(
    raw_cmp: Any, known: set[str], lines: dict[str, Any]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the valid comparison pairs and the problems of the others, each with a line."""
    if not isinstance(raw_cmp, list):
        return [], ["'comparisons' must be a list of [left_id, right_id] pairs"]
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for j, pair in enumerate(raw_cmp):
        line = lines["comparisons"][j] if j < len(lines["comparisons"]) else 0
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        ):
            problems.append(f"line {line}: comparison must be a pair [left_id, right_id]")
        elif unknown := [x for x in pair if x not in known]:
            names = ", ".join(f"'{x}'" for x in unknown)
            problems.append(f"line {line}: comparison names unknown plan {names}")
        elif pair[0] == pair[1]:
            problems.append(f"line {line}: comparison of plan '{pair[0]}' with itself")
        elif (pair[0], pair[1]) in pairs:
            problems.append(f"line {line}: comparison {pair[0]} vs {pair[1]} listed twice")
        elif (pair[1], pair[0]) in pairs:
            # The same two plans the other way round: the same report, mirrored.
            problems.append(
                f"line {line}: comparison {pair[0]} vs {pair[1]} repeats {pair[1]} vs {pair[0]} "
                "in the other order"
            )
        else:
            pairs.append((pair[0], pair[1]))
    return pairs, problems


def load_manifest(path: Path | str) -> Manifest:
    """Return the validated manifest, or raise ManifestError listing every problem with its line."""
    path = Path(path)
    raw, lines = _read_yaml(path)
    if raw is None:
        raise ManifestError(path, ["the manifest is empty (no 'plans' and 'comparisons')"])
    if not isinstance(raw, dict):
        raise ManifestError(path, ["line 1: expected a mapping with 'plans' and 'comparisons'"])

    top = lines.get("top", {})
    problems = [
        f"line {top.get(key, 1)}: unknown top-level key '{key}'"
        for key in sorted(set(raw) - TOP_LEVEL, key=lambda k: (top.get(k, 1), str(k)))
    ]
    problems += [p.replace("field", "key", 1) for p in lines.get("top_repeated", [])]
    entries = raw.get("plans")
    if not isinstance(entries, list) or not entries:
        problems.append(
            f"line {top.get('plans', 1)}: 'plans' must be a non-empty list of entries ('- id: ...')"
        )
        entries = []

    plans: list[Plan] = []
    seen: dict[str, int] = {}
    base = path.parent.resolve()
    for i, entry in enumerate(entries):
        plan, found = _entry_problems(entry, i, lines, base)
        line = lines["plans"][i] if i < len(lines["plans"]) else 0
        plan_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(plan_id, str) and plan_id in seen:
            found.append(
                f"line {line}: duplicate plan id '{plan_id}' (first at line {seen[plan_id]})"
            )
            plan = None
        elif isinstance(plan_id, str):
            seen[plan_id] = line
        problems += found
        if plan is not None:
            plans.append(plan)

    # A comparison naming a plan that failed validation is reported through that plan.
    comparisons, cmp_problems = _comparison_problems(raw.get("comparisons") or [], set(seen), lines)
    cmp_line = top.get("comparisons", 1)
    cmp_problems = [p if p.startswith("line ") else f"line {cmp_line}: {p}" for p in cmp_problems]
    problems += cmp_problems
    if problems:
        raise ManifestError(path, problems)
    same = Counter((p.city, p.city_zh, p.period) for p in plans)
    for p in plans:
        p._shares_label = same[(p.city, p.city_zh, p.period)] > 1
    return Manifest(path.resolve(), tuple(plans), tuple(comparisons), dict(seen))
