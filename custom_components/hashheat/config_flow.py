"""Config flow for HashHeat: a site (heating loop) with its miners as subentries.

A config entry is a site; each miner is a config subentry of type ``miner``. A device belongs to
one entry and at most one subentry, so each miner's device goes with its subentry while the site
keeps its own history, and miners can be added, moved to a new address and removed in the UI.
"""

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, override

import probatio
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowContext,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryData,
    ConfigSubentryFlow,
    SubentryFlowContext,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowContext, FlowHandler, FlowResult
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

from .capabilities import MinerCapabilities
from .const import (
    CONF_CAPABILITIES,
    CONF_FIRMWARE,
    CONF_FIRMWARE_VERSION,
    CONF_MAC,
    CONF_MAKE,
    CONF_MINERS,
    CONF_MODEL,
    CONF_SERIAL,
    CONF_SITE,
    CONF_SUBNET,
    DEFAULT_SITE_NAME,
    DETECT_TIMEOUT_SECONDS,
    DOMAIN,
    MAX_SCAN_ADDRESSES,
    MIN_SCAN_SECONDS,
    MINER_TIMEOUT_SECONDS,
    REAUTH_MINER,
    SCAN_TIMEOUT_SECONDS,
    SUBENTRY_MINER,
)
from .discovery import FoundMiner, SubnetError, describe, parse_scan_subnet, scan_for_miners
from .hosts import normalize_host
from .issues import clear_access_denied
from .miner_client import (
    MinerAccessDeniedError,
    MinerClient,
    MinerError,
    MinerIdentity,
    normalize_mac,
)
from .options_flow import PlantOptionsFlow

NEW_SITE = "new_site"
MAX_PASSWORD_LENGTH = 128
MAX_NAME_LENGTH = 100
# Most firmware needs no password (LuxOS, Avalon RPC) or pyasic knows its default.
MINER_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_HOST): str,
        probatio.Optional(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
    }
)
PASSWORD_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    }
)


class DetectedMiner:
    """A miner found at an address: who it is and what its firmware can do."""

    def __init__(
        self,
        identity: MinerIdentity,
        capabilities: MinerCapabilities,
        password: str | None = None,
    ) -> None:
        """Hold the detection results (and the password that worked, if one was given)."""
        self.identity = identity
        self.capabilities = capabilities
        self.password = password

    @property
    def unique_id(self) -> str:
        """Serial, else MAC, else address: what makes this miner the same miner."""
        return self.identity.serial or self.identity.mac or self.identity.host

    @property
    def title(self) -> str:
        """Name shown for the miner."""
        return f"{self.identity.model or 'Miner'} ({self.identity.host})"

    def subentry_data(self) -> dict[str, Any]:
        """What the miner subentry stores."""
        identity = self.identity
        return {
            CONF_HOST: identity.host,
            CONF_MAC: identity.mac,
            CONF_SERIAL: identity.serial,
            CONF_MAKE: identity.make,
            CONF_MODEL: identity.model,
            CONF_FIRMWARE: identity.firmware,
            CONF_FIRMWARE_VERSION: identity.firmware_version,
            CONF_CAPABILITIES: self.capabilities.as_dict(),
            CONF_PASSWORD: self.password,
        }

    def config_subentry(self) -> ConfigSubentry:
        """The miner as a subentry to add to an existing site."""
        return ConfigSubentry(
            data=MappingProxyType(self.subentry_data()),
            subentry_type=SUBENTRY_MINER,
            title=self.title,
            unique_id=self.unique_id,
        )

    def subentry(self) -> ConfigSubentryData:
        """A new miner subentry."""
        return ConfigSubentryData(
            data=self.subentry_data(),
            subentry_type=SUBENTRY_MINER,
            title=self.title,
            unique_id=self.unique_id,
        )


async def async_detect(host: str, password: str | None = None) -> DetectedMiner:
    """Detect the miner at a host and read its identity and capabilities (and check a password)."""
    found = await describe(
        MinerClient(
            host,
            timeout=MINER_TIMEOUT_SECONDS,
            detect_timeout=DETECT_TIMEOUT_SECONDS,
            password=password,
        ),
        check_password=password is not None,
    )
    return DetectedMiner(found.identity, found.capabilities, password)


async def async_detect_typed(
    user_input: Mapping[str, Any],
) -> tuple[DetectedMiner | None, dict[str, str]]:
    """Detect the miner at a user-typed host (with an optional password); return it or errors."""
    host = normalize_host(user_input[CONF_HOST])
    if host is None:
        return None, {CONF_HOST: "invalid_host"}
    password = user_input.get(CONF_PASSWORD) or None
    if password is not None and len(password) > MAX_PASSWORD_LENGTH:
        return None, {CONF_PASSWORD: "invalid_password"}
    try:
        return await async_detect(host, password), {}
    except MinerAccessDeniedError:
        return None, {CONF_PASSWORD: "invalid_auth"}
    except MinerError:
        return None, {"base": "cannot_connect"}


