"""strings.json against hassfest's translation rules; every language against en.json; the code.

``script.hassfest`` is not part of the homeassistant wheel, so the rules it applies to a custom
integration's strings.json and translations/en.json are written out here: the allowed sections and
their shape, translation keys, and what a translated string may contain.
"""

import ast
import importlib
import importlib.util
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import probatio
import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.translation import async_get_translations

from custom_components.hashheat import PLATFORMS
from custom_components.hashheat.const import DOMAIN
from custom_components.hashheat.domain.dispatch import Preset
from custom_components.hashheat.issues import Repair

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "hashheat"
_spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts" / "translations.py")
assert _spec is not None
assert _spec.loader is not None
translations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translations)

STRINGS: dict[str, Any] = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
TRANSLATION_FILES = sorted((INTEGRATION / "translations").glob("*.json"))
LANGUAGES = [path.stem for path in TRANSLATION_FILES if path.stem != "en"]
ENGLISH: dict[str, Any] = json.loads(translations.english())

# A link or a host written out: hassfest wants URLs passed as description placeholders.
URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[a-z0-9]", re.IGNORECASE)
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
# Lower-case words joined by single underscores or hyphens (Lokalise's key format).
TRANSLATION_KEY = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
# Brands, product and protocol names and units stay as they are in every language.
UNTRANSLATED = (
    "HashHeat",
    "pyasic",
    "Nord Pool",
    "ENTSO-e",
    "EPEX Spot",
    "Octopus Energy",
    "Luxor",
    "mempool.space",
    "Home Assistant",
    "CIDR",
    "TCP",
    "ASIC",
    "m³/h",
    "L/min",
    "°C",
    "kWh",
    "TH/s",
    "gCO2eq/kWh",
)


def _text(value: Any, *, placeholders: bool = True) -> str:
    """A translated string as hassfest accepts it."""
    if not isinstance(value, str) or not value:
        raise probatio.Invalid("expected a non-empty string")
    if value != value.strip():
        raise probatio.Invalid("leading or trailing whitespace")
    cv.string_with_no_html(value)
    if URL.search(value):
        raise probatio.Invalid("URLs go in description placeholders, not in the text")
    if QUOTED_PLACEHOLDER.search(value):
        raise probatio.Invalid("placeholders must not be in single quotes")
    if "[%key:" in value and not translations.REFERENCE.fullmatch(value):
        raise probatio.Invalid("a reference must be the whole string")
    try:
        fields = translations.placeholders(value)
    except ValueError as err:
        raise probatio.Invalid(f"unbalanced braces: {err}") from err
    if fields and not placeholders:
        raise probatio.Invalid("placeholders are not supported here")
    if not all(field.isidentifier() for field in fields):
        raise probatio.Invalid("placeholders must be identifiers")
    return value


def _label(value: Any) -> str:
    """State names and state-attribute names take no placeholders."""
    return _text(value, placeholders=False)


def _translation_key(value: Any) -> str:
    if not isinstance(value, str) or not TRANSLATION_KEY.fullmatch(value):
        raise probatio.Invalid(
            f"invalid translation key {value!r}: [a-z0-9] words joined by _ or -"
        )
    return value


def _keyed(value_schema: Any) -> Callable[[Any], Any]:
    return cv.schema_with_slug_keys(value_schema, slug_validator=_translation_key)


def _descriptions_describe_data(flow: dict[str, Any]) -> dict[str, Any]:
    """Every data_description (of a step or a section) describes a field of its data."""
    for step_id, step in flow["step"].items():
        for part in (step, *step.get("sections", {}).values()):
            if unknown := set(part.get("data_description", {})) - set(part.get("data", {})):
                raise probatio.Invalid(f"step {step_id}: data_description {unknown} not in data")
    return flow


