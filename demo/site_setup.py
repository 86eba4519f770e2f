"""The demo site, configured the way a user does it in the UI, through the same flow APIs.

1. *Add integration → HashHeat*: the config flow creates the site with its first miner (typed).
2. *Add miner → Enter its address*: a subentry flow per further miner.
3. *Configure*: the options flow with the plant's sensors, price, heat reference, control
   (return temperature, pump) and revenue (the simulator's mempool-compatible API: offline).
4. *Reload* (the entry's menu): miners added or options changed while the site is still being
   set up do not reload it (its update listener is registered at the end of its setup), so the
   site is reloaded once at the end, as a user would after such a change.
5. The Loop climate to *heat* at the demo's target.
"""

from functools import partial
from typing import Any

import aiohttp

from demo.ha_api import HaApi, Json, as_object
from demo.settings import DemoSettings
from demo.waiting import DemoError, wait_until
from demo.ws import ws_command

__all__ = [
    "OFFLINE_DOMAINS",
    "configure_site",
    "disable_offline_entries",
    "find_site",
    "options_input",
]

DOMAIN = "hashheat"
FLOW = "/api/config/config_entries/flow"
SUBENTRY_FLOW = "/api/config/config_entries/subentries/flow"
OPTIONS_FLOW = "/api/config/config_entries/options/flow"

# Set up by onboarding (weather, radio) or default_config (go2rtc) but unable to work here:
# no internet, no go2rtc server. Disabled as a user would, so they show no errors.
OFFLINE_DOMAINS = ("met", "radio_browser", "go2rtc")

# The REST entities of demo/configuration.yaml.
RETURN_SENSOR = "sensor.loop_return_temperature"
SUPPLY_SENSOR = "sensor.loop_supply_temperature"
TANK_SENSOR = "sensor.tank_temperature"
FLOW_SENSOR = "sensor.loop_flow"
PRICE_SENSOR = "sensor.electricity_price"
PUMP_SENSOR = "binary_sensor.loop_pump_running"


async def find_site(api: HaApi, title: str) -> str | None:
    """The entry id of the HashHeat site called ``title``, if there is one."""
    entries = await api.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    for entry in entries:
        if entry["title"] == title:
            return str(entry["entry_id"])
    return None


async def _step(api: HaApi, path: str, data: Json, *, expect: str) -> Json:
    """Post one step (or start a flow) and check the kind of answer."""
    result = as_object(await api.post(path, data), path)
    if result.get("errors"):
        raise DemoError(f"{path}: the form answered errors {result['errors']}")
    if result.get("type") != expect:
        raise DemoError(f"{path}: expected {expect}, got {result}")
    return result


async def _create_site(api: HaApi, settings: DemoSettings) -> str:
    start = {"handler": DOMAIN, "show_advanced_options": False}
    form = await _step(api, FLOW, start, expect="form")
    created = await _step(
        api,
        f"{FLOW}/{form['flow_id']}",
        {"name": settings.site_name, "host": settings.miner_hosts[0]},
        expect="create_entry",
    )
    return str(created["result"]["entry_id"])


async def _add_miner(api: HaApi, entry_id: str, host: str) -> None:
    menu = await _step(api, SUBENTRY_FLOW, {"handler": [entry_id, "miner"]}, expect="menu")
    path = f"{SUBENTRY_FLOW}/{menu['flow_id']}"
    await _step(api, path, {"next_step_id": "manual"}, expect="form")
    await _step(api, path, {"host": host}, expect="create_entry")


