"""Sensors of a HashHeat miner."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    REVOLUTIONS_PER_MINUTE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfMass,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import HashHeatConfigEntry, HashHeatSiteCoordinator
from .domain.demand_forecast import OutdoorForecast
from .domain.economics import economic_cop, energy_reuse_factor, net_cost_of_heat_per_mwh
from .domain.plan_costs import DayCosts
from .domain.price_forecast import PriceSlot, rank_of_current
from .entity import (
    HashHeatMinerEntity,
    HashHeatSiteEntity,
    MinerEntityDescription,
    MinerFacts,
    SiteEntityDescription,
    add_miner_entities,
    add_site_entities,
    has_price_source,
)
from .figures import HeatMethod
from .miner_data import MinerReading
from .plan_runner import plan_slots
from .sensor_health import (
    FLUID_SENSORS,
    MINER_HEALTH_SENSORS,
    SITE_HEALTH_SENSORS,
    HashHeatFluidSensor,
    HashHeatMinerHealthSensor,
    HashHeatSiteHealthSensor,
)
from .view import MinerView, PlanView, SiteView

PARALLEL_UPDATES = 0

UNIT_TERAHASH_PER_SECOND = "TH/s"
UNIT_JOULE_PER_TERAHASH = "J/TH"
UNIT_BTC_PER_DAY = "BTC/d"
PER_DAY = "{currency}/d"
PER_KWH = "{currency}/kWh"
# The price sensors' forecast attribute: [{"start": iso, "end": iso, "price": float}, ...].
FORECAST = "forecast"
FORECAST_DIGITS = 6
# Uptime and poll time are sampled apart; a boot time moving less than this is the same boot.
BOOT_TIME_TOLERANCE_S = 60

type SensorValue = float | int | str | datetime | None


@dataclass(frozen=True, kw_only=True)
class HashHeatMinerSensorDescription(SensorEntityDescription, MinerEntityDescription):
    """Describes a sensor of a miner."""

    value_fn: Callable[[MinerView], SensorValue]
    # Counters keep showing their total while the miner is unreachable.
    counter: bool = False
    # A unit in Home Assistant's currency, e.g. "{currency}/d".
    currency_unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class HashHeatSiteSensorDescription(SensorEntityDescription, SiteEntityDescription):
    """Describes a sensor of a site."""

    value_fn: Callable[[SiteView], SensorValue]
    attributes_fn: Callable[[SiteView], dict[str, Any]] | None = None
    counter: bool = False
    currency_unit: str | None = None


def _reading(value_fn: Callable[[MinerReading], SensorValue]) -> Callable[[MinerView], SensorValue]:
    """A value of the miner's reading (the entity is unavailable without one)."""
    return lambda view: None if view.reading is None else value_fn(view.reading)


def _reported(value_fn: Callable[[MinerReading], SensorValue]) -> Callable[[MinerFacts], bool]:
    """For values only some firmware reports: exists when the first reading has it."""
    return lambda facts: facts.reading is not None and value_fn(facts.reading) is not None


def _temperature(
    key: str, value_fn: Callable[[MinerView], SensorValue], **kwargs: object
) -> HashHeatMinerSensorDescription:
    return HashHeatMinerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=value_fn,
        **kwargs,  # type: ignore[arg-type]
    )


