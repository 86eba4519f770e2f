"""Config flow and miner subentry flow, against simulated miners through real pyasic."""

from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.const import CONF_HOST, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import CONF_MAC, CONF_MODEL, DOMAIN, SUBENTRY_MINER
from sim import Fleet

from .conftest import next_address


async def test_create_site_with_first_miner(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Boiler room", CONF_HOST: f" {miner.host} "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Boiler room"
    entry = result["result"]
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == SUBENTRY_MINER
    assert subentry.data[CONF_HOST] == miner.host
    assert subentry.data[CONF_MAC] == miner.identity.mac
    assert subentry.unique_id == miner.identity.mac
    assert subentry.data[CONF_MODEL] == "S19 XP"
    assert miner.host in subentry.title


async def test_nothing_answers_then_recovers(hass: HomeAssistant, fleet: Fleet) -> None:
    silent = next_address()
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Loop", CONF_HOST: silent}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Loop", CONF_HOST: fleet.miners[0].host}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_invalid_host_is_rejected_before_any_connection(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Loop", CONF_HOST: "http://miner:4028"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}


async def test_blank_site_name_gets_the_default(hass: HomeAssistant, fleet: Fleet) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "  ", CONF_HOST: fleet.miners[0].host}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Heating loop"


def _site_with(miner_host: str, mac: str | None) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Existing",
        subentries_data=[
            ConfigSubentryData(
                data={CONF_HOST: miner_host, CONF_MAC: mac},
                subentry_type=SUBENTRY_MINER,
                title="Existing miner",
                unique_id=mac or miner_host,
            )
        ],
    )


async def test_miner_already_in_a_site_aborts(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    # Same MAC under an old address: the miner moved, it is still the same miner.
    _site_with(next_address(), miner.identity.mac).add_to_hass(hass)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Loop", CONF_HOST: miner.host}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_add_miner_to_site(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = _site_with(next_address(), "02:00:00:00:00:01")
    entry.add_to_hass(hass)
    miner = fleet.miners[0]

    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: "256.1.1.1"}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: next_address()}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: miner.host}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = [s for s in entry.subentries.values() if s.data[CONF_HOST] == miner.host]
    assert len(added) == 1
    assert added[0].unique_id == miner.identity.mac


async def test_add_miner_already_configured_by_host(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = _site_with(miner.host, None)
    entry.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: miner.host}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
