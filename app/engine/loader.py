"""Load and validate framework folders.

A framework folder holds `framework.yaml` (the manifest) and one YAML file per domain, listed
in the manifest. `validate` reads everything and returns every problem it finds, each naming
the file, line and id; `load` returns the Framework or raises FrameworkError with the problems.

Checking happens in three passes over the YAML (read with line numbers by `yamlsrc`):
1. shape: each file against its pydantic model (unknown keys, missing keys, wrong types, bad
   ids, out-of-range numbers), every pydantic error mapped back to a line;
2. meaning: duplicate ids, conditions and triggers, yes/no options, RAG bands, sources...
   written defensively so a file with shape problems still gets its other problems reported;
3. across files: duplicate domain and item ids, listed files missing, unlisted files present.
Only when there are no problems is the Framework built (and then it cannot fail).
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .model import (
    CHOICE_TYPES,
    ActionSpec,
    Condition,
    Domain,
    Framework,
    Item,
    Option,
    Question,
    RagBand,
    RawDomain,
    RawItem,
    RawManifest,
    Reference,
    Scoring,
    Source,
    questions_can_be_blanket,
)
from .yamlsrc import LDict, LList, YamlProblem, parse

__all__ = ["FrameworkError", "Problem", "load", "load_all", "validate", "summary"]

MANIFEST = "framework.yaml"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a framework. `str(problem)` is "file:line: id: message"."""

    file: str  # relative to the framework folder's parent, e.g. "blanket-restrictions/doors.yaml"
    line: int  # 1-based
    id: str  # the item (or "item/question", "item/action"), question, domain or file id
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.id}: {self.message}"


class FrameworkError(Exception):
    """A framework could not be loaded. `.problems` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        extra = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the framework:\n{shown}{extra}")


# --- public API ------------------------------------------------------------------------------


def load(path: str | Path) -> Framework:
    """Load one framework folder. Raises FrameworkError listing every problem."""
    folder = _folder(path)
    if not (folder / MANIFEST).is_file():
        raise FrameworkError([_no_manifest(folder)])
    framework, problems = _Reader(folder).read()
    if problems or framework is None:
        raise FrameworkError(problems or [_no_manifest(folder)])
    return framework


def validate(path: str | Path) -> list[Problem]:
    """Every problem in a framework folder, or in every framework folder under `path`.

    Returns [] when everything is valid.
    """
    folder = _folder(path)
    if (folder / MANIFEST).is_file():
        return _Reader(folder).read()[1]
    folders = _framework_folders(folder)
    if not folders:
        return [_no_manifest(folder)]
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for child in folders:
        framework, found = _Reader(child).read()
        problems.extend(found)
        if framework is not None:
            if framework.key in seen:
                problems.append(_duplicate_version(child, framework, seen[framework.key]))
            else:
                seen[framework.key] = child.name
    return problems


def load_all(root: str | Path) -> dict[tuple[str, str], Framework]:
    """Load every framework folder under `root`, keyed by (framework id, version).

    Raises FrameworkError listing the problems of every folder that does not load, or when two
    folders declare the same id and version.
    """
    out, problems = load_each(root)
    if problems:
        raise FrameworkError(problems)
    return out


def load_each(root: str | Path) -> tuple[dict[tuple[str, str], Framework], list[Problem]]:
    """Every framework folder under `root` that loads, and the problems of those that do not.

    A running app uses this: one broken folder, such as a new version copied in with a mistake,
    leaves the versions that load (and the assessments pinned to them) working. A second folder
    with an id and version already loaded is left out, and reported.
    """
    root = Path(root)
    out: dict[tuple[str, str], Framework] = {}
    folders_of: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for child in _framework_folders(root):
        framework, found = _Reader(child).read()
        problems.extend(found)
        if framework is None:
            continue
        if framework.key in out:
            problems.append(_duplicate_version(child, framework, folders_of[framework.key]))
            continue
        out[framework.key] = framework
        folders_of[framework.key] = child.name
    return out, problems


def summary(framework: Framework) -> str:
    """ "N domains, M items, K questions, A actions" (questions and actions as expanded per item)."""
    items = framework.items
    questions = sum(len(i.questions) for i in items)
    actions = sum(len(i.actions) for i in items)
    return f"{len(framework.domains)} domains, {len(items)} items, {questions} questions, {actions} actions"


def _folder(path: str | Path) -> Path:
    """The framework folder meant by `path` (a folder, or its framework.yaml)."""
    path = Path(path)
    return path.parent if path.name == MANIFEST and path.is_file() else path


def _framework_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(c for c in root.iterdir() if c.is_dir() and (c / MANIFEST).is_file())


def _for_item(action: ActionSpec, title: str) -> ActionSpec:
    """A standard action as one item has it: "{title}" replaced by the item's title."""
    steps = tuple(
        s.model_copy(update={"text": s.text.replace("{title}", title)}) for s in action.steps
    )
    return action.model_copy(update={"text": action.text.replace("{title}", title), "steps": steps})


