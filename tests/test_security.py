"""Bad input and security, end to end.

* Every flow step and action refuses malformed hosts, ports, subnets (public or oversized scan
  ranges), numbers out of range and over-long or multi-line strings, with an error that is
  translated (its key exists in strings.json), before anything is sent to a miner.
* A miner's password never appears in the log (at DEBUG, through setup, polls, failures and an
  access-denied command), in diagnostics, entity attributes, repair issues or a form sent back.
* What a miner says about itself (model, firmware, serial, host name, pool) cannot put markup
  into repair issues or discovery notices, nor break a state with an over-long value.
"""

import dataclasses
import json
import logging
import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_DHCP
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from probatio import Invalid
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.config_flow import NEW_SITE
from custom_components.hashheat.const import (
    CONF_SITE,
    CONF_SUBNET,
    DOMAIN,
    MAX_SCAN_ADDRESSES,
    UNREACHABLE_REPAIR_AFTER,
)
from custom_components.hashheat.diagnostics import async_get_config_entry_diagnostics
from custom_components.hashheat.settings import plant_defaults
from sim import S19XP, Fleet, SimulatedMiner

from .helpers.addresses import next_address
from .helpers.climate import climate_id
from .helpers.entities import entity_id
from .helpers.flows import add_miner_flow, dhcp_info, sections, site_with, start_site_flow
from .helpers.miners import FAST_SIM
from .helpers.site import PLANT, poll, set_plant, setup_site

STRINGS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "custom_components" / "hashheat" / "strings.json").read_text(
        encoding="utf-8"
    )
)
# Markdown and HTML that would render in a repair issue or a discovery notice.
MARKUP = re.compile(r"[<>\[\]`*|]|\]\(")
SECRET = "pw-Sécret-7f3a9c!"


def assert_translated(errors: dict[str, str], *section: str) -> None:
    """Every error key has its text in strings.json under ``section``."""
    node: Any = STRINGS
    for part in section:
        node = node[part]
    for key in errors.values():
        assert isinstance(node[key], str), key


# --------------------------------------------------------------------------- hosts and ports

BAD_HOSTS = [
    "http://miner:4028",  # a URL, not a host
    "192.168.1.50:4028",  # a port: the API's is fixed
    "[fd00::1]:4028",
    "192.168.1.50/24",
    "256.1.1.1",
    "1.2.3",
    "-miner.local",
    "miner..local",
    "miner_1.local",
    "two words",
    "miner\nlocal",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "a" * 254,
    "a" * 64 + ".local",
]


async def submit_host(hass: HomeAssistant, step: str, host: str) -> tuple[Any, tuple[str, ...]]:
    """Type a host into a step that takes one; return the result and its strings section."""
    if step == "site":
        return await start_site_flow(hass, "Loop", host), ("config", "error")
    entry = site_with((next_address(), "02:00:00:00:00:01"))
    entry.add_to_hass(hass)
    started: Any
    if step == "add_miner":
        started = await add_miner_flow(hass, entry, "manual")
    else:
        (subentry_id,) = entry.subentries
        started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: host}
    )
    return result, ("config_subentries", "miner", "error")


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("step", ["site", "add_miner", "change_address"])
async def test_malformed_hosts_are_refused_before_any_connection(
    hass: HomeAssistant, step: str, host: str
) -> None:
    """Sockets are blocked here: an attempt to connect would not come back as invalid_host."""
    result, section = await submit_host(hass, step, host)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert_translated(result["errors"], *section)


@pytest.mark.parametrize("step", ["add_miner", "change_address"])
async def test_an_empty_host_is_refused(hass: HomeAssistant, step: str) -> None:
    """(The site step scans the network when its optional host is left empty.)"""
    result, section = await submit_host(hass, step, "")
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert_translated(result["errors"], *section)


# ---------------------------------------------------------------------------------- subnets

BAD_SUBNETS = [
    ("8.8.8.0/24", "public_subnet"),
    ("0.0.0.0/0", "public_subnet"),
    ("100.64.0.0/24", "public_subnet"),  # carrier-grade NAT: not the user's own network
    ("224.0.0.0/28", "public_subnet"),  # multicast
    ("1.1.1.1", "public_subnet"),
    ("10.0.0.0/16", "subnet_too_large"),
    ("127.0.0.0/8", "subnet_too_large"),
    ("192.168.0.0/21", "subnet_too_large"),  # 2048 addresses
    ("not a subnet", "invalid_subnet"),
    ("", "invalid_subnet"),
    ("10.0.0.0/33", "invalid_subnet"),
    ("fd00::/120", "invalid_subnet"),
    ("10.0.0.0/24; rm -rf /", "invalid_subnet"),
    ("1" * 1000, "invalid_subnet"),
]