MINER_SENSORS: tuple[HashHeatMinerSensorDescription, ...] = (
    HashHeatMinerSensorDescription(
        key="hashrate",
        translation_key="hashrate",
        native_unit_of_measurement=UNIT_TERAHASH_PER_SECOND,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_reading(lambda r: r.hashrate_ths),
    ),
    HashHeatMinerSensorDescription(
        key="expected_hashrate",
        entity_registry_enabled_default=False,
        translation_key="expected_hashrate",
        native_unit_of_measurement=UNIT_TERAHASH_PER_SECOND,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_reading(lambda r: r.expected_hashrate_ths),
    ),
    HashHeatMinerSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_reading(lambda r: r.power_w),
    ),
    HashHeatMinerSensorDescription(
        key="power_limit",
        entity_registry_enabled_default=False,
        translation_key="power_limit",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_reading(lambda r: r.power_limit_w),
    ),
    HashHeatMinerSensorDescription(
        key="efficiency",
        translation_key="efficiency",
        native_unit_of_measurement=UNIT_JOULE_PER_TERAHASH,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=_reading(lambda r: r.efficiency_jth),
    ),
    _temperature("board_temperature_max", _reading(lambda r: r.board_temp_max_c)),
    _temperature(
        "board_temperature_average",
        _reading(lambda r: r.board_temp_avg_c),
        entity_registry_enabled_default=False,
    ),
    _temperature("chip_temperature_max", _reading(lambda r: r.chip_temp_max_c)),
    _temperature(
        "fluid_inlet_temperature",
        _reading(lambda r: r.fluid_inlet_temp_c),
        exists_fn=_reported(lambda r: r.fluid_inlet_temp_c),
    ),
    _temperature(
        "fluid_outlet_temperature",
        _reading(lambda r: r.fluid_outlet_temp_c),
        exists_fn=_reported(lambda r: r.fluid_outlet_temp_c),
    ),
    HashHeatMinerSensorDescription(
        key="fan_speed",
        translation_key="fan_speed",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_reading(lambda r: r.fan_speed_rpm),
    ),
    HashHeatMinerSensorDescription(
        key="last_boot",
        entity_registry_enabled_default=False,
        translation_key="last_boot",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_reading(lambda r: r.last_boot(dt_util.utcnow())),
    ),
    HashHeatMinerSensorDescription(
        key="active_pool",
        entity_registry_enabled_default=False,
        translation_key="active_pool",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_reading(lambda r: r.active_pool),
    ),
    HashHeatMinerSensorDescription(
        key="pool_state",
        entity_registry_enabled_default=False,
        translation_key="pool_state",
        device_class=SensorDeviceClass.ENUM,
        options=["connected", "disconnected"],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_reading(
            lambda r: (
                None
                if r.pool_connected is None
                else ("connected" if r.pool_connected else "disconnected")
            )
        ),
    ),
    HashHeatMinerSensorDescription(
        key="error_count",
        translation_key="error_count",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_reading(lambda r: r.error_count),
    ),
)


def _energy(
    key: str, value_fn: Callable[[MinerView], SensorValue]
) -> HashHeatMinerSensorDescription:
    return HashHeatMinerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        counter=True,
        value_fn=value_fn,
    )


MINER_ACCOUNT_SENSORS: tuple[HashHeatMinerSensorDescription, ...] = (
    HashHeatMinerSensorDescription(
        key="heat_power",
        translation_key="heat_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda view: view.figures.heat_w if view.figures else None,
    ),
    _energy("electricity_energy", lambda view: view.counters.electricity_kwh.total),
    _energy("heat_energy", lambda view: view.counters.heat_kwh.total),
    HashHeatMinerSensorDescription(
        key="btc_per_day",
        entity_registry_enabled_default=False,
        translation_key="btc_per_day",
        native_unit_of_measurement=UNIT_BTC_PER_DAY,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=8,
        value_fn=lambda view: view.figures.btc_per_day if view.figures else None,
    ),
    HashHeatMinerSensorDescription(
        key="revenue_rate",
        translation_key="revenue_rate",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        currency_unit=PER_DAY,
        value_fn=lambda view: view.figures.revenue_per_day if view.figures else None,
    ),
    HashHeatMinerSensorDescription(
        key="revenue",
        translation_key="revenue",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        counter=True,
        currency_unit="{currency}",
        value_fn=lambda view: view.counters.revenue.total,
    ),
)


def _site_total(
    key: str, value_fn: Callable[[SiteView], SensorValue], **kwargs: Any
) -> HashHeatSiteSensorDescription:
    return HashHeatSiteSensorDescription(
        key=key, translation_key=key, counter=True, value_fn=value_fn, **kwargs
    )