def _no_manifest(folder: Path) -> Problem:
    return Problem(f"{folder.name}/{MANIFEST}", 1, folder.name, f"no {MANIFEST} found in {folder}")


def _duplicate_version(child: Path, framework: Framework, other: str) -> Problem:
    return Problem(
        f"{child.name}/{MANIFEST}",
        1,
        framework.id,
        f"version {framework.version!r} of {framework.id!r} is also in folder {other!r}; "
        "a version is never changed once used, so give this one a new version",
    )


# --- messages for pydantic errors -----------------------------------------------------------


def _all_keys() -> list[str]:
    keys: set[str] = set()
    for model in (
        RawManifest, RawDomain, RawItem, Question, Option, Condition, ActionSpec,
        Reference, Source, Scoring, RagBand,
    ):  # fmt: skip
        for name, field in model.model_fields.items():
            keys.add(field.alias or name)
    return sorted(keys)


_KNOWN_KEYS = _all_keys()

_RANGES = {
    "score": "a whole number from 0 to 10",
    "due_days": "a whole number of days, 1 or more",
    "review_period_months": "a whole number of months, 1 or more",
    "max": "a percentage from 0 to 100",
}


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


def _message(err: dict, key: str, index: bool) -> str:
    kind = err["type"]
    value = err.get("input")
    what = f"each entry of {key!r}" if index else repr(key)
    if kind == "missing":
        return f"missing required key {key!r}"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {key!r}{hint}"
    if kind == "string_type":
        hint = "; put it in quotes" if isinstance(value, (int, float, bool)) else ""
        return f"{what} should be text, not {_shown(value)}{hint}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{what} should be a whole number, not {_shown(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"{what} should be a number, not {_shown(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"{what} should be true or false, not {_shown(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"{what} should be a list, not {_shown(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{what} should be a mapping (key: value lines), not {_shown(value)}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{what} should be a date like 2026-11-25, not {_shown(value)}"
    if kind == "string_pattern_mismatch":
        if key == "version":
            return f'version {value!r} should be like "1.2.0": whole numbers separated by dots'
        return (
            f"{value!r} is not a valid id: use lower-case letters, digits and single hyphens, "
            "like 'garden-locked'"
        )
    if kind == "string_too_short":
        return f"{what} should not be empty"
    if kind == "too_short":
        return f"{what} should list at least one entry"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{key} must be {expected}, not {_shown(value)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        wanted = _RANGES.get(key, "in range")
        return f"{key} must be {wanted}, not {_shown(value)}"
    return f"{what}: {err.get('msg', kind)}"


# --- reading one folder ----------------------------------------------------------------------


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _entries(value: Any) -> list[tuple[int, Any]]:
    """(line, entry) for each entry of a list; [] for anything else."""
    if isinstance(value, LList):
        return list(zip(value.item_lines, value, strict=True))
    return []


def _conditions(value: Any) -> list[LDict]:
    """The condition mappings of a `when`/`justified_when` (one mapping or a list of them)."""
    if isinstance(value, LDict):
        return [value]
    return [c for _, c in _entries(value) if isinstance(c, LDict)]


def _can_be_blanket(item: LDict) -> bool:
    """Whether any of the item's own questions has a `blanket: true` option. An item with its
    own questions and no such option is scored but is never a blanket restriction."""
    for key in ("questions", "extra_questions"):
        for _, q in _entries(item.get(key)):
            if isinstance(q, LDict):
                for _, o in _entries(q.get("options")):
                    if isinstance(o, LDict) and o.get("blanket") is True:
                        return True
    return False


def _key_line(mapping: LDict, key: str) -> int:
    return mapping.key_lines.get(key, mapping.line)


@dataclass
class _Q:
    """What the checks need to know about one question."""

    id: str
    type: str | None
    options: list[str]
    line: int


class _Reader:
    def __init__(self, folder: Path):
        self.folder = folder
        self.name = folder.name
        self.problems: list[Problem] = []
        self.texts: list[tuple[str, bytes]] = []

    # -- helpers

    def add(self, file: str, line: int, ident: str, message: str) -> None:
        self.problems.append(Problem(f"{self.name}/{file}", line, ident, message))

    def parse_file(self, file: str, default_id: str) -> Any:
        path = self.folder / file
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.add(file, 1, default_id, f"cannot read the file: {exc.strerror}")
            return None
        self.texts.append((file, raw))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.add(file, line, default_id, "the file is not UTF-8 text")
            return None
        try:
            data = parse(text)
        except YamlProblem as exc:
            self.add(file, exc.line, default_id, exc.message)
            return None
        if data is None:
            self.add(file, 1, default_id, "the file is empty")
            return None
        if not isinstance(data, LDict):
            self.add(file, 1, default_id, "the file should be a mapping of keys (like 'id: ...')")
            return None
        self.check_duplicate_keys(file, data, default_id)
        return data

    def check_duplicate_keys(self, file: str, data: Any, default_id: str) -> None:
        stack: list[tuple[Any, list[str], str | None]] = [(data, [], None)]
        while stack:
            node, ids, via = stack.pop()
            if isinstance(node, LDict):
                if node is not data and via != "options" and _is_str(node.get("id")):
                    ids = [*ids, node["id"]]
                for key, line in node.duplicates:
                    ident = "/".join(ids) or default_id
                    self.add(file, line, ident, f"key {key!r} is given twice; remove one")
                for key, value in node.items():
                    stack.append((value, ids, key))
            elif isinstance(node, LList):
                for value in node:
                    stack.append((value, ids, via))

    def shape(self, file: str, data: LDict, model: type[BaseModel], default_id) -> BaseModel | None:
        """Check `data` against `model`; report each error at its line. None when invalid."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            seen = set()
            errors = exc.errors()
            deeper = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
            for err in errors:
                if err["type"] == "too_short" and tuple(err["loc"]) in deeper:
                    continue  # "too few valid entries": the entries' own errors say why
                line, ident, key, index = self.locate(data, err["loc"], default_id)
                problem = (line, ident, _message(err, key, index))
                if problem not in seen:
                    seen.add(problem)
                    self.add(file, *problem)
            return None

    @staticmethod
    def locate(root: LDict, loc: tuple, default_id) -> tuple[int, str, str, bool]:
        """(line, id, last key, whether the last step was a list index) for an error location."""
        node: Any = root
        line = root.line
        ids: list[str] = []
        key = ""
        index = False
        via: str | None = None
        for step in loc:
            if isinstance(node, LDict):
                if isinstance(step, str) and step in node:
                    line = node.key_lines[step]
                    key, index, via = step, False, step
                    node = node[step]
                elif isinstance(step, int):
                    continue  # a single condition written without a list
                elif isinstance(step, str):
                    key, index = step, False  # a missing key: report at the mapping
                    break
            elif isinstance(node, LList) and isinstance(step, int) and 0 <= step < len(node):
                line = node.item_lines[step]
                index = True
                node = node[step]
            else:
                continue
            if isinstance(node, LDict) and via != "options" and _is_str(node.get("id")):
                ids.append(node["id"])
        ident = "/".join(ids) if ids else (default_id(loc) if callable(default_id) else default_id)
        return line, ident, key, index

    # -- the folder

    def read(self) -> tuple[Framework | None, list[Problem]]:
        manifest = self.parse_file(MANIFEST, self.name)
        if manifest is None:
            return None, self.problems
        fw_id = manifest.get("id") if _is_str(manifest.get("id")) else self.name

        def manifest_id(loc: tuple) -> str:
            first = loc[0] if loc else None
            if first in ("scoring", "domains", "sources", "standard_questions", "standard_actions"):
                return str(first)
            return fw_id

        raw_manifest = self.shape(MANIFEST, manifest, RawManifest, manifest_id)
        ctx = self.check_manifest(manifest, fw_id)

        domain_data: list[tuple[str, LDict]] = []
        listed: set[str] = set()
        listed_order: list[str] = []
        for line, entry in _entries(manifest.get("domains")):
            if not _is_str(entry):
                continue
            stem = entry.rsplit(".", 1)[0]
            if "/" in entry or "\\" in entry or not entry.endswith((".yaml", ".yml")):
                self.add(
                    MANIFEST, line, stem,
                    f"domain entry {entry!r} should be a file name ending .yaml, in this folder",
                )  # fmt: skip
                continue
            if entry == MANIFEST or entry in listed:
                self.add(MANIFEST, line, stem, f"domain file {entry!r} is listed twice")
                continue
            listed.add(entry)
            listed_order.append(entry)
            if not (self.folder / entry).is_file():
                self.add(MANIFEST, line, stem, f"domain file {entry!r} is listed but missing")
                continue
            data = self.parse_file(entry, stem)
            if data is not None:
                domain_data.append((entry, data))
        for path in sorted(self.folder.iterdir()):
            if (
                path.suffix in (".yaml", ".yml")
                and path.name != MANIFEST
                and path.name not in listed
                and path.is_file()
            ):
                self.add(
                    path.name, 1, path.stem,
                    "this file is not listed under 'domains' in framework.yaml, so it is not used",
                )  # fmt: skip

        raw_domains: list[tuple[str, RawDomain | None]] = []
        domain_ids: dict[str, str] = {}
        item_ids: dict[str, tuple[str, int]] = {}
        for file, data in domain_data:
            stem = file.rsplit(".", 1)[0]
            did = data.get("id") if _is_str(data.get("id")) else stem
            raw = self.shape(file, data, RawDomain, did)
            raw_domains.append((file, raw))
            if _is_str(data.get("id")):
                if did in domain_ids:
                    self.add(
                        file, _key_line(data, "id"), did,
                        f"domain id {did!r} is already used by {domain_ids[did]}",
                    )  # fmt: skip
                else:
                    domain_ids[did] = file
            for _, item in _entries(data.get("items")):
                if isinstance(item, LDict) and _is_str(item.get("id")):
                    iid, line = item["id"], _key_line(item, "id")
                    if iid in item_ids:
                        other, other_line = item_ids[iid]
                        where = "earlier in this file" if other == file else f"in {other}"
                        self.add(
                            file, line, iid,
                            f"item id {iid!r} is already used {where} (line {other_line})",
                        )  # fmt: skip
                    else:
                        item_ids[iid] = (file, line)
                    self.check_item(file, item, ctx)

        files = [f"{self.name}/{MANIFEST}"] + [f"{self.name}/{f}" for f in listed_order]
        rank = {f: n for n, f in enumerate(files)}
        self.problems.sort(key=lambda p: (rank.get(p.file, len(files)), p.file, p.line))
        if self.problems or raw_manifest is None or any(r is None for _, r in raw_domains):
            return None, self.problems
        return self.build(raw_manifest, raw_domains), self.problems

    # -- meaning checks: manifest

    def check_manifest(self, m: LDict, fw_id: str) -> dict:
        ctx: dict[str, Any] = {"sources": set(), "standard": [], "std_actions": set()}
        scoring = m.get("scoring")
        ctx["justified"] = (
            _conditions(scoring.get("justified_when")) if isinstance(scoring, LDict) else []
        )
        seen: set[str] = set()
        for _, s in _entries(m.get("sources")):
            if isinstance(s, LDict) and _is_str(s.get("id")):
                if s["id"] in seen:
                    self.add(
                        MANIFEST, _key_line(s, "id"), s["id"],
                        f"source id {s['id']!r} is used twice",
                    )  # fmt: skip
                seen.add(s["id"])
        ctx["sources"] = seen

        standard = self.check_questions(MANIFEST, m.get("standard_questions"), [], "")
        ctx["standard"] = standard
        by_id = {q.id: q for q in standard}

        ids: set[str] = set()
        for _, a in _entries(m.get("standard_actions")):
            if not isinstance(a, LDict):
                continue
            aid = a.get("id") if _is_str(a.get("id")) else "standard_actions"
            if _is_str(a.get("id")):
                if aid in ids:
                    self.add(
                        MANIFEST, _key_line(a, "id"), aid,
                        f"action id {aid!r} is used twice in standard_actions",
                    )  # fmt: skip
                ids.add(aid)
            self.check_triggers(MANIFEST, a, by_id, aid)
        ctx["std_actions"] = ids

        if isinstance(scoring, LDict):
            ratings = self.check_rag(scoring.get("rag"))
            floor = scoring.get("unjustified_rating_at_least")
            if _is_str(floor) and ratings and floor not in ratings:
                self.add(
                    MANIFEST, _key_line(scoring, "unjustified_rating_at_least"), "scoring",
                    f"unjustified_rating_at_least is {floor!r}, which is not one of the RAG "
                    f"ratings ({', '.join(sorted(ratings))})",
                )  # fmt: skip
            if not _conditions(scoring.get("justified_when")):
                self.add(
                    MANIFEST,
                    scoring.key_lines.get("justified_when", _key_line(m, "scoring")),
                    "scoring",
                    "scoring has no justified_when conditions, so every blanket restriction "
                    "would count as justified; list the answers that make one justified",
                )  # fmt: skip
            self.check_conditions(
                MANIFEST, scoring.get("justified_when"), by_id, None, "scoring", "justified_when"
            )
        return ctx

    def check_rag(self, rag: Any) -> set[str]:
        """Check the RAG bands; returns the ratings they name."""
        bands = [(line, b) for line, b in _entries(rag) if isinstance(b, LDict)]
        previous: tuple[str, float] | None = None
        ratings: set[str] = set()
        for line, band in bands:
            rating = band.get("rating")
            if _is_str(rating):
                if rating in ratings:
                    self.add(MANIFEST, line, "scoring", f"RAG rating {rating!r} is used twice")
                ratings.add(rating)
            upper = band.get("max")
            if not isinstance(upper, (int, float)) or isinstance(upper, bool):
                continue
            if previous is not None and upper <= previous[1]:
                self.add(
                    MANIFEST, _key_line(band, "max"), "scoring",
                    f"RAG bands must go up in order: {rating!r} ends at {upper:g}, "
                    f"which is not above {previous[0]!r} ({previous[1]:g})",
                )  # fmt: skip
            previous = (str(rating), upper)
        if bands:
            line, last = bands[-1]
            upper = last.get("max")
            if isinstance(upper, (int, float)) and not isinstance(upper, bool) and upper != 100:
                self.add(
                    MANIFEST, _key_line(last, "max"), "scoring",
                    f"the last RAG band must end at 100, not {upper:g}",
                )  # fmt: skip
        return ratings

    # -- meaning checks: questions, conditions

    def check_questions(self, file: str, value: Any, before: list[_Q], prefix: str) -> list[_Q]:
        """Check a list of questions that follow `before`; returns before + these questions."""
        out = list(before)
        found: list[tuple[_Q, LDict]] = []
        for line, q in _entries(value):
            if not isinstance(q, LDict):
                continue
            qid = q.get("id") if _is_str(q.get("id")) else None
            ident = f"{prefix}{qid}" if qid else prefix.rstrip("/") or "standard_questions"
            options: list[str] = []
            seen_options: set[str] = set()
            blankets = 0
            for _oline, o in _entries(q.get("options")):
                if not isinstance(o, LDict):
                    continue
                if o.get("blanket") is True:
                    blankets += 1
                oid = o.get("id")
                if not _is_str(oid):
                    continue
                if oid in seen_options:
                    self.add(
                        file, _key_line(o, "id"), ident,
                        f"option id {oid!r} is used twice in this question",
                    )  # fmt: skip
                seen_options.add(oid)
                options.append(oid)
            qtype = q.get("type") if _is_str(q.get("type")) else None
            has_options = "options" in q
            opt_line = _key_line(q, "options")
            if qtype == "yes_no" and sorted(options) != ["no", "yes"]:
                self.add(
                    file, opt_line, ident,
                    'a yes_no question must have exactly two options, with ids "yes" and "no"',
                )  # fmt: skip
            elif qtype in ("single", "multiple") and not options:
                self.add(file, opt_line, ident, f"a {qtype} question needs options to choose from")
            elif qtype in ("date", "text") and has_options:
                self.add(
                    file, opt_line, ident,
                    f"a {qtype} question has no options and scores nothing; remove 'options'",
                )  # fmt: skip
            if "within_review_period" in q and qtype != "date":
                self.add(
                    file, _key_line(q, "within_review_period"), ident,
                    "only a date question can have 'within_review_period'",
                )  # fmt: skip
            if blankets > 1:
                self.add(file, opt_line, ident, "only one option can be marked blanket: true")
            if qid is None:
                continue
            if any(p.id == qid for p in out):
                self.add(
                    file, _key_line(q, "id"), ident,
                    f"question id {qid!r} is used twice in this item"
                    + (" (it is also a standard question)" if prefix and any(
                        p.id == qid for p in before) else ""),
                )  # fmt: skip
                continue
            info = _Q(qid, qtype, options, line)
            out.append(info)
            found.append((info, q))
        # conditions: only on questions that come earlier (all earlier ones are in `out` first)
        order = {q.id: n for n, q in enumerate(out)}
        by_id = {q.id: q for q in out}
        for info, q in found:
            self.check_conditions(
                file, q.get("when"), by_id, order[info.id], f"{prefix}{info.id}", "condition", order
            )
        return out

    def check_conditions(
        self,
        file: str,
        value: Any,
        questions: dict[str, _Q],
        position: int | None,
        ident: str,
        what: str,
        order: dict[str, int] | None = None,
    ) -> None:
        """Conditions refer to known questions (earlier ones when `position` is given), to
        choice questions, and to options those questions have."""
        for cond in _conditions(value):
            qid = cond.get("question")
            if not _is_str(qid):
                continue
            line = _key_line(cond, "question")
            target = questions.get(qid)
            if target is None:
                self.add(file, line, ident, f"{what} refers to unknown question {qid!r}")
                continue
            if position is not None and order is not None and order[qid] >= position:
                later = "itself" if order[qid] == position else f"{qid!r}, which comes later"
                self.add(
                    file, line, ident,
                    f"{what} refers to {later}; a question can only depend on an earlier one",
                )  # fmt: skip
                continue
            if target.type not in CHOICE_TYPES:
                self.add(
                    file, line, ident,
                    f"{what} refers to {qid!r}, a {target.type} question; "
                    "conditions can only use questions with options",
                )  # fmt: skip
                continue
            wanted = cond.get("in")
            entries = _entries(wanted)
            for oline, oid in entries:
                if _is_str(oid) and oid not in target.options:
                    have = ", ".join(dict.fromkeys(target.options)) or "none"
                    self.add(
                        file, oline, ident,
                        f"{what} refers to option {oid!r}, which question {qid!r} does not have "
                        f"(it has: {have})",
                    )  # fmt: skip

    def check_triggers(self, file: str, action: LDict, questions: dict, ident: str) -> None:
        """An action says when it is suggested (`when`, `steps` or both), with conditions on
        questions the item asks."""
        if "when" not in action and "steps" not in action:
            self.add(
                file, action.line, ident,
                "action has neither 'when' nor 'steps'; say when it is suggested",
            )  # fmt: skip
        if "when" in action and "steps" not in action and not _conditions(action.get("when")):
            self.add(
                file, _key_line(action, "when"), ident,
                "action's 'when' has no conditions, so it never says when the action is "
                "suggested; give at least one",
            )  # fmt: skip
        self.check_conditions(file, action.get("when"), questions, None, ident, "action trigger")
        for _, step in _entries(action.get("steps")):
            if isinstance(step, LDict):
                self.check_conditions(
                    file, step.get("when"), questions, None, ident, "action step trigger"
                )

    # -- meaning checks: items

    def check_item(self, file: str, item: LDict, ctx: dict) -> None:
        iid = item["id"]
        prefix = f"{iid}/"
        standard: list[_Q] = ctx["standard"]
        own_questions = "questions" in item
        if own_questions:
            base = self.check_questions(file, item.get("questions"), [], prefix)
        else:
            base = standard
        questions = self.check_questions(file, item.get("extra_questions"), base, prefix)
        by_id = {q.id: q for q in questions}

        for _line, ref in _entries(item.get("references")):
            if isinstance(ref, LDict) and _is_str(ref.get("source")):
                if ref["source"] not in ctx["sources"]:
                    known = ", ".join(sorted(ctx["sources"])) or "none"
                    self.add(
                        file, _key_line(ref, "source"), iid,
                        f"reference to unknown source {ref['source']!r} (known: {known})",
                    )  # fmt: skip

        actions = [(line, a) for line, a in _entries(item.get("actions")) if isinstance(a, LDict)]
        seen: set[str] = set()
        for _, a in actions:
            aid = a.get("id") if _is_str(a.get("id")) else None
            ident = f"{iid}/{aid}" if aid else iid
            if aid is not None:
                if aid in seen:
                    self.add(
                        file, _key_line(a, "id"), ident,
                        f"action id {aid!r} is used twice in this item",
                    )  # fmt: skip
                elif aid in ctx["std_actions"]:
                    self.add(
                        file, _key_line(a, "id"), ident,
                        f"action id {aid!r} is a standard action id; give this action another id",
                    )  # fmt: skip
                seen.add(aid)
            self.check_triggers(file, a, by_id, ident)
        if isinstance(item.get("actions"), (LList, type(None))) and len(actions) < 2:
            self.add(
                file, _key_line(item, "actions"), iid,
                f"item has {len(actions)} actions of its own; at least 2 are needed",
            )  # fmt: skip

        # never_justified (1.3.0): a blanket answer never counts as justified, so the item asks
        # its own questions (the standard ones ask about safeguards, which cannot make it
        # justified), one of them can be answered blanket, and it cannot say when it would be
        # justified. (A value that is not true or false is a shape problem, reported already;
        # the item then needs no justified_when either, so that one mistake gives one problem.)
        never = item.get("never_justified") is True
        if never:
            if not own_questions:
                self.add(
                    file, _key_line(item, "never_justified"), iid,
                    "never_justified needs the item's own questions: the standard ones ask about "
                    "safeguards, which cannot make it justified; give the item its own 'questions'",
                )  # fmt: skip
            elif isinstance(item.get("questions"), LList) and not _can_be_blanket(item):
                self.add(
                    file, _key_line(item, "never_justified"), iid,
                    "never_justified is only for an item that can be a blanket restriction, "
                    "but no answer to its questions is marked blanket: true; mark the answer "
                    "that means it applies to everyone, or remove never_justified",
                )  # fmt: skip
            if "justified_when" in item:
                self.add(
                    file, _key_line(item, "justified_when"), iid,
                    "justified_when cannot be combined with never_justified: true, which means "
                    "a blanket answer never counts as justified; remove justified_when",
                )  # fmt: skip
        elif "justified_when" in item and not _conditions(item.get("justified_when")):
            self.add(
                file, _key_line(item, "justified_when"), iid,
                "justified_when has no conditions, so this item's blanket restriction would "
                "always count as justified; list the answers that make it justified",
            )  # fmt: skip
        if "justified_when" in item and not never:
            self.check_conditions(
                file, item.get("justified_when"), by_id, None, iid, "justified_when"
            )
        elif (
            own_questions and item.get("never_justified", False) is False and _can_be_blanket(item)
        ):
            # the framework's justified_when must still make sense for this item's questions
            for cond in ctx["justified"]:
                qid = cond.get("question")
                if _is_str(qid) and qid not in by_id:
                    self.add(
                        file, _key_line(item, "questions"), iid,
                        f"the framework's justified_when uses question {qid!r}, which this item's "
                        "own questions do not include; give the item its own justified_when",
                    )  # fmt: skip

    # -- building

    def build(self, m: RawManifest, raw_domains: list[tuple[str, RawDomain | None]]) -> Framework:
        digest = hashlib.sha256()
        for name, raw in sorted(self.texts):
            digest.update(name.encode() + b"\0" + raw + b"\0")
        domains = []
        for file, rd in raw_domains:
            assert rd is not None
            items = []
            for ri in rd.items:
                base = ri.questions if ri.questions is not None else m.standard_questions
                questions = base + ri.extra_questions
                # The standard actions (the safeguards) and the justification rule are about
                # blanket restrictions: an item that can never be one has neither. Nor has a
                # never-justified item (1.3.0): it can be one, but no safeguard makes it
                # acceptable.
                safeguarded = questions_can_be_blanket(questions) and not ri.never_justified
                standard_actions = (
                    tuple(_for_item(a, ri.title) for a in m.standard_actions) if safeguarded else ()
                )
                items.append(
                    Item(
                        id=ri.id,
                        title=ri.title,
                        description=ri.description,
                        why=ri.why,
                        references=ri.references,
                        questions=questions,
                        actions=ri.actions + standard_actions,
                        own_action_ids=tuple(a.id for a in ri.actions),
                        justified_when=(
                            ()
                            if not safeguarded
                            else ri.justified_when
                            if ri.justified_when is not None
                            else m.scoring.justified_when
                        ),
                        never_justified=ri.never_justified,
                    )
                )
            domains.append(
                Domain(
                    id=rd.id,
                    title=rd.title,
                    description=rd.description,
                    file=file,
                    items=tuple(items),
                )
            )
        return Framework(
            id=m.id,
            version=m.version,
            title=m.title,
            published=m.published,
            description=m.description,
            review_period_months=m.review_period_months,
            sources=m.sources,
            domains=tuple(domains),
            scoring=m.scoring,
            standard_questions=m.standard_questions,
            standard_actions=m.standard_actions,
            digest=digest.hexdigest(),
        )
