"""A site's settings, parsed once from its options over one set of defaults (no Home Assistant).

Every part of the integration reads these typed settings; nothing else reads the options.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from .const import (
    CONF_BOILER_EFFICIENCY_PERCENT,
    CONF_BTC_PRICE_ENTITY,
    CONF_BUILDING_HEAT_METERS,
    CONF_CAPTURE_PERCENT,
    CONF_CHEAP_HOURS,
    CONF_CYCLE_RANGE,
    CONF_DISTRICT_CO2,
    CONF_DISTRICT_HEAT_PRICE,
    CONF_DRY_COOLER,
    CONF_FIXED_PRICE,
    CONF_FLOW,
    CONF_FLUID,
    CONF_FLUID_LEVEL,
    CONF_FLUID_LEVEL_LOW,
    CONF_FLUID_MOISTURE,
    CONF_FLUID_MOISTURE_HIGH,
    CONF_FLUID_QUALITY,
    CONF_FLUID_QUALITY_LOW,
    CONF_GAS_CO2,
    CONF_GAS_PRICE,
    CONF_GRID_CO2,
    CONF_GRID_FEE,
    CONF_GRID_FEE_SCHEDULE,
    CONF_GRID_INTENSITY,
    CONF_HASHPRICE,
    CONF_HASHPRICE_ENTITY,
    CONF_HEALTH_HOLD_HOURS,
    CONF_HEALTH_LEARN_DAYS,
    CONF_HEALTH_THRESHOLD,
    CONF_HEAT_DEMAND,
    CONF_HEAT_METER,
    CONF_HEAT_PUMP_COP,
    CONF_HEAT_REFERENCE,
    CONF_HOT_CHIP,
    CONF_INDOOR_TEMPERATURE,
    CONF_LEVIES,
    CONF_LOOP_VOLUME,
    CONF_MAX_STARTS,
    CONF_MEMPOOL_URL,
    CONF_MIN_OFF_MINUTES,
    CONF_MIN_ON_MINUTES,
    CONF_OUTDOOR_TEMPERATURE,
    CONF_OVER_TEMPERATURE,
    CONF_POOL_FEE_PERCENT,
    CONF_PRICE_ENTITY,
    CONF_PUMP_ENTITY,
    CONF_RETURN_TEMPERATURE,
    CONF_REVENUE_SOURCE,
    CONF_SENSOR_FALLBACK,
    CONF_STALE_MINUTES,
    CONF_SUPPLY_TEMPERATURE,
    CONF_TANK_FLUID,
    CONF_TANK_TEMPERATURE,
    CONF_TANK_VOLUME,
    CONF_VAT_PERCENT,
    CONF_WEATHER,
    DEFAULT_BOILER_EFFICIENCY_PERCENT,
    DEFAULT_CAPTURE_PERCENT,
    DEFAULT_CHEAP_HOURS,
    DEFAULT_HEALTH_THRESHOLD_PERCENT,
    DEFAULT_HEAT_PUMP_COP,
    DEFAULT_LOOP_VOLUME_L,
    DEFAULT_MAX_STARTS,
    DEFAULT_MIN_OFF_MINUTES,
    DEFAULT_MIN_ON_MINUTES,
    DEFAULT_OVER_TEMPERATURE,
    DEFAULT_POOL_FEE_PERCENT,
    DEFAULT_STALE_MINUTES,
    DEFAULT_TANK_VOLUME_L,
    RevenueSource,
    SensorFallback,
)
from .domain.all_in import Tariff, parse_fee_windows
from .domain.control import ControllerSettings
from .domain.dispatch import DispatchSettings
from .domain.economics import Co2Factors, HeatReference, HeatReferenceKind
from .domain.fluid_limits import QUANTITIES, FluidInput, FluidSensor
from .domain.health import CHIP_RISE_SETTINGS, DAY_S, HOUR_S, DriftSettings
from .domain.protection import ProtectionSettings
from .domain.thermal import FLUIDS, Fluid, FluidProperties
from .domain.wear import WearSettings
from .mempool import DEFAULT_BASE_URL

DEFAULT_GAS_CO2 = Co2Factors().gas_kg_per_kwh
DEFAULT_GRID_CO2 = Co2Factors().grid_kg_per_kwh
# Boost and a miner's manual heat stop this far below the over-temperature limit.
CEILING_MARGIN_K = 5.0
# One miner of a site starts at a time (a poll apart): no inrush of the whole site.
START_SPACING_S = 10.0
# Each fluid sensor's option and its limit's.
FLUID_OPTIONS: dict[FluidInput, tuple[str, str]] = {
    FluidInput.LEVEL: (CONF_FLUID_LEVEL, CONF_FLUID_LEVEL_LOW),
    FluidInput.MOISTURE: (CONF_FLUID_MOISTURE, CONF_FLUID_MOISTURE_HIGH),
    FluidInput.QUALITY: (CONF_FLUID_QUALITY, CONF_FLUID_QUALITY_LOW),
}
DEFAULT_HEALTH_HOLD_HOURS = CHIP_RISE_SETTINGS.sustain_s / HOUR_S
DEFAULT_HEALTH_LEARN_DAYS = CHIP_RISE_SETTINGS.learn_s / DAY_S
DEFAULT_CYCLE_RANGE_K = WearSettings().cycle_range_k
DEFAULT_HOT_CHIP_C = WearSettings().hot_chip_c


def plant_defaults() -> dict[str, Any]:
    """Options of a site nobody has configured yet."""
    return {
        CONF_FLUID: Fluid.WATER.value,
        CONF_CAPTURE_PERCENT: DEFAULT_CAPTURE_PERCENT,
        CONF_CHEAP_HOURS: DEFAULT_CHEAP_HOURS,
        CONF_GRID_FEE: 0.0,
        CONF_LEVIES: 0.0,
        CONF_VAT_PERCENT: 0.0,
        CONF_HEAT_REFERENCE: HeatReferenceKind.GAS_BOILER.value,
        CONF_BOILER_EFFICIENCY_PERCENT: DEFAULT_BOILER_EFFICIENCY_PERCENT,
        CONF_HEAT_PUMP_COP: DEFAULT_HEAT_PUMP_COP,
        CONF_GAS_CO2: DEFAULT_GAS_CO2,
        CONF_GRID_CO2: DEFAULT_GRID_CO2,
        CONF_REVENUE_SOURCE: RevenueSource.NETWORK.value,
        CONF_MEMPOOL_URL: DEFAULT_BASE_URL,
        CONF_POOL_FEE_PERCENT: DEFAULT_POOL_FEE_PERCENT,
        CONF_OVER_TEMPERATURE: DEFAULT_OVER_TEMPERATURE,
        CONF_STALE_MINUTES: DEFAULT_STALE_MINUTES,
        CONF_SENSOR_FALLBACK: SensorFallback.STOP.value,
        CONF_MIN_ON_MINUTES: DEFAULT_MIN_ON_MINUTES,
        CONF_MIN_OFF_MINUTES: DEFAULT_MIN_OFF_MINUTES,
        CONF_MAX_STARTS: DEFAULT_MAX_STARTS,
        CONF_TANK_VOLUME: DEFAULT_TANK_VOLUME_L,
        CONF_TANK_FLUID: Fluid.DIELECTRIC_OIL.value,
        CONF_LOOP_VOLUME: DEFAULT_LOOP_VOLUME_L,
        **{limit: QUANTITIES[kind].default_limit for kind, (_, limit) in FLUID_OPTIONS.items()},
        CONF_HEALTH_HOLD_HOURS: DEFAULT_HEALTH_HOLD_HOURS,
        CONF_HEALTH_LEARN_DAYS: DEFAULT_HEALTH_LEARN_DAYS,
        CONF_CYCLE_RANGE: DEFAULT_CYCLE_RANGE_K,
        CONF_HOT_CHIP: DEFAULT_HOT_CHIP_C,
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantConfig:
    """What a site is made of and how its heat and money are valued."""

    return_temperature_entity: str | None
    supply_temperature_entity: str | None
    flow_entity: str | None
    fluid: FluidProperties
    capture_fraction: float
    heat_meter_entity: str | None
    price_entity: str | None
    # The immersion fluid's own temperature, for the health detectors (optional).
    tank_temperature_entity: str | None = None
    # The heat sub-meters of the buildings the site supplies: the report splits heat by them.
    building_heat_meters: tuple[str, ...] = ()
    fixed_price_per_kwh: float | None
    # Added to the price sensor's or the fixed price: what the site pays is the all-in price.
    tariff: Tariff
    heat_reference: HeatReference | None
    co2: Co2Factors
    grid_intensity_entity: str | None
    revenue_source: RevenueSource
    mempool_url: str
    btc_price_entity: str | None
    fixed_hashprice: float | None
    hashprice_entity: str | None
    pool_fee: float
    cheap_hours: float

    @property
    def calorimetric(self) -> bool:
        """Whether flow and both temperatures are configured."""
        return bool(
            self.flow_entity and self.supply_temperature_entity and self.return_temperature_entity
        )

    @classmethod
    def from_options(cls, merged: Mapping[str, Any]) -> PlantConfig:
        """Parse options merged over the defaults; an impossible heat reference means none."""
        try:
            fluid = FLUIDS[Fluid(merged[CONF_FLUID])]
        except ValueError:
            fluid = FLUIDS[Fluid.WATER]
        return cls(
            return_temperature_entity=merged.get(CONF_RETURN_TEMPERATURE) or None,
            supply_temperature_entity=merged.get(CONF_SUPPLY_TEMPERATURE) or None,
            flow_entity=merged.get(CONF_FLOW) or None,
            fluid=fluid,
            capture_fraction=float(merged[CONF_CAPTURE_PERCENT]) / 100,
            heat_meter_entity=merged.get(CONF_HEAT_METER) or None,
            tank_temperature_entity=merged.get(CONF_TANK_TEMPERATURE) or None,
            building_heat_meters=tuple(merged.get(CONF_BUILDING_HEAT_METERS) or ()),
            price_entity=merged.get(CONF_PRICE_ENTITY) or None,
            fixed_price_per_kwh=merged.get(CONF_FIXED_PRICE),
            tariff=_tariff(merged),
            heat_reference=_heat_reference(merged),
            co2=Co2Factors(
                gas_kg_per_kwh=float(merged[CONF_GAS_CO2]),
                grid_kg_per_kwh=float(merged[CONF_GRID_CO2]),
                district_kg_per_kwh_heat=float(merged.get(CONF_DISTRICT_CO2) or 0.0),
            ),
            grid_intensity_entity=merged.get(CONF_GRID_INTENSITY) or None,
            revenue_source=_enum(RevenueSource, merged[CONF_REVENUE_SOURCE], RevenueSource.NETWORK),
            mempool_url=str(merged.get(CONF_MEMPOOL_URL) or DEFAULT_BASE_URL),
            btc_price_entity=merged.get(CONF_BTC_PRICE_ENTITY) or None,
            fixed_hashprice=merged.get(CONF_HASHPRICE),
            hashprice_entity=merged.get(CONF_HASHPRICE_ENTITY) or None,
            pool_fee=float(merged[CONF_POOL_FEE_PERCENT]) / 100,
            cheap_hours=float(merged[CONF_CHEAP_HOURS]),
        )


def _tariff(options: Mapping[str, Any]) -> Tariff:
    """Fees and VAT; a schedule the options flow would refuse means the flat grid fee alone."""
    return Tariff(
        grid_fee_per_kwh=float(options.get(CONF_GRID_FEE) or 0.0),
        levies_per_kwh=float(options.get(CONF_LEVIES) or 0.0),
        vat=float(options.get(CONF_VAT_PERCENT) or 0.0) / 100,
        windows=parse_fee_windows(str(options.get(CONF_GRID_FEE_SCHEDULE) or "")) or (),
    )


def _heat_reference(options: Mapping[str, Any]) -> HeatReference | None:
    kind = HeatReferenceKind(options[CONF_HEAT_REFERENCE])
    try:
        if kind is HeatReferenceKind.GAS_BOILER:
            return HeatReference(
                kind=kind,
                gas_price_per_kwh=float(options[CONF_GAS_PRICE]),
                boiler_efficiency=float(options[CONF_BOILER_EFFICIENCY_PERCENT]) / 100,
            )
        if kind is HeatReferenceKind.HEAT_PUMP:
            return HeatReference(kind=kind, heat_pump_cop=float(options[CONF_HEAT_PUMP_COP]))
        return HeatReference(
            kind=kind, district_heat_price_per_kwh=float(options[CONF_DISTRICT_HEAT_PRICE])
        )
    except KeyError, TypeError, ValueError:
        return None


@dataclass(frozen=True, kw_only=True, slots=True)
class SafetySettings:
    """Plant-safety configuration of a site."""

    over_temperature_c: float
    stale_after: timedelta
    fallback: SensorFallback
    pump_entity: str | None

    @classmethod
    def from_options(cls, merged: Mapping[str, Any]) -> SafetySettings:
        """Parse options merged over the (protective) defaults."""
        return cls(
            over_temperature_c=float(merged[CONF_OVER_TEMPERATURE]),
            stale_after=timedelta(minutes=float(merged[CONF_STALE_MINUTES])),
            fallback=_enum(SensorFallback, merged[CONF_SENSOR_FALLBACK], SensorFallback.STOP),
            pump_entity=merged.get(CONF_PUMP_ENTITY) or None,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanConfig:
    """What the price plan knows of the site: its store, and where demand is forecast from."""

    tank_volume_l: float
    tank_fluid: Fluid
    loop_volume_l: float
    outdoor_temperature_entity: str | None
    weather_entity: str | None
    """Its hourly forecast (``weather.get_forecasts``) gives the outdoor temperature ahead."""
    indoor_temperature_entity: str | None
    heat_demand_entity: str | None
    """The building's heat demand (kW), when a meter or the building management gives it."""
    dry_cooler_entity: str | None
    """A switch that dumps heat: with it, the plan may mine when heat has no use."""

    @classmethod
    def from_options(cls, merged: Mapping[str, Any]) -> PlanConfig:
        """Parse options merged over the defaults."""
        return cls(
            tank_volume_l=float(merged[CONF_TANK_VOLUME]),
            tank_fluid=_enum(Fluid, merged[CONF_TANK_FLUID], Fluid.DIELECTRIC_OIL),
            loop_volume_l=float(merged[CONF_LOOP_VOLUME]),
            outdoor_temperature_entity=merged.get(CONF_OUTDOOR_TEMPERATURE) or None,
            weather_entity=merged.get(CONF_WEATHER) or None,
            indoor_temperature_entity=merged.get(CONF_INDOOR_TEMPERATURE) or None,
            heat_demand_entity=merged.get(CONF_HEAT_DEMAND) or None,
            dry_cooler_entity=merged.get(CONF_DRY_COOLER) or None,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class HealthSettings:
    """How the health detectors learn and warn, the fluid sensors watched, what wear counts."""

    threshold: float
    """How far (share of its baseline) a health figure may drift before it warns."""
    hold_s: float
    """How long a drift must last before it warns."""
    learn_s: float
    """How long of usable samples makes a baseline."""
    fluid: dict[FluidInput, FluidSensor]
    cycle_range_k: float
    hot_chip_c: float

    def drift(self, detector: DriftSettings) -> DriftSettings:
        """A detector's settings (which way is worse is its own) with the site's limits."""
        return replace(
            detector, threshold=self.threshold, sustain_s=self.hold_s, learn_s=self.learn_s
        )

    def wear(self, max_starts_per_day: int) -> WearSettings:
        """What counts as a thermal cycle and a hot hour, with the cap on starts."""
        return WearSettings(
            cycle_range_k=self.cycle_range_k,
            hot_chip_c=self.hot_chip_c,
            max_starts_per_day=max_starts_per_day,
        )

    @classmethod
    def from_options(cls, merged: Mapping[str, Any]) -> HealthSettings:
        """Parse options merged over the defaults; an empty threshold means the default."""
        threshold = merged.get(CONF_HEALTH_THRESHOLD) or DEFAULT_HEALTH_THRESHOLD_PERCENT
        return cls(
            threshold=float(threshold) / 100,
            hold_s=float(merged[CONF_HEALTH_HOLD_HOURS]) * HOUR_S,
            learn_s=float(merged[CONF_HEALTH_LEARN_DAYS]) * DAY_S,
            fluid={
                kind: FluidSensor(kind=kind, entity_id=entity, limit=float(merged[limit]))
                for kind, (option, limit) in FLUID_OPTIONS.items()
                if (entity := merged.get(option))
            },
            cycle_range_k=float(merged[CONF_CYCLE_RANGE]),
            hot_chip_c=float(merged[CONF_HOT_CHIP]),
        )


def _dispatch_settings(merged: Mapping[str, Any]) -> DispatchSettings:
    """Hardware protection and limits (the defaults protect hashboards and PSUs)."""
    return DispatchSettings(
        controller=ControllerSettings(),
        protection=ProtectionSettings(
            min_on_s=float(merged[CONF_MIN_ON_MINUTES]) * 60,
            min_off_s=float(merged[CONF_MIN_OFF_MINUTES]) * 60,
            max_starts_per_day=int(merged[CONF_MAX_STARTS]),
            start_spacing_s=START_SPACING_S,
        ),
        over_temperature_c=float(merged[CONF_OVER_TEMPERATURE]),
        ceiling_margin_k=CEILING_MARGIN_K,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteSettings:
    """Everything a site's options say, typed: plant, safety, dispatch limits, plan and health."""

    plant: PlantConfig
    safety: SafetySettings
    dispatch: DispatchSettings
    plan: PlanConfig
    health: HealthSettings

    @property
    def guards_plant(self) -> bool:
        """Whether the interlocks act: only with a loop or pump sensor to watch."""
        return bool(self.plant.return_temperature_entity or self.safety.pump_entity)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SiteSettings:
        """Parse the options over the defaults of a site nobody has configured yet."""
        merged = {**plant_defaults(), **options}
        return cls(
            plant=PlantConfig.from_options(merged),
            safety=SafetySettings.from_options(merged),
            dispatch=_dispatch_settings(merged),
            plan=PlanConfig.from_options(merged),
            health=HealthSettings.from_options(merged),
        )


def _enum[E: StrEnum](kind: type[E], value: Any, default: E) -> E:
    """An option's enum member; a value a newer or older version stored means the default."""
    try:
        return kind(value)
    except ValueError:
        return default
