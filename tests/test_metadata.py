"""Packaging metadata that hassfest and HACS check, kept honest by tests.

Neither ``script.hassfest`` nor HACS's validator ships in the test environment, so their rules
for a custom integration are written out here: manifest.json, hacs.json, services.yaml and
icons.json, the brand images and quality_scale.yaml. strings.json and the translations are in
test_translations.py.
"""

import ast
import json
import re
import struct
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import probatio
import pytest
from awesomeversion import AwesomeVersion, AwesomeVersionException, AwesomeVersionStrategy
from homeassistant import const
from homeassistant.components.brands.const import ALLOWED_IMAGES
from homeassistant.config_entries import HANDLERS
from homeassistant.const import Platform
from homeassistant.helpers import service
from homeassistant.util import yaml as yaml_util

from custom_components.hashheat import config_flow
from custom_components.hashheat import services as hashheat_services

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "hashheat"
PIN = "pyasic==0.79.0"
# Local brand images (custom_components/<domain>/brand/) are served since this release.
LOCAL_BRAND_IMAGES = AwesomeVersion("2026.3.0")
# Components a custom integration may import without declaring them (hassfest's own allowance
# covers the entity platforms and these helpers of the core).
UNDECLARED_COMPONENTS = {platform.value for platform in Platform} | {
    "diagnostics",
    "homeassistant",
    "repairs",
    "system_health",
}


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _version(value: Any) -> str:
    try:
        AwesomeVersion(
            value,
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException as err:
        raise probatio.Invalid(f"{value!r} is not a valid version") from err
    return str(value)


def _https(value: Any) -> str:
    url = urlparse(str(value))
    if url.scheme != "https" or not url.netloc:
        raise probatio.Invalid(f"{value!r} is not an https URL")
    return str(value)


def _documentation(value: Any) -> str:
    if str(value).startswith("https://www.home-assistant.io/integrations"):
        raise probatio.Invalid("a custom integration documents itself, not on home-assistant.io")
    return _https(value)


def _codeowner(value: Any) -> str:
    if not re.fullmatch(r"@[A-Za-z0-9-]+(?:/[A-Za-z0-9_.-]+)?", str(value)):
        raise probatio.Invalid(f"{value!r} is not a GitHub @user or @org/team")
    return str(value)


def _pinned(value: Any) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.\[\],-]+==[A-Za-z0-9_.+-]+", str(value)):
        raise probatio.Invalid(f"{value!r} is not pinned to one version")
    return str(value)


def _lowercase(value: Any) -> str:
    if str(value) != str(value).lower():
        raise probatio.Invalid(f"{value!r} must be lower case")
    return str(value)


MANIFEST_SCHEMA = probatio.Schema(
    {
        probatio.Required("domain"): "hashheat",
        probatio.Required("name"): str,
        probatio.Optional("after_dependencies"): [str],
        probatio.Required("codeowners"): probatio.All([_codeowner], probatio.Length(min=1)),
        probatio.Required("config_flow"): bool,
        probatio.Optional("dependencies"): [str],
        probatio.Optional("dhcp"): [
            {
                probatio.Optional("hostname"): _lowercase,
                probatio.Optional("macaddress"): str,
                probatio.Optional("registered_devices"): bool,
            }
        ],
        probatio.Required("documentation"): _documentation,
        probatio.Optional("import_executor"): bool,
        probatio.Required("integration_type"): probatio.In(
            ["device", "entity", "hardware", "helper", "hub", "service", "system"]
        ),
        probatio.Required("iot_class"): probatio.In(
            [
                "assumed_state",
                "calculated",
                "cloud_polling",
                "cloud_push",
                "local_polling",
                "local_push",
            ]
        ),
        probatio.Required("issue_tracker"): _https,
        probatio.Optional("loggers"): [str],
        probatio.Optional("quality_scale"): probatio.In(
            ["bronze", "silver", "gold", "platinum", "custom", "no_score", "internal", "legacy"]
        ),
        probatio.Required("requirements"): [_pinned],
        probatio.Optional("single_config_entry"): bool,
        probatio.Required("version"): probatio.All(str, _version),
    }
)