@pytest.mark.parametrize(("subnet", "error"), BAD_SUBNETS)
@pytest.mark.parametrize("step", ["site", "add_miner"])
async def test_scans_stay_on_small_private_networks(
    hass: HomeAssistant, step: str, subnet: str, error: str
) -> None:
    if step == "site":
        started: Any = await start_site_flow(hass, "Loop", "")
        manager: Any = hass.config_entries.flow
        section: tuple[str, ...] = ("config", "error")
    else:
        entry = site_with((next_address(), "02:00:00:00:00:01"))
        entry.add_to_hass(hass)
        started = await add_miner_flow(hass, entry, "scan")
        manager = hass.config_entries.subentries
        section = ("config_subentries", "miner", "error")
    assert started["step_id"] == "scan"
    result = await manager.async_configure(started["flow_id"], {CONF_SUBNET: subnet})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SUBNET: error}
    assert_translated(result["errors"], *section)
    # The limit in the message is the one enforced.
    assert result["description_placeholders"] == {"max_addresses": str(MAX_SCAN_ADDRESSES)}


# ------------------------------------------------------------------------- names, passwords


@pytest.mark.parametrize("name", ["x" * 101, "Boiler\nroom", "Boiler\x00room", "\u202eevil"])
async def test_site_names_are_one_short_line(hass: HomeAssistant, name: str) -> None:
    result = await start_site_flow(hass, name, "")
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_NAME: "invalid_name"}
    assert_translated(result["errors"], "config", "error")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "y" * 100, CONF_HOST: ""}
    )
    assert result["step_id"] == "scan"  # at the limit: accepted


async def test_a_discovered_miner_new_site_name_is_checked(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(fleet.miners[0])
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SITE: NEW_SITE, CONF_NAME: "z" * 101}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "invalid_name"}
    assert_translated(result["errors"], "config", "error")


async def test_an_over_long_password_is_refused_on_change_address(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    entry = await setup_site(hass, fleet.miners[0])
    (subentry_id,) = entry.subentries
    started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: fleet.miners[0].host, CONF_PASSWORD: "p" * 129}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_password"}
    assert_translated(result["errors"], "config_subentries", "miner", "error")


# ---------------------------------------------------------------------------------- options

# (Numbers that are not finite cannot arrive: Home Assistant's JSON APIs refuse NaN and infinity.)
OUT_OF_RANGE: list[tuple[str, Any]] = [
    ("capture_percent", 5),
    ("capture_percent", 150),
    ("over_temperature", 39),
    ("over_temperature", 96),
    ("stale_minutes", 0),
    ("stale_minutes", 61),
    ("min_on_minutes", -1),
    ("min_off_minutes", 121),
    ("max_starts_per_day", 0),
    ("max_starts_per_day", 97),
    ("pool_fee_percent", 11),
    ("gas_co2_kg_per_kwh", 1.5),
    ("grid_co2_kg_per_kwh", -0.1),
    ("boiler_efficiency_percent", 200),
    ("gas_price", -1),
    ("electricity_price", 1e9),
    ("hashprice", math.inf),
    ("cheap_hours", 25),
    ("heat_pump_cop", 0.5),
    ("over_temperature", "hot"),
]


@pytest.fixture
def plant_site(hass: HomeAssistant) -> MockConfigEntry:
    """A site whose plant sensors exist, with units, to choose in the options."""
    hass.config.currency = "EUR"
    set_plant(hass)
    entry = MockConfigEntry(domain=DOMAIN, title="Loop")
    entry.add_to_hass(hass)
    return entry


async def configure_options(
    hass: HomeAssistant, entry: MockConfigEntry, changes: dict[str, Any]
) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], sections({**plant_defaults(), **PLANT, **changes})
    )


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE)
async def test_option_numbers_out_of_range_are_refused(
    hass: HomeAssistant, plant_site: MockConfigEntry, field: str, value: Any
) -> None:
    with pytest.raises(InvalidData) as raised:
        await configure_options(hass, plant_site, {field: value})
    assert f".{field}'" in str(raised.value.schema_errors)  # the message names the field
    assert plant_site.options == {}