def options_input(settings: DemoSettings) -> dict[str, dict[str, Any]]:
    """The options form as the user fills it in, section by section."""
    return {
        "plant": {
            "return_temperature_entity": RETURN_SENSOR,
            "supply_temperature_entity": SUPPLY_SENSOR,
            "flow_entity": FLOW_SENSOR,
            "fluid": "water",
            "capture_percent": 95,
            "tank_temperature_entity": TANK_SENSOR,
        },
        "electricity": {"electricity_price_entity": PRICE_SENSOR, "cheap_hours": 4},
        "tariff": {"grid_fee": 0, "levies": 0, "vat_percent": 0},
        "heat_reference_section": {
            "heat_reference": "gas_boiler",
            "gas_price": settings.gas_price_per_kwh,
            "boiler_efficiency_percent": 90,
        },
        "emissions": {"gas_co2_kg_per_kwh": 0.201, "grid_co2_kg_per_kwh": 0.25},
        "control": {
            "over_temperature": 65,
            "stale_minutes": 5,
            "sensor_fallback": "stop",
            "pump_entity": PUMP_SENSOR,
            "min_on_minutes": 10,
            "min_off_minutes": 10,
            "max_starts_per_day": 12,
        },
        # Health and wear: the defaults, as the form suggests them.
        "health": {},
        "revenue": {
            "revenue_source": "network",
            "mempool_url": settings.sim_url,
            "pool_fee_percent": 2,
        },
        # The price plan's store: one immersion tank and its loop, no demand inputs yet.
        "plan": {"tank_volume_l": 600, "tank_fluid": "dielectric_oil", "loop_volume_l": 200},
    }


async def _configure_options(api: HaApi, settings: DemoSettings, entry_id: str) -> None:
    # The form checks each sensor's unit, so the plant's sensors must have a state first.
    for entity_id in (RETURN_SENSOR, SUPPLY_SENSOR, FLOW_SENSOR, PRICE_SENSOR):
        await wait_until(
            f"{entity_id} has a value", partial(api.numeric_state, entity_id), timeout=60
        )
    form = await _step(api, OPTIONS_FLOW, {"handler": entry_id}, expect="form")
    path = f"{OPTIONS_FLOW}/{form['flow_id']}"
    # The settings, then the price source HashHeat found (confirmed as it is).
    await _step(api, path, options_input(settings), expect="form")
    await _step(api, path, {}, expect="create_entry")


async def _reload(api: HaApi, entry_id: str) -> None:
    # Answers when this reload (queued behind any pending one) is done.
    await api.post(f"/api/config/config_entries/entry/{entry_id}/reload")
    await wait_until("the site loaded", partial(_loaded, api, entry_id), timeout=60)


async def _loaded(api: HaApi, entry_id: str) -> bool | None:
    entries = await api.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    return (
        True if any(e["entry_id"] == entry_id and e["state"] == "loaded" for e in entries) else None
    )


async def _heat(api: HaApi, settings: DemoSettings) -> None:
    loop = f"climate.{settings.entity_prefix}_loop"

    async def heating() -> bool | None:
        state = await api.state(loop)
        if state is None or state["state"] == "unavailable":
            return None
        if state["state"] == "heat" and state["attributes"]["temperature"] == settings.target_c:
            return True
        await api.call_service(
            "climate",
            "set_temperature",
            {"entity_id": loop, "temperature": settings.target_c, "hvac_mode": "heat"},
        )
        return None

    await wait_until(f"{loop} heating to {settings.target_c:g} °C", heating, timeout=60)


async def configure_site(api: HaApi, settings: DemoSettings) -> str:
    """Create and configure the site unless it exists; return its entry id."""
    if (entry_id := await find_site(api, settings.site_name)) is not None:
        return entry_id
    entry_id = await _create_site(api, settings)
    for host in settings.miner_hosts[1:]:
        await _add_miner(api, entry_id, host)
    await _configure_options(api, settings, entry_id)
    await _reload(api, entry_id)
    await _heat(api, settings)
    return entry_id


async def disable_offline_entries(api: HaApi, session: aiohttp.ClientSession) -> list[str]:
    """Disable the entries of :data:`OFFLINE_DOMAINS` that are enabled; their titles."""
    disabled = []
    for entry in await api.get("/api/config/config_entries/entry"):
        if entry["domain"] in OFFLINE_DOMAINS and entry["disabled_by"] is None:
            command = {
                "type": "config_entries/disable",
                "entry_id": entry["entry_id"],
                "disabled_by": "user",
            }
            await ws_command(session, api.url, api.token, command)
            disabled.append(str(entry["title"]))
    return disabled