def _money(key: str, value_fn: Callable[[SiteView], SensorValue]) -> HashHeatSiteSensorDescription:
    return _site_total(
        key,
        value_fn,
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        currency_unit="{currency}",
    )


def _site_energy(
    key: str, value_fn: Callable[[SiteView], SensorValue]
) -> HashHeatSiteSensorDescription:
    return _site_total(
        key,
        value_fn,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
    )


def _site_hours(
    key: str, value_fn: Callable[[SiteView], SensorValue]
) -> HashHeatSiteSensorDescription:
    return _site_total(
        key,
        value_fn,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
    )


def _forecast(slots: list[PriceSlot], known_until: datetime | None) -> dict[str, Any]:
    """Until when prices are known, and the slots to plot.

    Each slot's start and end in ISO 8601 (Home Assistant's local time) and its price.
    """
    return {
        "prices_known_until": dt_util.as_local(known_until).isoformat() if known_until else None,
        FORECAST: [
            {
                "start": dt_util.as_local(slot.start).isoformat(),
                "end": dt_util.as_local(slot.end).isoformat(),
                "price": round(slot.price_per_kwh, FORECAST_DIGITS),
            }
            for slot in slots
        ],
    }


def _figure(view: SiteView, name: str) -> SensorValue:
    value: SensorValue = getattr(view.figures, name) if view.figures is not None else None
    return value


SITE_SENSORS: tuple[HashHeatSiteSensorDescription, ...] = (
    HashHeatSiteSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda view: _figure(view, "power_w"),
    ),
    HashHeatSiteSensorDescription(
        key="hashrate",
        translation_key="hashrate",
        native_unit_of_measurement=UNIT_TERAHASH_PER_SECOND,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda view: _figure(view, "hashrate_ths"),
    ),
    HashHeatSiteSensorDescription(
        key="heat_power",
        translation_key="heat_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda view: _figure(view, "heat_w"),
    ),
    HashHeatSiteSensorDescription(
        key="heat_method",
        translation_key="heat_method",
        device_class=SensorDeviceClass.ENUM,
        options=[method.value for method in HeatMethod],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda view: view.figures.heat_method.value if view.figures else None,
    ),
    HashHeatSiteSensorDescription(
        key="capture_fraction",
        translation_key="capture_fraction",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda view: (
            view.figures.measured_capture * 100
            if view.figures and view.figures.measured_capture is not None
            else None
        ),
    ),
    HashHeatSiteSensorDescription(
        key="spot_price",
        translation_key="spot_price",
        state_class=SensorStateClass.MEASUREMENT,
        currency_unit=PER_KWH,
        suggested_display_precision=4,
        value_fn=lambda view: _figure(view, "spot_price_per_kwh"),
        attributes_fn=lambda view: _forecast(view.spot_slots, view.prices_known_until),
    ),
    HashHeatSiteSensorDescription(
        key="electricity_price",
        translation_key="electricity_price",
        state_class=SensorStateClass.MEASUREMENT,
        currency_unit=PER_KWH,
        suggested_display_precision=4,
        value_fn=lambda view: _figure(view, "price_per_kwh"),
        attributes_fn=lambda view: _forecast(view.price_slots, view.prices_known_until),
    ),
    HashHeatSiteSensorDescription(
        key="btc_per_day",
        translation_key="btc_per_day",
        native_unit_of_measurement=UNIT_BTC_PER_DAY,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=8,
        value_fn=lambda view: _figure(view, "btc_per_day"),
    ),
    HashHeatSiteSensorDescription(
        key="revenue_rate",
        translation_key="revenue_rate",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        currency_unit=PER_DAY,
        value_fn=lambda view: _figure(view, "revenue_per_day"),
    ),
    HashHeatSiteSensorDescription(
        key="breakeven_price",
        translation_key="breakeven_price",
        state_class=SensorStateClass.MEASUREMENT,
        currency_unit=PER_KWH,
        suggested_display_precision=4,
        value_fn=lambda view: _figure(view, "breakeven_price_per_kwh"),
    ),
    _site_energy("electricity_energy", lambda view: view.counters.electricity_kwh.total),
    _site_energy("heat_energy", lambda view: view.counters.heat_kwh.total),
    _money("electricity_cost", lambda view: view.counters.electricity_cost.total),
    _money("revenue", lambda view: view.counters.revenue.total),
    _money("heat_value", lambda view: view.counters.heat_value.total),
    _site_total(
        "net_cost_of_heat",
        lambda view: net_cost_of_heat_per_mwh(
            electricity_cost=view.counters.electricity_cost.total,
            revenue=view.counters.revenue.total,
            heat_kwh=view.counters.heat_kwh.total,
        ),
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        currency_unit="{currency}/MWh",
    ),
    _site_total(
        "economic_cop",
        lambda view: economic_cop(
            electricity_cost=view.counters.electricity_cost.total,
            revenue=view.counters.revenue.total,
        ),
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
    ),
    _site_total(
        "co2_avoided",
        lambda view: view.counters.co2_avoided_kg.total,
        device_class=SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.KILOGRAMS,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=1,
    ),
    _site_hours("grid_hold_time", lambda view: view.counters.grid_hold_h.total),
    _site_energy("energy_curtailed", lambda view: view.counters.curtailed_kwh.total),
    _site_hours("heat_asked_time", lambda view: view.counters.heat_asked_h.total),
    _site_hours("heat_short_time", lambda view: view.counters.heat_short_h.total),
    _site_hours("held_heat_asked_time", lambda view: view.counters.held_heat_asked_h.total),
    _site_hours("held_heat_short_time", lambda view: view.counters.held_heat_short_h.total),
    _site_total(
        "energy_reuse_factor",
        lambda view: (
            erf * 100
            if (
                erf := energy_reuse_factor(
                    heat_reused_kwh=view.counters.heat_kwh.total,
                    electricity_kwh=view.counters.electricity_kwh.total,
                )
            )
            is not None
            else None
        ),
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
    ),
    HashHeatSiteSensorDescription(
        key="price_rank",
        translation_key="price_rank",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda view: (
            rank[0] if (rank := rank_of_current(view.price_slots, dt_util.utcnow())) else None
        ),
    ),
    _site_total(
        "network_data_time",
        lambda view: view.network.fetched_at if view.network else None,
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
)


