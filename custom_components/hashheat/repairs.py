"""Repairs fixed in place: a miner that refuses HashHeat gets its password in the repair.

The *access denied* repair names the miner and asks for its password, as the site's
reauthentication does (both check it with ``async_store_password``). The repair stays beside the
reauthentication: Home Assistant runs one reauthentication per site at a time and its notice
names only the site, while each refusing miner's repair names that miner and can be fixed at once.
"""

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import HomeAssistant

from .config_flow import PASSWORD_SCHEMA, async_store_password
from .const import DOMAIN
from .issues import Repair, RepairIssue


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
            check = await async_store_password(
                self.hass, entry, subentry, user_input[CONF_PASSWORD], flow_id=self.flow_id
            )
            if check.abort is not None:
                return self.async_abort(reason=check.abort)
            if check.stored:
                return self.async_create_entry(data={})
            errors = check.errors
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