def _flow(*, subentry: bool = False) -> Callable[[Any], Any]:
    texts = {str: _text}
    step = {
        probatio.Optional("title"): _text,
        probatio.Optional("description"): _text,
        probatio.Optional("data"): texts,
        probatio.Optional("data_description"): texts,
        probatio.Optional("menu_options"): texts,
        probatio.Optional("menu_option_descriptions"): texts,
        probatio.Optional("submit"): _text,
        probatio.Optional("sections"): {
            str: {
                probatio.Optional("name"): _text,
                probatio.Optional("description"): _text,
                probatio.Optional("data"): texts,
                probatio.Optional("data_description"): texts,
            }
        },
    }
    schema: dict[Any, Any] = {
        probatio.Optional("flow_title"): _text,
        probatio.Required("step"): {str: step},
        probatio.Optional("error"): texts,
        probatio.Optional("abort"): texts,
        probatio.Optional("progress"): texts,
        probatio.Optional("create_entry"): texts,
    }
    if subentry:
        schema[probatio.Required("entry_type")] = _text
        schema[probatio.Required("initiate_flow")] = {probatio.Required("user"): _text, str: _text}
    else:
        schema[probatio.Optional("initiate_flow")] = {probatio.Required("user"): _text}
    return probatio.All(probatio.Schema(schema), _descriptions_describe_data)


def _platform(value: Any) -> str:
    if value not in {platform.value for platform in Platform}:
        raise probatio.Invalid(f"{value!r} is not an entity platform")
    return str(value)


_STATES = _keyed(_label)
_ENTITY = cv.schema_with_slug_keys(
    _keyed(
        {
            probatio.Optional("name"): _text,
            probatio.Optional("state"): _STATES,
            probatio.Optional("state_attributes"): _keyed(
                {probatio.Optional("name"): _label, probatio.Optional("state"): _STATES}
            ),
            probatio.Optional("unit_of_measurement"): _label,
        }
    ),
    slug_validator=_platform,
)
_FIELDS = _keyed(
    {
        probatio.Required("name"): _text,
        probatio.Required("description"): _text,
        probatio.Optional("example"): _text,
    }
)
STRINGS_SCHEMA = probatio.Schema(
    {
        probatio.Optional("title"): _text,
        probatio.Optional("common"): {cv.slug: _text},
        probatio.Optional("config"): _flow(),
        probatio.Optional("config_subentries"): _keyed(_flow(subentry=True)),
        probatio.Optional("options"): _flow(),
        probatio.Optional("selector"): _keyed(
            {
                probatio.Optional("options"): _keyed(_text),
                probatio.Optional("choices"): _keyed(_text),
                probatio.Optional("unit_of_measurement"): _keyed(_text),
                probatio.Optional("fields"): _FIELDS,
            }
        ),
        probatio.Optional("device"): _keyed({probatio.Optional("name"): _text}),
        probatio.Optional("entity"): _ENTITY,
        probatio.Optional("exceptions"): _keyed({probatio.Required("message"): _text}),
        probatio.Optional("issues"): _keyed(
            probatio.All(
                cv.has_at_least_one_key("description", "fix_flow"),
                {
                    probatio.Required("title"): _text,
                    probatio.Exclusive("description", "fixable"): _text,
                    probatio.Exclusive("fix_flow", "fixable"): _flow(),
                },
            )
        ),
        probatio.Optional("services"): _keyed(
            {
                probatio.Required("name"): _text,
                probatio.Required("description"): _text,
                probatio.Optional("fields"): _FIELDS,
                probatio.Optional("sections"): _keyed(
                    {probatio.Required("name"): _text, probatio.Optional("description"): _text}
                ),
            }
        ),
        probatio.Optional("system_health"): {probatio.Optional("info"): _keyed(_text)},
        probatio.Optional("application_credentials"): {probatio.Optional("description"): _text},
    }
)


def _references(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key, text in translations.flatten(node).items():
        if isinstance(text, str) and (match := translations.REFERENCE.fullmatch(text)):
            yield key, match[1]


@pytest.mark.parametrize(
    "name", ["strings.json", *(f"translations/{p.name}" for p in TRANSLATION_FILES)]
)
def test_translation_file_passes_hassfest_rules(name: str) -> None:
    data = json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    STRINGS_SCHEMA(data)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("Open https://example.com", "URLs"),
        ("Trailing ", "whitespace"),
        ("<b>bold</b>", "HTML"),
        ("Miner '{miner}'", "single quotes"),
        ("See [%key:component::hashheat::common::host_description%] too", "whole string"),
        ("Broken {brace", "unbalanced"),
        ("", "non-empty"),
    ],
)
def test_text_rules_reject(value: str, error: str) -> None:
    with pytest.raises(probatio.Invalid, match=error):
        _text(value)


