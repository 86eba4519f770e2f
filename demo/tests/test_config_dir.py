"""The demo's Home Assistant configuration: complete, valid YAML, confirmed http settings."""

import json
from pathlib import Path

import pytest
from homeassistant.components.http import config as http_config
from homeassistant.util.yaml import parse_yaml

from demo import config_dir
from demo.access import Access, read_access, write_access
from demo.settings import FIVE_FAMILIES, PACKAGE_DIR, DemoSettings


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo configuration directory under tmp_path."""
    target = tmp_path / "config"
    monkeypatch.setattr(config_dir, "CONFIG_DIR", target)
    monkeypatch.setattr(config_dir, "ACCESS_FILE", tmp_path / "access.json")
    return target


def test_configuration_is_filled_in_and_parses() -> None:
    text = config_dir.render_configuration(DemoSettings(ha_port=8999))
    assert "$" not in text
    data = parse_yaml(text)
    assert isinstance(data, dict)
    assert "default_config" in data
    assert data["homeassistant"]["currency"] == "EUR"
    resources = [block["resource"] for block in data["rest"]]
    assert resources == ["http://127.0.0.1:8300/plant", "http://127.0.0.1:8300/price"]
    assert data["lovelace"]["dashboards"]["hashheat-demo"]["filename"] == config_dir.DASHBOARD_FILE
    assert "http" not in data  # kept in .storage/http, see write_http_settings


def test_dashboard_parses_and_uses_the_demo_site() -> None:
    dashboard = parse_yaml((PACKAGE_DIR / "dashboard.yaml").read_text(encoding="utf-8"))
    assert isinstance(dashboard, dict)
    text = json.dumps(dashboard)
    assert [view["path"] for view in dashboard["views"]] == ["site", "miners", "report"]
    assert "sensor.boiler_room_heat_exchanger_conductance" in text
    assert "climate.boiler_room_loop" in text
    assert DemoSettings().entity_prefix == "boiler_room"


def test_prepare_writes_links_and_copies(config: Path) -> None:
    settings = DemoSettings()
    assert config_dir.prepare_config_dir(settings, fresh=True) is False
    assert (config / "custom_components" / "hashheat").is_symlink()
    assert (config / "custom_components" / "hashheat" / "manifest.json").exists()
    assert sorted(p.name for p in (config / "blueprints/automation/hashheat").iterdir())
    assert (config / config_dir.DASHBOARD_FILE).exists()
    store = json.loads((config / ".storage" / "http").read_text(encoding="utf-8"))
    assert store["version"] == http_config.STORAGE_VERSION
    stable = store["data"][http_config.KEY_STABLE]
    assert stable["server_host"] == ["127.0.0.1"]
    assert stable["server_port"] == 8123
    assert store["data"][http_config.KEY_PENDING] is None
    # A kept configuration is reported as such, and --fresh forgets it.
    (config / ".storage" / "onboarding").write_text("{}", encoding="utf-8")
    assert config_dir.prepare_config_dir(settings, fresh=False) is True
    assert config_dir.prepare_config_dir(settings, fresh=True) is False


def test_a_configuration_set_up_with_other_miners_starts_fresh(config: Path) -> None:
    """``--mix`` puts other miners at the site's addresses: the kept site would not match them."""
    settings, mix = DemoSettings(), DemoSettings(miner_models=FIVE_FAMILIES)
    config_dir.prepare_config_dir(settings, fresh=True)
    (config / ".storage" / "onboarding").write_text("{}", encoding="utf-8")
    assert config_dir.prepare_config_dir(settings, fresh=False) is True
    assert config_dir.prepare_config_dir(mix, fresh=False) is False
    (config / ".storage" / "onboarding").write_text("{}", encoding="utf-8")
    assert config_dir.prepare_config_dir(mix, fresh=False) is True
    assert config_dir.prepare_config_dir(settings, fresh=False) is False
    # A configuration from before the record was set up with the default miners.
    (config / ".storage" / "onboarding").write_text("{}", encoding="utf-8")
    (config / config_dir.MINERS_FILE).unlink()
    assert config_dir.prepare_config_dir(settings, fresh=False) is True


def test_access_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "access.json"
    assert read_access(path) is None
    access = Access(
        url="http://127.0.0.1:8123",
        token="secret",
        username="demo",
        password="demo-hashheat",
        spare_subnet="127.77.1.0/29",
    )
    write_access(access, path)
    assert read_access(path) == access
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text('{"url": "x"}', encoding="utf-8")
    assert read_access(path) is None
