"""Repairs fixed in place: a miner that refuses HashHeat gets its password in the repair.

Miners are a site's subentries, which have no reauthentication flow of their own: the
*access denied* repair is it. Its form asks for the password, checks it against the miner at its
address (it must answer as the same miner) and stores it; the site reloads with it.
"""

from typing import Any

import probatio
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType

from .config_flow import async_detect_typed, same_miner
from .const import DOMAIN
from .issues import Repair, RepairIssue, clear_issue

PASSWORD_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    }
)


class MinerPasswordFlow(RepairsFlow):
    """Ask for a refusing miner's password, check it, store it."""

    def __init__(self, subentry_id: str) -> None:
        """The flow of the miner ``subentry_id``."""
        self._subentry_id = subentry_id

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Go to the password form."""
        return await self.async_step_password()

    async def async_step_password(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """The password; checked by detecting the miner at its address with it."""
        found = _find_miner(self.hass, self._subentry_id)
        if found is None:
            return self.async_abort(reason="miner_gone")
        entry, subentry = found
        errors: dict[str, str] = {}
        if user_input is not None:
            detected, errors = await async_detect_typed(
                {CONF_HOST: subentry.data[CONF_HOST], CONF_PASSWORD: user_input[CONF_PASSWORD]}
            )
            if detected is not None:
                if not same_miner(subentry.data, detected):
                    return self.async_abort(reason="different_miner")
                self.hass.config_entries.async_update_subentry(
                    entry, subentry, data={**subentry.data, CONF_PASSWORD: detected.password}
                )
                clear_issue(self.hass, Repair.ACCESS_DENIED, subentry.subentry_id)
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="password",
            data_schema=PASSWORD_SCHEMA,
            errors=errors,
            description_placeholders={"miner": subentry.title, "host": subentry.data[CONF_HOST]},
        )


def _find_miner(hass: HomeAssistant, subentry_id: str) -> tuple[ConfigEntry, ConfigSubentry] | None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        if (subentry := entry.subentries.get(subentry_id)) is not None:
            return entry, subentry
    return None


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix of a fixable HashHeat repair: only *access denied* is one."""
    issue = RepairIssue.parse(issue_id)
    if issue is None or issue.kind is not Repair.ACCESS_DENIED:
        raise ValueError(f"HashHeat repair {issue_id} is not fixable")
    return MinerPasswordFlow(issue.key)