@dataclass(frozen=True, kw_only=True, slots=True)
class PasswordCheck:
    """What checking a miner's new password gave: stored, errors for the form, or an abort."""

    errors: dict[str, str] = field(default_factory=dict)
    abort: str | None = None

    @property
    def stored(self) -> bool:
        """The miner accepted the password and the site keeps it."""
        return not self.errors and self.abort is None


async def async_store_password(
    hass: HomeAssistant,
    entry: ConfigEntry,
    subentry: ConfigSubentry,
    password: str,
    *,
    flow_id: str,
) -> PasswordCheck:
    """Check a refusing miner's password against it and keep it with the site.

    The miner at the stored address must accept the password and answer as the same miner. Both
    routes to the fix (the site's reauthentication and the access-denied repair) end here: the
    repair is cleared, and the site's reauthentication under way ends (the next poll starts one
    for any other miner that still refuses); ``flow_id`` is the flow asking, which ends itself.
    """
    detected, errors = await async_detect_typed(
        {CONF_HOST: subentry.data[CONF_HOST], CONF_PASSWORD: password}
    )
    if detected is None:
        return PasswordCheck(errors=errors)
    if not same_miner(subentry.data, detected):
        return PasswordCheck(abort="different_miner")
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_PASSWORD: detected.password}
    )
    clear_access_denied(hass, subentry.subentry_id, keep_flow=flow_id)
    return PasswordCheck()


def _site_name(text: str) -> str | None:
    """The site name typed, stripped (the default when blank); None if too long or not text."""
    name = text.strip()
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        return None
    return name or DEFAULT_SITE_NAME


def _shown_back(user_input: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a form shows again after an error: never the password (typed or stored)."""
    if user_input is None:
        return None
    return {key: value for key, value in user_input.items() if key != CONF_PASSWORD}


def _configured_miners(hass: HomeAssistant) -> list[tuple[ConfigEntry, ConfigSubentry]]:
    return [
        (entry, subentry)
        for entry in hass.config_entries.async_entries(DOMAIN)
        for subentry in entry.get_subentries_of_type(SUBENTRY_MINER)
    ]


def _find_configured(
    hass: HomeAssistant, *, unique_ids: set[str], host: str | None = None
) -> tuple[ConfigEntry, ConfigSubentry] | None:
    """The site and subentry of a configured miner, by identity (serial/MAC) or address."""
    for entry, subentry in _configured_miners(hass):
        data = subentry.data
        keys = {subentry.unique_id, data.get(CONF_SERIAL), data.get(CONF_MAC)} - {None}
        if keys & unique_ids or (host is not None and data.get(CONF_HOST) == host):
            return entry, subentry
    return None


def _identity_keys(detected: DetectedMiner) -> set[str]:
    identity = detected.identity
    return {key for key in (identity.serial, identity.mac, identity.host) if key}


def _is_configured(hass: HomeAssistant, detected: DetectedMiner) -> bool:
    return (
        _find_configured(hass, unique_ids=_identity_keys(detected), host=detected.identity.host)
        is not None
    )


async def _at_least[T](seconds: float, work: Awaitable[T]) -> T:
    """``work``'s result, not before ``seconds`` have passed."""
    result, _ = await asyncio.gather(work, asyncio.sleep(seconds))
    return result


class MinerScanFlow[ContextT: FlowContext, ResultT: FlowResult[Any, Any], HandlerT](
    FlowHandler[ContextT, ResultT, HandlerT]
):
    """The network scan shared by the site flow and the add-miner flow."""

    _scan_task: asyncio.Task[list[FoundMiner]] | None = None
    _found: list[DetectedMiner]
    _already_configured: list[DetectedMiner]

    async def async_step_scan(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Ask which subnet to scan."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                network = parse_scan_subnet(
                    user_input[CONF_SUBNET], max_addresses=MAX_SCAN_ADDRESSES
                )
            except SubnetError as err:
                errors[CONF_SUBNET] = err.problem.value
            else:
                self._scan_task = self.hass.async_create_task(
                    _at_least(
                        MIN_SCAN_SECONDS,
                        scan_for_miners(
                            network,
                            scan_seconds=SCAN_TIMEOUT_SECONDS,
                            miner_timeout=MINER_TIMEOUT_SECONDS,
                            on_progress=self.async_update_progress,
                        ),
                    ),
                    f"{DOMAIN}_scan_{network}",
                )
                return await self.async_step_scan_progress()
        return self.async_show_form(
            step_id="scan",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema({probatio.Required(CONF_SUBNET): str}), user_input
            ),
            errors=errors,
            description_placeholders={"max_addresses": str(MAX_SCAN_ADDRESSES)},
        )

    async def async_step_scan_progress(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Show progress while the scan runs."""
        task = self._scan_task
        if task is not None and not task.done():
            return self.async_show_progress(
                step_id="scan_progress", progress_action="scan", progress_task=task
            )
        scanned = task.result() if task is not None else []
        self._scan_task = None
        self._found, self._already_configured = [], []
        for found in scanned:
            detected = DetectedMiner(found.identity, found.capabilities)
            if _is_configured(self.hass, detected):
                self._already_configured.append(detected)
            else:
                self._found.append(detected)
        return self.async_show_progress_done(next_step_id="pick")

    async def async_step_pick(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Offer the miners found; those already in a site are listed apart, not offered."""
        configured = ", ".join(d.title for d in self._already_configured) or "-"
        if not self._found:
            return self.async_abort(
                reason="no_miners_found", description_placeholders={"configured": configured}
            )
        if user_input is not None and user_input.get(CONF_MINERS):
            chosen = [d for d in self._found if d.identity.host in user_input[CONF_MINERS]]
            return await self.async_add_detected(chosen)
        options = [SelectOptionDict(value=d.identity.host, label=d.title) for d in self._found]
        return self.async_show_form(
            step_id="pick",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_MINERS): SelectSelector(
                        SelectSelectorConfig(
                            options=options, multiple=True, mode=SelectSelectorMode.LIST
                        )
                    )
                }
            ),
            description_placeholders={"found": str(len(self._found)), "configured": configured},
        )

    async def async_add_detected(self, chosen: list[DetectedMiner]) -> ResultT:
        """Add the chosen miners (implemented by each flow)."""
        raise NotImplementedError


