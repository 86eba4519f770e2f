"""Packaging metadata that hassfest and HACS check, kept honest by tests."""

import importlib.util
import json
import re
import struct
from pathlib import Path

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "hashheat"
_spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts" / "translations.py")
assert _spec is not None
assert _spec.loader is not None
translations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translations)


def _json(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_key_order_and_pins() -> None:
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "hashheat"
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "hub"
    assert manifest["iot_class"] == "local_polling"
    assert manifest["loggers"] == ["pyasic"]
    assert manifest["requirements"] == ["pyasic==0.79.0"]
    pinned = (ROOT / "requirements_test.txt").read_text(encoding="utf-8")
    assert "pyasic==0.79.0" in pinned.splitlines()
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(manifest["version"]))


def test_hacs_metadata() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == "HashHeat"
    assert hacs["render_readme"] is True
    assert str(hacs["homeassistant"]) >= "2026.10.0"


def test_english_translation_is_strings_with_references_resolved() -> None:
    """Custom integrations get no build step: en.json must carry the resolved text."""
    english = (INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8")
    assert "[%key:" not in english
    assert english == translations.english()
    assert translations.resolve(
        {"a": "x", "b": "[%key:component::hashheat::a%]"}, {"c": "[%key:component::hashheat::b%]"}
    ) == {"c": "x"}


def test_every_icon_has_a_translated_entity() -> None:
    icons = _json(INTEGRATION / "icons.json")["entity"]
    names = _json(INTEGRATION / "strings.json")["entity"]
    assert isinstance(icons, dict)
    assert isinstance(names, dict)
    for platform, keys in icons.items():
        assert set(keys) <= set(names[platform])


def test_brand_icon_is_a_square_png() -> None:
    data = (INTEGRATION / "brand" / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == height >= 256