@pytest.mark.parametrize(
    "url",
    [
        "https://<script>/",
        "https://mempool.space:0",
        "https://mempool.space:65536",
        "https://" + "a" * 300 + ".com",
        "javascript:alert(1)",
        "https://user:pass@mempool.space",
        "https://mempool.space/\napi",
    ],
)
async def test_malformed_mempool_urls_are_refused(
    hass: HomeAssistant, plant_site: MockConfigEntry, url: str
) -> None:
    result = await configure_options(hass, plant_site, {"mempool_url": url})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"revenue": "invalid_url"}
    assert_translated({"mempool_url": "invalid_url"}, "options", "error")
    assert plant_site.options == {}


# ----------------------------------------------------------------------------------- actions


@pytest.mark.parametrize("entry_id", ["", "x" * 10_000, "<script>alert(1)</script>", "../.."])
@pytest.mark.parametrize("service", ["pause_site", "resume_site"])
async def test_site_actions_refuse_unknown_sites(
    hass: HomeAssistant, fleet: Fleet, service: str, entry_id: str
) -> None:
    await setup_site(hass, fleet.miners[0])
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, service, {"config_entry_id": entry_id}, blocking=True
        )
    assert raised.value.translation_key == "site_not_found"
    assert STRINGS["exceptions"]["site_not_found"]["message"]
    assert not fleet.miners[0].state.is_sleeping


@pytest.mark.parametrize("data", [{}, {"config_entry_id": ["a"]}, {"config_entry_id": None}])
async def test_site_actions_refuse_malformed_data(
    hass: HomeAssistant, fleet: Fleet, data: dict[str, Any]
) -> None:
    await setup_site(hass, fleet.miners[0])
    with pytest.raises(Invalid):
        await hass.services.async_call(DOMAIN, "pause_site", data, blocking=True)


@pytest.mark.parametrize("temperature", [math.nan, math.inf, -math.inf, 19.5, 75.5])
async def test_loop_targets_out_of_range_are_refused(
    hass: HomeAssistant, fleet: Fleet, temperature: float
) -> None:
    entry = await setup_site(hass, fleet.miners[0])
    loop = climate_id(hass, entry)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            "climate",
            "set_temperature",
            {"entity_id": loop, "temperature": temperature},
            blocking=True,
        )
    # Home Assistant's climate refuses what is outside the entity's range; the Loop itself
    # refuses what slips through (NaN compares false with everything).
    assert raised.value.translation_key in {"temp_out_of_range", "target_out_of_range"}
    assert STRINGS["exceptions"]["target_out_of_range"]["message"]


@pytest.mark.parametrize(
    ("service", "data", "targets"),
    [
        ("climate.set_preset_mode", {"preset_mode": "turbo"}, ["loop"]),
        ("climate.set_hvac_mode", {"hvac_mode": "cool"}, ["loop", "heater"]),
        ("number.set_value", {"value": -1}, ["power_limit", "power_cap"]),
        ("number.set_value", {"value": 10_000_000}, ["power_limit", "power_cap"]),
    ],
)
async def test_other_controls_refuse_values_they_do_not_have(
    hass: HomeAssistant, fleet: Fleet, service: str, data: dict[str, Any], targets: list[str]
) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    registry = er.async_get(hass)
    entities = {
        "loop": climate_id(hass, entry),
        "heater": entity_id(hass, "climate", miner, "climate"),
        "power_limit": entity_id(hass, "number", miner, "power_limit_control"),
        "power_cap": registry.async_get_entity_id("number", DOMAIN, f"{entry.entry_id}_power_cap"),
    }
    domain, name = service.split(".")
    for target in targets:
        with pytest.raises((ServiceValidationError, Invalid)):
            await hass.services.async_call(
                domain, name, {"entity_id": entities[target], **data}, blocking=True
            )
    assert miner.state.profile.name == "default"
    assert entry.runtime_data.control.state.power_cap_w is None


# ------------------------------------------------------------------------------ credentials


