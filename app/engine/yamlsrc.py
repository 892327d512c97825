"""Read YAML while keeping the line of every mapping, sequence, key and value.

The framework files are edited by people, so every problem must point at a line. PyYAML's
``compose`` keeps marks on every node; this module turns the node tree into ordinary dicts and
lists (subclasses that remember their lines) so the validator can name the line of anything.

Scalars follow the YAML 1.2 core schema for booleans: only ``true`` and ``false`` are booleans,
so an unquoted ``yes`` or ``no`` stays the text ``"yes"`` or ``"no"`` (YAML 1.1 would have made
it a boolean, which is never what an editor of a yes/no question means).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

__all__ = ["LDict", "LList", "YamlProblem", "parse"]


class _Resolver(yaml.resolver.Resolver):
    """The standard resolver, with YAML 1.2 booleans (true/false only)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

if getattr(yaml, "__with_libyaml__", False):  # pragma: no branch - libyaml is usual

    class _Loader(yaml.cyaml.CParser, yaml.constructor.SafeConstructor, _Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

else:  # pragma: no cover

    class _Loader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        yaml.constructor.SafeConstructor,
        _Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)


class LDict(dict):
    """A mapping that remembers its own line and the line of each key and value."""

    line: int
    key_lines: dict
    value_lines: dict
    duplicates: list  # (key, line) of keys given more than once; the first value is kept


class LList(list):
    """A sequence that remembers its own line and the line of each entry."""

    line: int
    item_lines: list


@dataclass(frozen=True)
class YamlProblem(Exception):
    line: int
    message: str


def _line(node) -> int:
    return node.start_mark.line + 1


# More nodes than any real framework file has: a guard against alias bombs.
MAX_NODES = 200_000


def _convert(node, constructor, stack: set[int] | None = None, budget: list[int] | None = None):
    """Plain Python values that remember their line numbers.

    `stack` holds the collections being converted, so an alias inside its own anchor is
    reported instead of recursing for ever; `budget` counts nodes against MAX_NODES.
    """
    stack = set() if stack is None else stack
    budget = [MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(_line(node), "the file has too many values (are aliases repeating it?)")
    if isinstance(node, (MappingNode, SequenceNode)):
        if id(node) in stack:
            raise YamlProblem(_line(node), "an alias refers to the anchor it is inside")
        stack.add(id(node))
        try:
            return _convert_collection(node, constructor, stack, budget)
        finally:
            stack.discard(id(node))
    return constructor.construct_object(node, deep=True)


def _convert_collection(node, constructor, stack, budget):
    if isinstance(node, MappingNode):
        out = LDict()
        out.line = _line(node)
        out.key_lines = {}
        out.value_lines = {}
        out.duplicates = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(
                    _line(key_node), "a key must be a plain word, not a list or mapping"
                )
            key = constructor.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                out.duplicates.append((key, _line(key_node)))
                continue
            out[key] = _convert(value_node, constructor, stack, budget)
            out.key_lines[key] = _line(key_node)
            out.value_lines[key] = _line(value_node)
        return out
    seq = LList()
    seq.line = _line(node)
    seq.item_lines = []
    for child in node.value:
        seq.append(_convert(child, constructor, stack, budget))
        seq.item_lines.append(_line(child))
    return seq


def parse(text: str):
    """Parse one YAML document. Returns None for an empty document; raises YamlProblem."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            what = exc.problem or str(exc)
            context = f" ({exc.context})" if exc.context else ""
            raise YamlProblem(line, f"YAML syntax error: {what}{context}") from None
        except yaml.YAMLError as exc:
            raise YamlProblem(1, f"YAML syntax error: {exc}") from None
        if node is None:
            return None
        try:
            return _convert(node, loader)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise YamlProblem(line, f"YAML value error: {exc.problem}") from None
    finally:
        loader.dispose()
