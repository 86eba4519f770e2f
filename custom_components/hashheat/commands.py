"""The one way a command reaches a miner, and the one mapping of its errors.

Entities, actions and the site's dispatcher all send through ``async_send``: a miner's error
(the ``MinerError`` family) becomes a translated ``HomeAssistantError``; "access denied" raises
a repair issue that the next accepted command clears.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .capabilities import MinerCapabilities
from .const import ACCESS_DENIED_RETRY, DOMAIN
from .issues import Repair, clear_access_denied, raise_issue
from .miner_client import MinerAccessDeniedError, MinerClient, MinerCommandError, MinerError

type MinerCommand = Callable[[MinerClient], Awaitable[object]]


def waiting_after_refusal(refused_at: datetime | None, now: datetime) -> bool:
    """Whether a miner that refused its password (or API access) at ``refused_at`` is left alone.

    Real firmware can lock the account after repeated failed logins, so a miner that refused is
    asked again, read or command, only every ACCESS_DENIED_RETRY.
    """
    return refused_at is not None and now - refused_at < ACCESS_DENIED_RETRY


class CommandTarget(Protocol):
    """A miner of a site as the command path needs it."""

    subentry: ConfigSubentry
    client: MinerClient
    capabilities: MinerCapabilities


async def async_send(hass: HomeAssistant, miner: CommandTarget, command: MinerCommand) -> None:
    """Run ``command`` on the miner; its failure raises a translated ``HomeAssistantError``."""
    subentry_id, name = miner.subentry.subentry_id, miner.subentry.title
    try:
        await command(miner.client)
    except MinerAccessDeniedError as err:
        raise_issue(hass, Repair.ACCESS_DENIED, subentry_id, {"miner": name})
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="access_denied",
            translation_placeholders={"miner": name},
        ) from err
    except MinerCommandError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_refused",
            translation_placeholders={"miner": name},
        ) from err
    except MinerError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="miner_unreachable",
            translation_placeholders={"miner": name},
        ) from err
    clear_access_denied(hass, subentry_id)