HACS_SCHEMA = probatio.Schema(
    {
        probatio.Required("name"): str,
        probatio.Optional("content_in_root"): bool,
        probatio.Optional("country"): probatio.Any(str, [str]),
        probatio.Optional("filename"): str,
        probatio.Optional("hacs"): probatio.All(str, _version),
        probatio.Optional("hide_default_branch"): bool,
        probatio.Optional("homeassistant"): probatio.All(str, _version),
        probatio.Optional("persistent_directory"): str,
        probatio.Optional("render_readme"): bool,
        probatio.Optional("zip_release"): bool,
    }
)

MANIFEST = _json(INTEGRATION / "manifest.json")
HACS = _json(ROOT / "hacs.json")
STRINGS = _json(INTEGRATION / "strings.json")
ICONS = _json(INTEGRATION / "icons.json")
SERVICES = yaml_util.load_yaml_dict(INTEGRATION / "services.yaml")


def test_manifest_passes_hassfest_rules() -> None:
    """The custom-integration manifest schema, and hassfest's key order."""
    manifest = MANIFEST_SCHEMA(dict(MANIFEST))
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name
    assert manifest["integration_type"] == "hub"
    assert manifest["iot_class"] == "local_polling"
    assert manifest["loggers"] == ["pyasic"]
    assert not set(manifest.get("dependencies", [])) & set(manifest.get("after_dependencies", []))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("version", "next"),
        ("documentation", "http://example.com"),
        ("documentation", "https://www.home-assistant.io/integrations/hashheat"),
        ("requirements", ["pyasic>=0.79"]),
        ("codeowners", ["hashheat"]),
        ("quality_scale", "diamond"),
        ("iot_class", "local"),
        ("homeassistant", "2026.10.0"),
    ],
)
def test_manifest_schema_rejects(key: str, value: object) -> None:
    with pytest.raises(probatio.Invalid):
        MANIFEST_SCHEMA({**MANIFEST, key: value})


def test_requirement_is_pinned_everywhere() -> None:
    assert MANIFEST["requirements"] == [PIN]
    lock = (ROOT / "requirements" / "test.txt").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(PIN)} \\$", lock, re.MULTILINE)
    assert f'dependencies = ["{PIN}"]' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject_version = re.search(
        r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.MULTILINE
    )
    assert pyproject_version is not None
    assert MANIFEST["version"] == pyproject_version[1]


def _imported_components() -> set[str]:
    found: set[str] = set()
    for path in INTEGRATION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("homeassistant.components."):
                    found.add(name.split(".")[2])
    return found


def test_imported_components_are_declared() -> None:
    """What hassfest's dependency check asks: an imported component is a (after_)dependency."""
    imported = _imported_components()
    assert "sensor" in imported
    declared = set(MANIFEST.get("dependencies", [])) | set(MANIFEST.get("after_dependencies", []))
    assert imported - UNDECLARED_COMPONENTS <= declared


def test_config_flow_and_discovery_match_the_manifest() -> None:
    """config_flow: true needs the flow; each discovery source in the manifest needs its step."""
    assert MANIFEST["config_flow"] is True
    handler = HANDLERS[MANIFEST["domain"]]
    assert handler.__module__ == config_flow.__name__
    own = [cls for cls in handler.__mro__ if cls.__module__.startswith("custom_components.")]
    for discovery in ("dhcp", "zeroconf", "ssdp", "usb", "bluetooth", "homekit", "mqtt"):
        step = f"async_step_{discovery}"
        assert (discovery in MANIFEST) == any(step in vars(cls) for cls in own), discovery