class HashHeatConfigFlow(
    MinerScanFlow[ConfigFlowContext, ConfigFlowResult, str], ConfigFlow, domain=DOMAIN
):
    """Create a site with its first miners: typed, found by a scan, or discovered by DHCP."""

    VERSION = 1

    _site_name: str = DEFAULT_SITE_NAME
    _discovered: DetectedMiner | None = None
    _reauth_miner: str = ""

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> PlantOptionsFlow:
        return PlantOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        return {SUBENTRY_MINER: MinerSubentryFlowHandler}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the site's name and its first miner's address, or scan when left empty."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = _site_name(user_input[CONF_NAME])
            if name is None:
                errors[CONF_NAME] = "invalid_name"
            else:
                self._site_name = name
                if not user_input.get(CONF_HOST, "").strip():
                    return await self.async_step_scan()
                detected, errors = await async_detect_typed(user_input)
                if detected is not None:
                    if _is_configured(self.hass, detected):
                        return self.async_abort(reason="already_configured")
                    return self._create_site([detected])
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema(
                    {probatio.Required(CONF_NAME): str, probatio.Optional(CONF_HOST): str}
                ),
                user_input or {CONF_NAME: DEFAULT_SITE_NAME},
            ),
            errors=errors,
        )

    @override
    async def async_add_detected(self, chosen: list[DetectedMiner]) -> ConfigFlowResult:
        return self._create_site(chosen)

    def _create_site(self, miners: list[DetectedMiner]) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._site_name, data={}, subentries=[miner.subentry() for miner in miners]
        )

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A miner got an address: update a known one in place, or offer to add a new one."""
        mac = normalize_mac(":".join(discovery_info.macaddress[i : i + 2] for i in range(0, 12, 2)))
        host = normalize_host(discovery_info.ip)
        if host is None:
            return self.async_abort(reason="not_a_miner")
        known = _find_configured(self.hass, unique_ids={mac} if mac else set())
        if known is not None:
            entry, subentry = known
            if subentry.data.get(CONF_HOST) != host:
                self.hass.config_entries.async_update_subentry(
                    entry, subentry, data={**subentry.data, CONF_HOST: host}
                )
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(f"dhcp_{mac or host}")
        self._abort_if_unique_id_configured()
        try:
            detected = await async_detect(host)
        except MinerError:
            return self.async_abort(reason="not_a_miner")
        if _is_configured(self.hass, detected):
            return self.async_abort(reason="already_configured")
        self._discovered = detected
        self.context["title_placeholders"] = {"name": detected.title}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a discovered miner to an existing site or to a new one."""
        detected = self._discovered
        if detected is None:
            return self.async_abort(reason="not_a_miner")
        sites = self.hass.config_entries.async_entries(DOMAIN)
        errors: dict[str, str] = {}
        if user_input is not None:
            site_id = user_input.get(CONF_SITE, NEW_SITE)
            site = self.hass.config_entries.async_get_entry(site_id)
            if site is not None and site.domain == DOMAIN:
                self.hass.config_entries.async_add_subentry(site, detected.config_subentry())
                return self.async_abort(reason="miner_added")
            if (name := _site_name(user_input.get(CONF_NAME, ""))) is not None:
                self._site_name = name
                return self._create_site([detected])
            errors[CONF_NAME] = "invalid_name"
        options = [SelectOptionDict(value=site.entry_id, label=site.title) for site in sites]
        options.append(SelectOptionDict(value=NEW_SITE, label=NEW_SITE))
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_SITE, default=options[0]["value"]): SelectSelector(
                        SelectSelectorConfig(options=options, translation_key=CONF_SITE)
                    ),
                    probatio.Optional(CONF_NAME, default=DEFAULT_SITE_NAME): str,
                }
            ),
            errors=errors,
            description_placeholders={"miner": detected.title},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """A miner of the site refused its password (the site itself has no credentials)."""
        self._reauth_miner = entry_data[REAUTH_MINER]
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the refusing miner's password; checked against the miner, then kept."""
        entry = self._get_reauth_entry()
        subentry = entry.subentries.get(self._reauth_miner)
        if subentry is None:
            return self.async_abort(reason="miner_gone")
        self.context["title_placeholders"] = {"name": f"{entry.title}: {subentry.title}"}
        errors: dict[str, str] = {}
        if user_input is not None:
            check = await async_store_password(
                self.hass, entry, subentry, user_input[CONF_PASSWORD], flow_id=self.flow_id
            )
            if check.abort is not None:
                return self.async_abort(reason=check.abort)
            if check.stored:
                return self.async_abort(reason="reauth_successful")
            errors = check.errors
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=PASSWORD_SCHEMA,
            errors=errors,
            description_placeholders={"miner": subentry.title, "host": subentry.data[CONF_HOST]},
        )


