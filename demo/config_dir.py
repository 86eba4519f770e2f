"""Home Assistant's configuration directory for the demo, written before every start.

configuration.yaml and the dashboard come from this package; the integration is linked and the
blueprints are copied, so the demo always runs what the working tree holds. What Home Assistant
itself stores (.storage, the database) is kept between starts unless ``fresh``, or unless it was
set up with other miners (``--mix``): their addresses then answer as other miners.
"""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from homeassistant.components.http import config as http_config

from demo.settings import (
    ACCESS_FILE,
    BLUEPRINTS,
    CONFIG_DIR,
    INTEGRATION,
    PACKAGE_DIR,
    SITE_MINERS,
    DemoSettings,
)

DASHBOARD_FILE = "hashheat_dashboard.yaml"
MINERS_FILE = "hashheat_demo_miners.json"  # the models the kept configuration was set up with


def render_configuration(settings: DemoSettings) -> str:
    """configuration.yaml with the demo's addresses and time zone filled in."""
    template = Template((PACKAGE_DIR / "configuration.yaml").read_text(encoding="utf-8"))
    return template.substitute(
        ha_host=settings.ha_host,
        ha_port=settings.ha_port,
        sim_url=settings.sim_url,
        time_zone=settings.time_zone,
        language=settings.language,
    )


def write_http_settings(settings: DemoSettings) -> None:
    """The web server's address in Home Assistant's own store, confirmed ("stable").

    Since 2026.10 Home Assistant keeps its http settings in ``.storage/http``; ``http:`` in
    YAML is migrated once as an unconfirmed trial that reverts unless a user confirms it.
    """
    server = http_config.HTTP_STORAGE_SCHEMA(
        {"server_host": [settings.ha_host], "server_port": settings.ha_port}
    )
    stable = {
        **server,
        http_config.HTTP_CONFIG_CREATED_AT: datetime.now(UTC).isoformat(),
        http_config.HTTP_CONFIG_ERROR: None,
        http_config.HTTP_CONFIG_ERROR_MESSAGE: None,
    }
    store = {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": {
            http_config.KEY_STABLE: stable,
            http_config.KEY_PENDING: None,
            http_config.KEY_YAML_MIGRATION_DONE: True,
        },
    }
    path = CONFIG_DIR / ".storage" / http_config.STORAGE_KEY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(store, indent=2), encoding="utf-8")


def prepare_config_dir(settings: DemoSettings, *, fresh: bool) -> bool:
    """Write the configuration; return whether Home Assistant has been set up here before."""
    if fresh or _set_up_with(CONFIG_DIR / MINERS_FILE) != list(settings.miner_models):
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)
        ACCESS_FILE.unlink(missing_ok=True)
    known = (CONFIG_DIR / ".storage" / "onboarding").exists()
    CONFIG_DIR.mkdir(parents=True, exist_ok=True)
    (CONFIG_DIR / MINERS_FILE).write_text(json.dumps(list(settings.miner_models)), "utf-8")
    (CONFIG_DIR / "configuration.yaml").write_text(render_configuration(settings), encoding="utf-8")
    write_http_settings(settings)
    shutil.copyfile(PACKAGE_DIR / "dashboard.yaml", CONFIG_DIR / DASHBOARD_FILE)
    link = CONFIG_DIR / "custom_components" / INTEGRATION.name
    link.parent.mkdir(exist_ok=True)
    if not link.is_symlink():
        shutil.rmtree(link, ignore_errors=True)
        link.symlink_to(INTEGRATION, target_is_directory=True)
    blueprints = CONFIG_DIR / "blueprints" / "automation" / "hashheat"
    blueprints.mkdir(parents=True, exist_ok=True)
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        shutil.copyfile(blueprint, blueprints / blueprint.name)
    return known


def _set_up_with(path: Path) -> list[str]:
    """The models a kept configuration was set up with (one from before the record: the default)."""
    if not path.exists():
        return list(SITE_MINERS)
    return [str(model) for model in json.loads(path.read_text(encoding="utf-8"))]
