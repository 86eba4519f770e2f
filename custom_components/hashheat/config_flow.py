"""Config flow for HashHeat: a site (heating loop) with its miners as subentries.

A config entry is a site; each miner is a config subentry of type ``miner``. A device belongs to
one entry and at most one subentry, so each miner's device is removed with its subentry while the
site keeps its own history, and miners can be added and removed without touching the site.
"""

from typing import Any, override

import probatio
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME
from homeassistant.core import HomeAssistant, callback

from .const import (
    CONF_FIRMWARE,
    CONF_MAC,
    CONF_MAKE,
    CONF_MODEL,
    DEFAULT_SITE_NAME,
    DETECT_TIMEOUT_SECONDS,
    DOMAIN,
    MINER_TIMEOUT_SECONDS,
    SUBENTRY_MINER,
)
from .hosts import normalize_host
from .miner_client import MinerClient, MinerIdentity, MinerUnreachableError

_HOST_FIELD = {probatio.Required(CONF_HOST): str}


async def _async_detect(host_text: str) -> tuple[MinerIdentity | None, dict[str, str]]:
    """Detect the miner at a user-typed host; return its identity or form errors."""
    host = normalize_host(host_text)
    if host is None:
        return None, {CONF_HOST: "invalid_host"}
    client = MinerClient(host, timeout=MINER_TIMEOUT_SECONDS, detect_timeout=DETECT_TIMEOUT_SECONDS)
    try:
        return await client.identify(), {}
    except MinerUnreachableError:
        return None, {"base": "cannot_connect"}


def _miner_unique_id(identity: MinerIdentity) -> str:
    return identity.mac or identity.host


def _is_configured(hass: HomeAssistant, identity: MinerIdentity) -> bool:
    """Whether any site already has this miner, by MAC or by host."""
    keys = {_miner_unique_id(identity), identity.host}
    return any(
        subentry.unique_id in keys or subentry.data.get(CONF_HOST) == identity.host
        for entry in hass.config_entries.async_entries(DOMAIN)
        for subentry in entry.get_subentries_of_type(SUBENTRY_MINER)
    )


def _miner_title(identity: MinerIdentity) -> str:
    return f"{identity.model or 'Miner'} ({identity.host})"


def _miner_data(identity: MinerIdentity) -> dict[str, Any]:
    return {
        CONF_HOST: identity.host,
        CONF_MAC: identity.mac,
        CONF_MAKE: identity.make,
        CONF_MODEL: identity.model,
        CONF_FIRMWARE: identity.firmware,
    }


class HashHeatConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create a site together with its first miner."""

    VERSION = 1

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        return {SUBENTRY_MINER: MinerSubentryFlowHandler}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the site's name and the first miner's address."""
        errors: dict[str, str] = {}
        if user_input is not None:
            identity, errors = await _async_detect(user_input[CONF_HOST])
            if identity is not None:
                if _is_configured(self.hass, identity):
                    return self.async_abort(reason="already_configured")
                subentry = ConfigSubentryData(
                    data=_miner_data(identity),
                    subentry_type=SUBENTRY_MINER,
                    title=_miner_title(identity),
                    unique_id=_miner_unique_id(identity),
                )
                return self.async_create_entry(
                    title=user_input[CONF_NAME].strip() or DEFAULT_SITE_NAME,
                    data={},
                    subentries=[subentry],
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema({probatio.Required(CONF_NAME): str, **_HOST_FIELD}),
                user_input or {CONF_NAME: DEFAULT_SITE_NAME},
            ),
            errors=errors,
        )


class MinerSubentryFlowHandler(ConfigSubentryFlow):
    """Add a miner to an existing site."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Ask for the miner's address and detect it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            identity, errors = await _async_detect(user_input[CONF_HOST])
            if identity is not None:
                if _is_configured(self.hass, identity):
                    return self.async_abort(reason="already_configured")
                return self.async_create_entry(
                    title=_miner_title(identity),
                    data=_miner_data(identity),
                    unique_id=_miner_unique_id(identity),
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema(_HOST_FIELD), user_input
            ),
            errors=errors,
        )
