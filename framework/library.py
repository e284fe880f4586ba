"""Loading frameworks from files, and the built-in library that ships as YAML.

One entry point, ``load_framework_file``, serves the app, the CLI and the tests
whatever the format, so a framework behaves the same wherever it came from.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from framework.conditions import format_conditions, format_measure
from framework.models import Framework, format_bands
from framework.problems import InvalidInput, Problem, readable

LIBRARY_DIR = Path(__file__).parent / "library"
MAX_TEXT_BYTES = 5 * 1024 * 1024


def framework_from_dict(data: object, source: str = "") -> Framework:
    """Build a frozen Framework, turning validation errors into located problems."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem(source, "the file does not describe a framework (expected a mapping of keys)")])
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err, message in zip(exc.errors(), readable(exc.errors()), strict=True):
            where = _dotted(err.get("loc", ()), data)
            problems.append(Problem(f"{source}: {where}" if where else source, message))
        raise InvalidInput(problems) from None


def _dotted(loc: tuple, data: dict) -> str:
    """``('domains', 2, 'criteria', 0, 'kind')`` -> ``domains[leadership].criteria[L1].kind``."""
    parts: list[str] = []
    node: object = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident or key}]"]
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(str(key))
    return ".".join(parts)


def load_framework_file(path: str | Path) -> Framework:
    """Load a framework from ``.yaml``/``.yml``/``.json`` or an authoring workbook ``.xlsx``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from framework.workbook import read_framework_workbook

        return read_framework_workbook(path.read_bytes(), source=path.name)
    if suffix not in {".yaml", ".yml", ".json"}:
        raise InvalidInput(
            [Problem(path.name, "expected a framework workbook (.xlsx), YAML (.yaml) or JSON (.json) file")]
        )
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise InvalidInput([Problem(path.name, "the file is larger than 5 MB; a framework is far smaller")])
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except InvalidInput:
        raise
    except RecursionError:  # the parsers recurse once per level: thousands of [[[[ exhaust the stack
        raise InvalidInput([Problem(path.name, TOO_DEEP)]) from None
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise InvalidInput([Problem(path.name, f"could not be read: {_first_line(exc)}")]) from None
    if _depth(data) > MAX_DEPTH:
        raise InvalidInput([Problem(path.name, TOO_DEEP)])
    return framework_from_dict(data, source=path.name)


MAX_DEPTH = 32  # a framework nests about 6 levels (domains, criteria, levels...); validation recurses per level
TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep; a framework file is far shallower (is it the right file?)"


def _depth(data: object) -> int:
    """How deeply lists and mappings nest, found without recursion (so any depth is safe to measure)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@lru_cache(maxsize=1)
def builtin_frameworks() -> tuple[Framework, ...]:
    """The frameworks that ship with SEND Review, in a stable order."""
    return tuple(load_framework_file(p) for p in sorted(LIBRARY_DIR.glob("*.yaml")))


def builtin_framework(framework_id: str) -> Framework:
    for fw in builtin_frameworks():
        if fw.id == framework_id:
            return fw
    known = ", ".join(fw.id for fw in builtin_frameworks())
    raise InvalidInput([Problem("", f'no built-in framework has id "{framework_id}" (known: {known})')])


def framework_to_dict(framework: Framework) -> dict:
    """A plain, YAML-friendly form that ``framework_from_dict`` reads back unchanged."""
    data = framework.model_dump(mode="json", exclude_defaults=True)
    for domain_data, domain in zip(data["domains"], framework.domains, strict=True):
        for crit_data, crit in zip(domain_data.get("criteria", []), domain.criteria, strict=True):
            crit_data.pop("domain_id", None)
            if crit.bands:
                crit_data["bands"] = format_bands(crit.bands)
            if crit.applies_if:
                crit_data["applies_if"] = format_conditions(crit.applies_if)
            if crit.per_measure:
                crit_data["per_measure"] = format_measure(crit.per_measure)
    return data