def test_state_names_take_no_placeholders_and_keys_no_leading_underscore() -> None:
    assert _label("Connected") == "Connected"
    with pytest.raises(probatio.Invalid, match="placeholders are not supported"):
        _label("{miner}")
    with pytest.raises(probatio.Invalid, match="invalid translation key"):
        _translation_key("__new_site__")


def test_references_point_at_one_level_of_text() -> None:
    """Lokalise (and hassfest) resolve exactly one level: the target must be plain text."""
    found = list(_references(STRINGS))
    assert found
    for source, reference in found:
        target = translations.flatten(STRINGS).get(reference.removeprefix(translations.PREFIX))
        assert isinstance(target, str), f"{source} points at missing {reference}"
        assert not translations.REFERENCE.search(target), f"{source}: {reference} is a reference"


def test_english_translation_is_strings_with_references_resolved() -> None:
    """Custom integrations get no build step: en.json must carry the resolved text."""
    english = (INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8")
    assert "[%key:" not in english
    assert english == translations.english()
    assert translations.resolve(
        {"a": "x", "b": "[%key:component::hashheat::a%]"}, {"c": "[%key:component::hashheat::b%]"}
    ) == {"c": "x"}


def test_the_shipped_languages() -> None:
    assert {"de", "fi", "sv"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_has_exactly_the_english_keys_and_placeholders(language: str) -> None:
    """Keys, placeholders and markdown as en.json, nothing empty (scripts/translations.py --check)."""
    assert translations.drift(ENGLISH, translations.languages()[language]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_keeps_brands_units_and_the_links_between_strings(language: str) -> None:
    tree = translations.languages()[language]
    english = translations.flatten(ENGLISH)
    for key, text in translations.flatten(tree).items():
        for kept in UNTRANSLATED:
            if kept in english[key]:
                assert kept in text, f"{language}: {key} lost {kept!r}"


def test_drift_reports_what_a_translator_must_fix() -> None:
    english = {"a": {"b": "{n} miners", "c": "*Change*"}, "d": "x", "g": "y"}
    other = {"a": {"b": "{m} Miner", "c": "Ändern"}, "d": "[%key:component::hashheat::g%]", "e": ""}
    assert translations.drift(english, other) == [
        "missing g",
        "extra e",
        "placeholders of a::b: ['m']",
        "markup of a::c differs from English",
        "unresolved reference in d",
        "empty e",
    ]


def _is_description(value: object) -> bool:
    # Frozen-or-thawed descriptions (ClimateEntityDescription, ...) are no EntityDescription
    # instances to isinstance(): their class is a copy made by Home Assistant's compat shim.
    return any(cls.__name__ == EntityDescription.__name__ for cls in type(value).__mro__)


def _descriptions(platform: Platform) -> list[EntityDescription]:
    module = importlib.import_module(f"custom_components.hashheat.{platform}")
    found: list[EntityDescription] = []
    for value in vars(module).values():
        items = (
            value.values()
            if isinstance(value, dict)
            else value
            if isinstance(value, tuple | list)
            else (value,)
        )
        found += [item for item in items if _is_description(item)]
    return found


def test_every_entity_is_named_by_a_translation_or_its_device_class() -> None:
    entity = STRINGS["entity"]
    for platform in PLATFORMS:
        descriptions = _descriptions(platform)
        assert descriptions, platform
        keys = {d.translation_key for d in descriptions if d.translation_key}
        assert keys == set(entity.get(platform, {})), platform
        for description in descriptions:
            if description.translation_key is None:
                assert getattr(description, "device_class", None), description.key
            else:
                assert entity[platform][description.translation_key]["name"]
            options = getattr(description, "options", None) or []
            states = entity[platform].get(description.translation_key, {}).get("state", {})
            assert set(options) == set(states), description.key
    assert set(entity) <= set(PLATFORMS)


def test_entities_without_device_class_have_an_icon() -> None:
    """A translated entity that Home Assistant cannot draw from its device class has an icon."""
    icons = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))["entity"]
    for platform in PLATFORMS:
        for description in _descriptions(platform):
            if description.translation_key and not getattr(description, "device_class", None):
                assert description.translation_key in icons.get(platform, {}), (
                    f"{platform}.{description.translation_key}"
                )


def test_every_climate_preset_is_translated() -> None:
    presets = STRINGS["entity"]["climate"]["loop"]["state_attributes"]["preset_mode"]["state"]
    assert set(presets) == {preset.value for preset in Preset}


def _literal_keys(value: ast.expr, where: str) -> list[str]:
    """The translation keys an expression names; an f-string as its prefix ending in ``*``."""
    if isinstance(value, ast.Call) and value.args:  # Repair(f"interlock_{interlock}")
        value = value.args[0]
    if isinstance(value, ast.Attribute):  # Repair.ACCESS_DENIED
        return [Repair[value.attr].value]
    if isinstance(value, ast.JoinedStr):
        first = value.values[0]
        assert isinstance(first, ast.Constant)
        assert isinstance(first.value, str)
        return [f"{first.value}*"]
    keys = [str(n.value) for n in ast.walk(value) if isinstance(n, ast.Constant)]
    assert keys, f"{where}: translation_key is not a literal"
    return keys


def _placeholder_names(given: ast.expr | None) -> set[str] | None:
    """The names a literal placeholders dict gives (None: not a literal dict)."""
    if given is None:
        return set()
    if isinstance(given, ast.Dict) and None not in given.keys:  # no ``**figures`` spread in it
        return {str(k.value) for k in given.keys if isinstance(k, ast.Constant)}
    return None


def _translation_keys(call: str) -> dict[str, set[str] | None]:
    """Keys raised as exceptions or repair issues, with the placeholder names each call gives.

    An exception is known by its ``translation_domain`` keyword, an issue by ``issues.raise_issue``
    (kind, key, placeholders; a ``translation_key`` keyword names another text than the kind's).
    An f-string key (``f"interlock_{interlock}"``) is listed as its prefix ending in ``*``; the
    placeholders are None when they are not a literal dict.
    """
    found: dict[str, set[str] | None] = {}
    for path in INTEGRATION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            name = node.func.id if isinstance(node.func, ast.Name) else name
            where = f"{path.name}:{node.lineno}"
            if call == "exception" and "translation_domain" in keywords:
                keys = _literal_keys(keywords["translation_key"], where)
                names = _placeholder_names(keywords.get("translation_placeholders"))
            elif call == "raise_issue" and name == call and path.name != "issues.py":
                keys = _literal_keys(keywords.get("translation_key", node.args[1]), where)
                names = _placeholder_names(node.args[3])
            else:
                continue
            for key in keys:
                # A key raised from several places gets only what every one of them gives.
                before = found.get(key, names)
                found[key] = None if before is None or names is None else before & names
    return found


@pytest.mark.parametrize(
    ("call", "section", "text"),
    [("exception", "exceptions", "message"), ("raise_issue", "issues", "description")],
)
def test_raised_exceptions_and_issues_are_translated_with_their_placeholders(
    call: str, section: str, text: str
) -> None:
    """Every key raised is translated, none is stale, and the call fills every placeholder."""
    used = _translation_keys(call)
    assert used
    defined = STRINGS[section]
    for key in defined:
        callers = [k for k in used if k == key or (k.endswith("*") and key.startswith(k[:-1]))]
        assert callers, f"{section}.{key} is never raised"
        for caller in callers:
            given = used[caller]
            texts = [v for v in defined[key].values() if isinstance(v, str)]  # not a fix flow
            needed = translations.placeholders(" ".join(texts))
            assert given is None or needed <= given, f"{section}.{key} needs {needed - given}"
    for key in used:
        assert any(k.startswith(key.removesuffix("*")) for k in defined), key
        if not key.endswith("*"):
            assert key in defined, key


@pytest.mark.parametrize("language", LANGUAGES)
async def test_home_assistant_serves_the_language(hass: HomeAssistant, language: str) -> None:
    """Home Assistant's own loader picks the file up: entity names, flow and issue text."""
    tree = translations.languages()[language]
    for category, key, expected in [
        ("entity", "entity.sensor.heat_power.name", tree["entity"]["sensor"]["heat_power"]["name"]),
        ("config", "config.step.user.title", tree["config"]["step"]["user"]["title"]),
        ("issues", "issues.interlock_pump.title", tree["issues"]["interlock_pump"]["title"]),
        (
            "exceptions",
            "exceptions.site_unreachable.message",
            tree["exceptions"]["site_unreachable"]["message"],
        ),
    ]:
        loaded = await async_get_translations(hass, language, category, {DOMAIN})
        assert loaded[f"component.{DOMAIN}.{key}"] == expected
        assert expected != translations.flatten(ENGLISH)[key.replace(".", "::")]