def _flow_suggestions(result: Any) -> list[Any]:
    """The values a form would show pre-filled."""
    return [
        (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
        if hasattr(key, "description")
    ]


async def test_the_password_never_leaks(
    hass: HomeAssistant,
    fleet: Fleet,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    caplog.set_level(logging.DEBUG)
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    (subentry_id,) = entry.subentries

    # The password is given (and later kept) through the miner's Change address form.
    started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: SECRET}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.subentries[subentry_id].data[CONF_PASSWORD] == SECRET

    # A failed attempt shows the form again: never with the password in it, typed or stored.
    for typed in ({CONF_PASSWORD: SECRET}, {}):
        started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
        result = await hass.config_entries.subentries.async_configure(
            started["flow_id"], {CONF_HOST: next_address(), **typed}
        )
        assert result["errors"] == {"base": "cannot_connect"}
        assert SECRET not in str(_flow_suggestions(result))
        hass.config_entries.subentries.async_abort(result["flow_id"])

    # Polls, failures, an access-denied command, a long outage.
    await poll(hass, entry)
    miner.faults.garbage = True
    await poll(hass, entry)
    miner.faults.garbage = False
    await poll(hass, entry)
    miner.faults.refuse_privileged = True
    with pytest.raises(HomeAssistantError, match="access denied"):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": 2500},
            blocking=True,
        )
    issues = list(ir.async_get(hass).issues.values())
    # The access is given back (an accepted command clears the repair), then a long outage.
    miner.faults.refuse_privileged = False
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": 2500},
        blocking=True,
    )
    miner.faults.offline = True
    await poll(hass, entry)
    freezer.tick(UNREACHABLE_REPAIR_AFTER + timedelta(minutes=1))
    await poll(hass, entry)
    issues += ir.async_get(hass).issues.values()
    assert {issue.translation_key for issue in issues} >= {"access_denied", "miner_unreachable"}
    miner.faults.clear()
    await poll(hass, entry)

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    states = [
        (state.entity_id, state.state, dict(state.attributes)) for state in hass.states.async_all()
    ]
    places = {
        "log": caplog.text,
        "diagnostics": json.dumps(diagnostics, default=str),
        "states": str(states),
        "issues": str([dataclasses.asdict(issue) for issue in issues]),
        "devices": str(dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)),
        "titles": str([entry.title, *(s.title for s in entry.subentries.values())]),
    }
    assert [place for place, text in places.items() if SECRET in text] == []


# ------------------------------------------------------------------------ a miner's markup

EVIL = "[Fix it](javascript:alert(1)) <script>alert(1)</script> **now** `x`|y"


def _is_plain(text: object) -> bool:
    return MARKUP.search(str(text)) is None


@pytest.mark.filterwarnings("ignore:Partially supported miner found")  # pyasic, on the model
async def test_a_miners_replies_cannot_put_markup_into_notices(
    hass: HomeAssistant, loopback: None, freezer: FrozenDateTimeFactory
) -> None:
    """Model, firmware, serial, host name and pool all carry markup; none of it shows."""
    model = dataclasses.replace(S19XP, name=EVIL)
    async with SimulatedMiner(next_address(), model=model, **FAST_SIM) as miner:
        miner.identity.firmware = EVIL
        miner.identity.serial = EVIL
        miner.identity.hostname = EVIL
        miner.identity.pool_url = f"stratum+tcp://{EVIL}:3333"

        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(miner)
        )
        assert result["step_id"] == "discovery_confirm"
        (flow,) = hass.config_entries.flow.async_progress()
        assert _is_plain(flow["context"]["title_placeholders"])
        assert _is_plain(result["description_placeholders"])
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_SITE: NEW_SITE, CONF_NAME: "Garage"}
        )
        await hass.async_block_till_done()
        entry = result["result"]
        (subentry,) = entry.subentries.values()
        assert _is_plain(subentry.title)
        for key in ("make", "model", "firmware", "firmware_version"):
            assert _is_plain(subentry.data[key]), key
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
            assert _is_plain((device.name, device.model, device.manufacturer, device.sw_version))

        # The repair issues a miner can raise, and the error an action raises.
        miner.faults.refuse_privileged = True
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call(
                "number",
                "set_value",
                {
                    "entity_id": entity_id(hass, "number", miner, "power_limit_control"),
                    "value": 2500,
                },
                blocking=True,
            )
        assert _is_plain(raised.value.translation_placeholders)
        issues = list(ir.async_get(hass).issues.values())
        miner.faults.refuse_privileged = False
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": 2500},
            blocking=True,
        )
        miner.faults.offline = True
        await entry.runtime_data.async_refresh()
        freezer.tick(UNREACHABLE_REPAIR_AFTER + timedelta(minutes=1))
        await entry.runtime_data.async_refresh()
        issues += ir.async_get(hass).issues.values()
        assert {issue.translation_key for issue in issues} >= {"access_denied", "miner_unreachable"}
        for issue in issues:
            assert _is_plain(issue.translation_placeholders), issue


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_over_long_pool_url_does_not_break_its_state(
    hass: HomeAssistant, fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    miner = fleet.miners[0]
    miner.identity.pool_url = "stratum+tcp://" + ".".join(["a" * 60] * 5) + ":3333"
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    state = hass.states.get(entity_id(hass, "sensor", miner, "active_pool"))
    assert state is not None
    assert state.state.startswith("stratum+tcp://aaa")
    assert len(state.state) == 255
    assert "longer than" not in caplog.text