def test_hacs_metadata() -> None:
    """hacs.json has only keys HACS knows; the minimum Home Assistant is the one documented."""
    hacs = HACS_SCHEMA(dict(HACS))
    assert hacs["name"] == MANIFEST["name"]
    assert hacs["render_readme"] is True
    minimum = AwesomeVersion(hacs["homeassistant"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"needs Home Assistant (\d{4}\.\d+) or newer", readme)
    assert documented is not None
    assert minimum == AwesomeVersion(f"{documented[1]}.0")
    assert LOCAL_BRAND_IMAGES <= minimum <= AwesomeVersion(const.__version__)
    with pytest.raises(probatio.Invalid):
        HACS_SCHEMA({**HACS, "domains": ["sensor"]})


def test_hacs_repository_layout() -> None:
    """One integration under custom_components/, a README, and what HACS reads from the manifest."""
    integrations = [p for p in (ROOT / "custom_components").iterdir() if p.is_dir()]
    assert [p.name for p in integrations if p.name != "__pycache__"] == [INTEGRATION.name]
    assert (ROOT / "README.md").is_file()
    for key in ("codeowners", "documentation", "domain", "issue_tracker", "name", "version"):
        assert MANIFEST[key], key


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path.name
    assert data[12:16] == b"IHDR", path.name
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_brand_images() -> None:
    """Served from brand/ (logo.png falls back to icon.png); sizes as the brands repository asks."""
    brand = INTEGRATION / "brand"
    images = {path.name for path in brand.iterdir()}
    assert "icon.png" in images
    assert images <= ALLOWED_IMAGES
    for name in images:
        width, height = _png_size(brand / name)
        scale = 2 if "@2x" in name else 1
        if "icon" in name:
            assert (width, height) == (256 * scale, 256 * scale), name
        else:
            assert 128 * scale <= min(width, height) <= 256 * scale, name


def test_quality_scale_file() -> None:
    rules = yaml_util.load_yaml_dict(INTEGRATION / "quality_scale.yaml")["rules"]
    assert isinstance(rules, dict)
    for rule, status in rules.items():
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule), rule
        if isinstance(status, str):
            assert status in {"done", "todo"}, rule
            continue
        assert status["status"] in {"done", "todo", "exempt"}, rule
        assert set(status) <= {"status", "comment"}, rule
        if status["status"] == "exempt":
            assert status.get("comment"), f"{rule}: an exemption needs its reason"


def test_services_yaml_matches_the_registered_actions_and_their_translations() -> None:
    """Home Assistant's own services.yaml schema; each action and field named and described."""
    described = service._SERVICES_SCHEMA(SERVICES)
    registered = {
        value for name, value in vars(hashheat_services).items() if name.startswith("SERVICE_")
    }
    assert set(described) == registered
    assert set(STRINGS["services"]) == registered
    schemas = {
        hashheat_services.SERVICE_PAUSE_SITE: hashheat_services.PAUSE_SCHEMA,
        hashheat_services.SERVICE_RESUME_SITE: hashheat_services.SITE_SCHEMA,
        hashheat_services.SERVICE_GET_PLAN: hashheat_services.SITE_SCHEMA,
        hashheat_services.SERVICE_REPORT: hashheat_services.REPORT_SCHEMA,
    }
    for action, spec in described.items():
        fields = spec.get("fields", {})
        assert set(fields) == {str(key) for key in schemas[action].schema}, action
        translated = STRINGS["services"][action]
        assert translated["name"]
        assert translated["description"]
        assert set(translated.get("fields", {})) == set(fields), action
        for field, field_spec in fields.items():
            assert "selector" in field_spec, f"{action}.{field}"
            assert translated["fields"][field]["name"]
            assert translated["fields"][field]["description"]


def _icon(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"mdi:[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise probatio.Invalid(f"{value!r} is not an mdi: icon")
    return value


ICONS_SCHEMA = probatio.Schema(
    {
        probatio.Optional("entity"): {
            probatio.In([platform.value for platform in Platform]): {
                str: {
                    probatio.Required("default"): _icon,
                    probatio.Optional("state"): {str: _icon},
                    probatio.Optional("state_attributes"): {
                        str: {
                            probatio.Required("default"): _icon,
                            probatio.Optional("state"): {str: _icon},
                        }
                    },
                }
            }
        },
        probatio.Optional("services"): {
            str: {probatio.Required("service"): _icon, probatio.Optional("sections"): {str: _icon}}
        },
    }
)


def test_icons_json() -> None:
    """hassfest's icon schema; an icon for every action; icons only for translated entities."""
    icons = ICONS_SCHEMA(ICONS)
    assert set(icons["services"]) == set(SERVICES)
    names = STRINGS["entity"]
    for platform, keys in icons["entity"].items():
        assert set(keys) <= set(names[platform]), platform
        for key, icon in keys.items():
            states = set(names[platform][key].get("state", {}))
            if platform in {Platform.SWITCH, Platform.BINARY_SENSOR}:
                states |= {"on", "off"}
            assert set(icon.get("state", {})) <= states, f"{platform}.{key}"
