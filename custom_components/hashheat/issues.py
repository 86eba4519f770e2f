"""Every repair issue HashHeat raises: the one place that names, raises, clears and parses them.

An issue is about a site (keyed by its config entry) or a miner (keyed by its subentry); its id is
the kind and the key, so an issue of a removed site or miner can be found and cleared.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


class Repair(StrEnum):
    """The kinds of repair issue, each its own translation key."""

    INTERLOCK_OVER_TEMPERATURE = "interlock_over_temperature"
    INTERLOCK_SENSOR = "interlock_sensor"
    INTERLOCK_PUMP = "interlock_pump"
    MINER_UNREACHABLE = "miner_unreachable"
    ACCESS_DENIED = "access_denied"
    CAPABILITIES_LOST = "capabilities_lost"
    PRICE_FORECAST_STALE = "price_forecast_stale"
    PRICE_CURRENCY = "price_currency"
    PRICE_UNIT = "price_unit"
    PLAN_FALLBACK = "plan_fallback"
    FLUID_CHECK = "fluid_check"
    EXCHANGER_FOULING = "exchanger_fouling"
    FAN_MODE = "fan_mode"
    FLUID_LIMIT_LEVEL = "fluid_limit_level"
    FLUID_LIMIT_MOISTURE = "fluid_limit_moisture"
    FLUID_LIMIT_QUALITY = "fluid_limit_quality"

    @property
    def about_site(self) -> bool:
        """Keyed by the site's config entry (else by a miner's subentry)."""
        return self.value.startswith("interlock_") or self in _ABOUT_SITE


_ABOUT_SITE = frozenset(
    {
        Repair.PRICE_FORECAST_STALE,
        Repair.PRICE_CURRENCY,
        Repair.PRICE_UNIT,
        Repair.PLAN_FALLBACK,
        Repair.FLUID_CHECK,
        Repair.EXCHANGER_FOULING,
        Repair.FLUID_LIMIT_LEVEL,
        Repair.FLUID_LIMIT_MOISTURE,
        Repair.FLUID_LIMIT_QUALITY,
    }
)
SEVERITY: Mapping[Repair, ir.IssueSeverity] = {
    Repair.INTERLOCK_OVER_TEMPERATURE: ir.IssueSeverity.CRITICAL,
    Repair.INTERLOCK_SENSOR: ir.IssueSeverity.CRITICAL,
    Repair.INTERLOCK_PUMP: ir.IssueSeverity.CRITICAL,
    Repair.MINER_UNREACHABLE: ir.IssueSeverity.WARNING,
    Repair.PRICE_FORECAST_STALE: ir.IssueSeverity.WARNING,
    Repair.PRICE_CURRENCY: ir.IssueSeverity.ERROR,
    Repair.PRICE_UNIT: ir.IssueSeverity.ERROR,
    Repair.PLAN_FALLBACK: ir.IssueSeverity.WARNING,
    Repair.ACCESS_DENIED: ir.IssueSeverity.ERROR,
    Repair.CAPABILITIES_LOST: ir.IssueSeverity.WARNING,
    Repair.FLUID_CHECK: ir.IssueSeverity.WARNING,
    Repair.EXCHANGER_FOULING: ir.IssueSeverity.WARNING,
    Repair.FAN_MODE: ir.IssueSeverity.WARNING,
    Repair.FLUID_LIMIT_LEVEL: ir.IssueSeverity.WARNING,
    Repair.FLUID_LIMIT_MOISTURE: ir.IssueSeverity.WARNING,
    Repair.FLUID_LIMIT_QUALITY: ir.IssueSeverity.WARNING,
}
# Fixed in the repair itself: the miner's password is asked there (see repairs.py).
FIXABLE = frozenset({Repair.ACCESS_DENIED})
# Shown until dismissed, even across restarts (the others clear when their cause does).
PERSISTENT = frozenset({Repair.CAPABILITIES_LOST})


@dataclass(frozen=True, slots=True)
class RepairIssue:
    """One repair issue: its kind, and the site or miner it is about."""

    kind: Repair
    key: str

    @property
    def issue_id(self) -> str:
        """The id in Home Assistant's issue registry."""
        return f"{self.kind}_{self.key}"

    @classmethod
    def parse(cls, issue_id: str) -> RepairIssue | None:
        """The issue an id names, or None when HashHeat did not make it."""
        for kind in sorted(Repair, key=len, reverse=True):
            if issue_id.startswith(f"{kind}_") and len(issue_id) > len(kind) + 1:
                return cls(kind, issue_id.removeprefix(f"{kind}_"))
        return None


def raise_issue(
    hass: HomeAssistant,
    kind: Repair,
    key: str,
    placeholders: Mapping[str, str],
    *,
    translation_key: str | None = None,
) -> None:
    """Show the issue (or update its figures); its text is the kind's unless one is named."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        RepairIssue(kind, key).issue_id,
        is_fixable=kind in FIXABLE,
        is_persistent=kind in PERSISTENT,
        severity=SEVERITY[kind],
        translation_key=translation_key or kind.value,
        translation_placeholders=dict(placeholders),
    )


def is_open(hass: HomeAssistant, kind: Repair, key: str) -> bool:
    """Whether the issue is shown (one restored inactive after a restart is not)."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, RepairIssue(kind, key).issue_id)
    return issue is not None and issue.active


def clear_access_denied(hass: HomeAssistant, subentry_id: str, *, keep_flow: str = "") -> None:
    """A miner takes its password again: its repair goes, and its site's reauthentication.

    Home Assistant runs one reauthentication per site: the next poll starts it again for any
    other miner that still refuses. ``keep_flow`` is the flow that fixed it, which ends itself.
    """
    if not is_open(hass, Repair.ACCESS_DENIED, subentry_id):
        return
    clear_issue(hass, Repair.ACCESS_DENIED, subentry_id)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if subentry_id in entry.subentries:
            for flow in entry.async_get_active_flows(hass, {SOURCE_REAUTH}):
                if flow["flow_id"] != keep_flow:
                    hass.config_entries.flow.async_abort(flow["flow_id"])


def clear_issue(hass: HomeAssistant, kind: Repair, key: str) -> None:
    """Its cause is gone."""
    ir.async_delete_issue(hass, DOMAIN, RepairIssue(kind, key).issue_id)


def clear_orphaned_issues(hass: HomeAssistant, sites: set[str], miners: set[str]) -> None:
    """Issues of sites or miners that no longer exist (and ids HashHeat no longer makes) go."""
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain != DOMAIN:
            continue
        issue = RepairIssue.parse(issue_id)
        if issue is None or issue.key not in (sites if issue.kind.about_site else miners):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
