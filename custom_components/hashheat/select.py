"""A site's strategy: hold the Loop's setpoint (comfort), or follow the price plan."""

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .coordinator import HashHeatConfigEntry
from .domain.plan_status import Strategy
from .entity import (
    HashHeatSiteEntity,
    SiteEntityDescription,
    add_site_entities,
    has_price_source,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SiteSelectDescription(SelectEntityDescription, SiteEntityDescription):
    """Describes a select of a site."""


STRATEGY = SiteSelectDescription(
    key="strategy",
    translation_key="strategy",
    options=[strategy.value for strategy in Strategy],
    exists_fn=has_price_source,  # the plan needs prices
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the strategy select of a site that has a price source to plan on."""
    add_site_entities(entry, async_add_entities, (STRATEGY,), SiteStrategySelect)


class SiteStrategySelect(HashHeatSiteEntity, SelectEntity, RestoreEntity):
    """Comfort or the price plan (off stays the Loop climate's); kept across restarts."""

    async def async_added_to_hass(self) -> None:
        """Take back the strategy chosen before the restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in {
            strategy.value for strategy in Strategy
        }:
            self.coordinator.restore_intents(strategy=Strategy(last.state))

    @property
    def current_option(self) -> str:
        """The strategy now."""
        return self.site.plan.strategy.value

    async def async_select_option(self, option: str) -> None:
        """Follow the price plan, or hold the setpoint."""
        await self.coordinator.async_set_strategy(Strategy(option))