class MinerSubentryFlowHandler(
    MinerScanFlow[SubentryFlowContext, SubentryFlowResult, tuple[str, str]], ConfigSubentryFlow
):
    """Add a miner to a site (typed or scanned), or move one to a new address."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Type an address or scan the network."""
        return self.async_show_menu(step_id="user", menu_options=["manual", "scan"])

    async def async_step_manual(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the miner's address and detect it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            detected, errors = await async_detect_typed(user_input)
            if detected is not None:
                if _is_configured(self.hass, detected):
                    return self.async_abort(reason="already_configured")
                return self._create(detected)
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(MINER_SCHEMA, _shown_back(user_input)),
            errors=errors,
        )

    def _create(self, detected: DetectedMiner) -> SubentryFlowResult:
        return self.async_create_entry(
            title=detected.title, data=detected.subentry_data(), unique_id=detected.unique_id
        )

    @override
    async def async_add_detected(self, chosen: list[DetectedMiner]) -> SubentryFlowResult:
        # A subentry flow creates one subentry; the others join the site directly.
        entry = self._get_entry()
        for detected in chosen[1:]:
            self.hass.config_entries.async_add_subentry(entry, detected.config_subentry())
        return self._create(chosen[0])

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Move a miner to a new address; it must still be the same miner."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            # An empty password field keeps the stored one (it is never shown back).
            user_input = {
                **user_input,
                CONF_PASSWORD: user_input.get(CONF_PASSWORD) or subentry.data.get(CONF_PASSWORD),
            }
            detected, errors = await async_detect_typed(user_input)
            if detected is not None:
                if not same_miner(subentry.data, detected):
                    return self.async_abort(reason="different_miner")
                # The identity the device and entities are keyed on stays as it was stored.
                kept = {key: subentry.data.get(key) for key in (CONF_SERIAL, CONF_MAC)}
                # A password given here is the fix an access-denied repair asks for; the next
                # refused call raises it again.
                clear_access_denied(self.hass, subentry.subentry_id)
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=detected.title,
                    data={**subentry.data, **detected.subentry_data(), **kept},
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                MINER_SCHEMA, _shown_back(user_input) or {CONF_HOST: subentry.data[CONF_HOST]}
            ),
            errors=errors,
        )


def same_miner(stored: Mapping[str, Any], detected: DetectedMiner) -> bool:
    """Whether a detected miner is the stored one (by serial or MAC, when either is known)."""
    identity = detected.identity
    for key, value in ((CONF_SERIAL, identity.serial), (CONF_MAC, identity.mac)):
        if stored.get(key) and value:
            return bool(stored[key] == value)
    return True
