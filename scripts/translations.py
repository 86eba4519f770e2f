"""Write translations/en.json from strings.json, resolving ``[%key:...%]`` references.

Home Assistant resolves these references only for core integrations (at build time); a custom
integration must ship resolved text. Run with the project's venv: ``.venv/bin/python
scripts/translations.py`` (``--check`` exits 1 when en.json is out of date or another language
has drifted from it).

The other languages (translations/de.json, ...) are written by hand, resolved, with exactly the
keys of en.json: after a change to strings.json, ``--check`` lists the keys each one lacks.
"""

import json
import re
import string
import sys
from pathlib import Path
from typing import Any

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "hashheat"
TRANSLATIONS = INTEGRATION / "translations"
PREFIX = "component::hashheat::"
REFERENCE = re.compile(r"\[%key:([a-z0-9_:]+)%\]")
# Markdown that must survive translation: emphasis, code and links.
MARKUP = ("*", "`", "](")


def _lookup(strings: dict[str, Any], key: str) -> str:
    if not key.startswith(PREFIX):
        raise KeyError(f"only references into this integration are supported: {key}")
    node: Any = strings
    for part in key.removeprefix(PREFIX).split("::"):
        node = node[part]
    if not isinstance(node, str):
        raise TypeError(f"{key} is not a string")
    return node


def resolve(strings: dict[str, Any], node: Any) -> Any:  # noqa: ANN401
    """Return ``node`` with every reference replaced by the text it points to."""
    if isinstance(node, dict):
        return {key: resolve(strings, value) for key, value in node.items()}
    if isinstance(node, str):
        return REFERENCE.sub(lambda match: resolve(strings, _lookup(strings, match[1])), node)
    return node


def english() -> str:
    """The text translations/en.json must have."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    return json.dumps(resolve(strings, strings), indent=2, ensure_ascii=False) + "\n"


def flatten(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a translation tree by its ``::``-joined key."""
    leaves: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}::{key}" if prefix else key
        if isinstance(value, dict):
            leaves.update(flatten(value, path))
        else:
            leaves[path] = value
    return leaves


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a translated string."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def drift(english_tree: dict[str, Any], other_tree: dict[str, Any]) -> list[str]:
    """How a translation departs from en.json: keys, placeholders, markup, empty strings."""
    english_leaves, other_leaves = flatten(english_tree), flatten(other_tree)
    problems = [f"missing {key}" for key in english_leaves if key not in other_leaves]
    problems += [f"extra {key}" for key in other_leaves if key not in english_leaves]
    for key, text in other_leaves.items():
        source = english_leaves.get(key)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"empty {key}")
        elif not isinstance(source, str):
            continue
        elif "[%key:" in text:
            problems.append(f"unresolved reference in {key}")
        elif placeholders(text) != placeholders(source):
            problems.append(f"placeholders of {key}: {sorted(placeholders(text))}")
        elif any(text.count(mark) != source.count(mark) for mark in MARKUP):
            problems.append(f"markup of {key} differs from English")
    return problems


def languages() -> dict[str, dict[str, Any]]:
    """Every translation but English, by language code."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(TRANSLATIONS.glob("*.json"))
        if path.stem != "en"
    }


def main() -> int:
    """Write (or with --check, verify) translations/en.json; report drift of the others."""
    target = TRANSLATIONS / "en.json"
    text = english()
    if "--check" not in sys.argv:
        target.write_text(text, encoding="utf-8")
    failed = target.read_text(encoding="utf-8") != text
    if failed:
        print("en.json is out of date: run scripts/translations.py")
    english_tree = json.loads(text)
    for language, tree in languages().items():
        for problem in drift(english_tree, tree):
            print(f"{language}.json: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