def _planned_power(plan: PlanView) -> SensorValue:
    if plan.plan is None:
        return None
    now = dt_util.utcnow()
    return next((s.power_w for s in plan.plan.slots if s.start <= now < s.end), None)


def _outdoor_attributes(outdoor: OutdoorForecast | None) -> dict[str, Any]:
    """Where the plan's outdoor temperatures came from: codes Home Assistant translates."""
    return {
        "outdoor_forecast": outdoor.source.value if outdoor else None,
        "outdoor_forecast_kind": outdoor.kind.value if outdoor and outdoor.kind else None,
        "outdoor_forecast_until": outdoor.until.isoformat() if outdoor and outdoor.until else None,
        "outdoor_forecast_held_slots": outdoor.held_slots if outdoor else None,
        "outdoor_forecast_problem": outdoor.problem.value if outdoor and outdoor.problem else None,
    }


def _day(
    key: str,
    day_fn: Callable[[PlanView], DayCosts | None],
    value_fn: Callable[[DayCosts], float | None],
) -> HashHeatSiteSensorDescription:
    return HashHeatSiteSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        currency_unit="{currency}",
        value_fn=lambda view: value_fn(day) if (day := day_fn(view.plan)) is not None else None,
        exists_fn=has_price_source,
    )


PLAN_SENSORS: tuple[HashHeatSiteSensorDescription, ...] = (
    HashHeatSiteSensorDescription(
        key="planned_power",
        translation_key="planned_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda view: _planned_power(view.plan),
        attributes_fn=lambda view: {
            FORECAST: plan_slots(view.plan.plan) if view.plan.plan is not None else [],
            **_outdoor_attributes(view.plan.outdoor),
        },
        exists_fn=has_price_source,
    ),
    _day(
        "expected_cost_today",
        lambda plan: plan.costs.today if plan.costs else None,
        lambda day: day.planned,
    ),
    _day(
        "expected_cost_tomorrow",
        lambda plan: plan.costs.tomorrow if plan.costs else None,
        lambda day: day.planned,
    ),
    _day(
        "plan_saving_today",
        lambda plan: plan.costs.today if plan.costs else None,
        lambda day: day.saving,
    ),
    _day(
        "plan_saving_tomorrow",
        lambda plan: plan.costs.tomorrow if plan.costs else None,
        lambda day: day.saving,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the site's sensors, and every miner's under its own subentry."""
    coordinator = entry.runtime_data
    add_site_entities(entry, async_add_entities, (*SITE_SENSORS, *PLAN_SENSORS), HashHeatSiteSensor)

    add_miner_entities(
        entry,
        async_add_entities,
        (*MINER_SENSORS, *MINER_ACCOUNT_SENSORS),
        HashHeatMinerSensor,
    )
    async_add_entities(HashHeatSiteHealthSensor(coordinator, d) for d in SITE_HEALTH_SENSORS)
    add_site_entities(entry, async_add_entities, FLUID_SENSORS, HashHeatFluidSensor)
    add_miner_entities(entry, async_add_entities, MINER_HEALTH_SENSORS, HashHeatMinerHealthSensor)


def _set_currency_unit(
    sensor: SensorEntity, coordinator: HashHeatSiteCoordinator, template: str | None
) -> None:
    """Money is in the currency Home Assistant is set to."""
    if template is not None:
        currency = coordinator.hass.config.currency
        sensor._attr_native_unit_of_measurement = template.format(currency=currency)  # noqa: SLF001


class HashHeatMinerSensor(HashHeatMinerEntity, SensorEntity):
    """A sensor showing one value of a miner."""

    entity_description: HashHeatMinerSensorDescription

    def __init__(
        self,
        coordinator: HashHeatSiteCoordinator,
        miner_id: str,
        description: HashHeatMinerSensorDescription,
    ) -> None:
        """Create the sensor with the value of the latest poll."""
        super().__init__(coordinator, miner_id, description)
        _set_currency_unit(self, coordinator, description.currency_unit)
        self._update_value()

    @property
    def available(self) -> bool:
        """Counters stay available with their total; other values need the miner."""
        return self.entity_description.counter or super().available

    @callback
    def _handle_coordinator_update(self) -> None:
        self._update_value()
        super()._handle_coordinator_update()

    def _update_value(self) -> None:
        view = self.miner
        if view.reading is None and not self.entity_description.counter:
            return
        value = self.entity_description.value_fn(view)
        previous = self._attr_native_value
        if (
            isinstance(value, datetime)
            and isinstance(previous, datetime)
            and abs((value - previous).total_seconds()) < BOOT_TIME_TOLERANCE_S
        ):
            return
        self._attr_native_value = value


class HashHeatSiteSensor(HashHeatSiteEntity, SensorEntity):
    """A sensor of the whole site."""

    entity_description: HashHeatSiteSensorDescription
    # Two days of 15-minute slots: too large and too changeable for the recorder's history.
    _unrecorded_attributes = frozenset({FORECAST})

    def __init__(
        self, coordinator: HashHeatSiteCoordinator, description: HashHeatSiteSensorDescription
    ) -> None:
        """Create the sensor."""
        super().__init__(coordinator, description)
        _set_currency_unit(self, coordinator, description.currency_unit)

    @property
    def available(self) -> bool:
        """Counters and totals stay available; live figures need a successful poll."""
        return self.entity_description.counter or super().available

    @property
    def native_value(self) -> SensorValue:
        """The value from the site's figures, counters or network data."""
        return self.entity_description.value_fn(self.site)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details of the value, where it has any (a price's forecast)."""
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(self.site) if attributes_fn else None
