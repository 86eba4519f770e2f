"""Write translations/en.json from strings.json, resolving ``[%key:...%]`` references.

Home Assistant resolves these references only for core integrations (at build time); a custom
integration must ship resolved text. Run with the project's venv: ``.venv/bin/python
scripts/translations.py`` (``--check`` exits 1 when en.json is out of date).
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "hashheat"
PREFIX = "component::hashheat::"
REFERENCE = re.compile(r"\[%key:([a-z0-9_:]+)%\]")


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


def main() -> int:
    """Write (or with --check, verify) translations/en.json."""
    target = INTEGRATION / "translations" / "en.json"
    text = english()
    if "--check" in sys.argv:
        return 0 if target.read_text(encoding="utf-8") == text else 1
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
