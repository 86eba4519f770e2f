"""Plant configuration of a site: sensors of the loop, prices, the heat reference and revenue.

Each selected entity is checked for a unit HashHeat can use, so a wrong choice is explained in
the form instead of producing silent nonsense later.
"""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final, Literal

import probatio
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import UnitOfPower, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import EnergyConverter

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
    SECTION_CONTROL,
    SECTION_ELECTRICITY,
    SECTION_EMISSIONS,
    SECTION_HEALTH,
    SECTION_HEAT_REFERENCE,
    SECTION_PLAN,
    SECTION_PLANT,
    SECTION_REVENUE,
    SECTION_TARIFF,
    RevenueSource,
    SensorFallback,
)
from .domain.all_in import overlapping, parse_fee_windows
from .domain.economics import HeatReferenceKind
from .domain.fluid_limits import QUANTITIES, unit_accepted
from .domain.forecast_quality import forecast_problems
from .domain.price_units import (
    PriceUnitProblem,
    currency_of,
    parse_hashprice_unit,
    parse_price_unit,
)
from .domain.thermal import Fluid, parse_flow_unit
from .mempool import validate_base_url
from .price_source import (
    PriceReader,
    find_price_source,
    price_source_placeholders,
    publishes_all_in,
)
from .settings import FLUID_OPTIONS, plant_defaults
from .weather_forecast import forecast_kind

TEMPERATURE_UNITS = {unit.value for unit in UnitOfTemperature}
# The plan's weather and building readings, as weather and room sensors give them.
AIR_TEMPERATURE_UNITS = {UnitOfTemperature.CELSIUS, UnitOfTemperature.FAHRENHEIT}
POWER_UNITS = {UnitOfPower.WATT, UnitOfPower.KILO_WATT, UnitOfPower.MEGA_WATT}
# Every unit Home Assistant converts (heat meters of district heating read GJ, Gcal or MJ too).
ENERGY_UNITS = EnergyConverter.VALID_UNITS


# The store the plan charges: a large buffer tank, and the pipes and exchangers of the loop.
MAX_TANK_VOLUME_L = 100_000
MAX_LOOP_VOLUME_L = 20_000


def _sensor(device_class: str | list[str] | None = None) -> EntitySelector:
    if device_class is None:
        return EntitySelector(EntitySelectorConfig(domain="sensor"))
    return EntitySelector(EntitySelectorConfig(domain="sensor", device_class=device_class))


def _number(
    minimum: float | None,
    maximum: float | None,
    step: float | Literal["any"],
    unit: str | None = None,
) -> NumberSelector:
    """A number box; without bounds, validate_plant checks the range with a translated error."""
    config = NumberSelectorConfig(step=step, mode=NumberSelectorMode.BOX)
    if minimum is not None:
        config["min"] = minimum
    if maximum is not None:
        config["max"] = maximum
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def _select(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=key, mode=SelectSelectorMode.DROPDOWN)
    )


SECTIONS: dict[str, dict[Any, Any]] = {
    SECTION_PLANT: {
        probatio.Optional(CONF_RETURN_TEMPERATURE): _sensor("temperature"),
        probatio.Optional(CONF_SUPPLY_TEMPERATURE): _sensor("temperature"),
        probatio.Optional(CONF_FLOW): _sensor(),
        probatio.Required(CONF_FLUID): _select([fluid.value for fluid in Fluid], CONF_FLUID),
        probatio.Required(CONF_CAPTURE_PERCENT): _number(10, 100, 0.5, "%"),
        probatio.Optional(CONF_HEAT_METER): _sensor(["power", "energy"]),
        probatio.Optional(CONF_TANK_TEMPERATURE): _sensor("temperature"),
        probatio.Optional(CONF_BUILDING_HEAT_METERS): EntitySelector(
            EntitySelectorConfig(domain="sensor", device_class="energy", multiple=True)
        ),
        probatio.Optional(CONF_HEALTH_THRESHOLD): _number(2, 50, 1, "%"),
        **{
            field: selector
            for kind, (entity, limit) in FLUID_OPTIONS.items()
            for field, selector in (
                (probatio.Optional(entity), _sensor()),
                (
                    probatio.Optional(limit),
                    _number(
                        QUANTITIES[kind].min_limit,
                        QUANTITIES[kind].max_limit,
                        "any",
                        QUANTITIES[kind].unit,
                    ),
                ),
            )
        },
    },
    SECTION_ELECTRICITY: {
        # A sensor, or the event entity that holds the rates (Octopus Energy's day rates).
        probatio.Optional(CONF_PRICE_ENTITY): EntitySelector(
            EntitySelectorConfig(domain=["sensor", "event"])
        ),
        probatio.Optional(CONF_FIXED_PRICE): _number(-10, 10, "any"),
        probatio.Optional(CONF_CHEAP_HOURS): _number(0, 24, 0.25, "h"),
    },
    SECTION_TARIFF: {
        probatio.Optional(CONF_GRID_FEE): _number(None, None, "any"),
        probatio.Optional(CONF_LEVIES): _number(None, None, "any"),
        probatio.Optional(CONF_VAT_PERCENT): _number(None, None, "any", "%"),
        probatio.Optional(CONF_GRID_FEE_SCHEDULE): TextSelector(TextSelectorConfig(multiline=True)),
    },
    SECTION_HEAT_REFERENCE: {
        probatio.Required(CONF_HEAT_REFERENCE): _select(
            [kind.value for kind in HeatReferenceKind], CONF_HEAT_REFERENCE
        ),
        probatio.Optional(CONF_GAS_PRICE): _number(0, 10, "any"),
        probatio.Optional(CONF_BOILER_EFFICIENCY_PERCENT): _number(30, 110, 0.5, "%"),
        probatio.Optional(CONF_HEAT_PUMP_COP): _number(1, 10, 0.1),
        probatio.Optional(CONF_DISTRICT_HEAT_PRICE): _number(0, 10, "any"),
    },
    SECTION_EMISSIONS: {
        probatio.Required(CONF_GAS_CO2): _number(0, 1, 0.001, "kg/kWh"),
        probatio.Required(CONF_GRID_CO2): _number(0, 2, 0.001, "kg/kWh"),
        probatio.Optional(CONF_DISTRICT_CO2): _number(0, 1, 0.001, "kg/kWh"),
        probatio.Optional(CONF_GRID_INTENSITY): _sensor(),
    },
    SECTION_CONTROL: {
        probatio.Required(CONF_OVER_TEMPERATURE): _number(40, 95, 0.5, "°C"),
        probatio.Required(CONF_STALE_MINUTES): _number(1, 60, 1, "min"),
        probatio.Required(CONF_SENSOR_FALLBACK): _select(
            [fallback.value for fallback in SensorFallback], CONF_SENSOR_FALLBACK
        ),
        probatio.Optional(CONF_PUMP_ENTITY): EntitySelector(
            EntitySelectorConfig(domain="binary_sensor")
        ),
        probatio.Required(CONF_MIN_ON_MINUTES): _number(0, 120, 1, "min"),
        probatio.Required(CONF_MIN_OFF_MINUTES): _number(0, 120, 1, "min"),
        probatio.Required(CONF_MAX_STARTS): _number(1, 96, 1),
    },
    SECTION_REVENUE: {
        probatio.Required(CONF_REVENUE_SOURCE): _select(
            [source.value for source in RevenueSource],
            CONF_REVENUE_SOURCE,
        ),
        probatio.Optional(CONF_MEMPOOL_URL): TextSelector(),
        probatio.Optional(CONF_BTC_PRICE_ENTITY): _sensor(),
        probatio.Optional(CONF_HASHPRICE_ENTITY): _sensor(),
        probatio.Optional(CONF_HASHPRICE): _number(0, 100, "any"),
        probatio.Required(CONF_POOL_FEE_PERCENT): _number(0, 10, 0.1, "%"),
    },
    SECTION_HEALTH: {
        probatio.Optional(CONF_HEALTH_HOLD_HOURS): _number(0.5, 72, 0.5, "h"),
        probatio.Optional(CONF_HEALTH_LEARN_DAYS): _number(0.25, 14, 0.25, "d"),
        probatio.Optional(CONF_CYCLE_RANGE): _number(2, 40, 0.5, "K"),
        probatio.Optional(CONF_HOT_CHIP): _number(50, 110, 1, "°C"),
    },
    SECTION_PLAN: {
        probatio.Required(CONF_TANK_VOLUME): _number(0, MAX_TANK_VOLUME_L, 1, "L"),
        probatio.Required(CONF_TANK_FLUID): _select([fluid.value for fluid in Fluid], CONF_FLUID),
        probatio.Required(CONF_LOOP_VOLUME): _number(0, MAX_LOOP_VOLUME_L, 1, "L"),
        probatio.Optional(CONF_OUTDOOR_TEMPERATURE): _sensor("temperature"),
        probatio.Optional(CONF_WEATHER): EntitySelector(EntitySelectorConfig(domain="weather")),
        probatio.Optional(CONF_INDOOR_TEMPERATURE): _sensor("temperature"),
        probatio.Optional(CONF_HEAT_DEMAND): _sensor("power"),
        probatio.Optional(CONF_DRY_COOLER): EntitySelector(
            EntitySelectorConfig(domain=["switch", "input_boolean"])
        ),
    },
}


FIELD_SECTIONS = {str(key): name for name, fields in SECTIONS.items() for key in fields}


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name in SECTIONS:
        flat.update(user_input.get(name, {}))
    return flat


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: {str(key): flat[str(key)] for key in fields if str(key) in flat}
        for name, fields in SECTIONS.items()
    }


def _unit(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return None if state is None else state.attributes.get("unit_of_measurement")


def validate_plant(hass: HomeAssistant, options: Mapping[str, Any]) -> dict[str, str]:
    """Check every selected entity and the combinations; return form errors by field."""
    errors: dict[str, str] = {}
    _validate_sensors(hass, options, errors)
    _validate_building_meters(hass, options, errors)
    _validate_plan(hass, options, errors)
    _validate_tariff(options, errors)
    _validate_reference(options, errors)
    _validate_revenue(options, errors)
    return errors


INTENSITY_UNITS = {"gCO2eq/kWh", "g/kWh", "kg/kWh"}
# Fees per kWh in the price's currency (a negative one is a rebate), and VAT.
MIN_FEE, MAX_FEE = -1.0, 10.0
MAX_VAT_PERCENT = 100.0

# Each selectable sensor, the test its unit must pass, and the error when it does not.
UNIT_CHECKS: dict[str, tuple[Callable[[str | None], bool], str]] = {
    CONF_RETURN_TEMPERATURE: (lambda unit: unit in TEMPERATURE_UNITS, "temperature_unit"),
    CONF_SUPPLY_TEMPERATURE: (lambda unit: unit in TEMPERATURE_UNITS, "temperature_unit"),
    CONF_TANK_TEMPERATURE: (lambda unit: unit in TEMPERATURE_UNITS, "temperature_unit"),
    CONF_FLOW: (lambda unit: parse_flow_unit(unit) is not None, "flow_unit"),
    CONF_HEAT_METER: (lambda unit: unit in POWER_UNITS | ENERGY_UNITS, "heat_meter_unit"),
    CONF_PRICE_ENTITY: (lambda unit: parse_price_unit(unit) is not None, "price_unit"),
    CONF_GRID_INTENSITY: (lambda unit: unit in INTENSITY_UNITS, "intensity_unit"),
    CONF_HASHPRICE_ENTITY: (lambda unit: parse_hashprice_unit(unit) is not None, "hashprice_unit"),
    CONF_OUTDOOR_TEMPERATURE: (lambda unit: unit in AIR_TEMPERATURE_UNITS, "air_temperature_unit"),
    CONF_INDOOR_TEMPERATURE: (lambda unit: unit in AIR_TEMPERATURE_UNITS, "air_temperature_unit"),
    CONF_HEAT_DEMAND: (lambda unit: unit in POWER_UNITS, "demand_unit"),
    **{
        entity: (partial(unit_accepted, kind), f"{kind.value}_unit")
        for kind, (entity, _) in FLUID_OPTIONS.items()
    },
}
# The price_source step's error for a price source whose unit HashHeat cannot use.
MISMATCH_ERRORS: Final = {
    PriceUnitProblem.UNIT: "price_source_unit",
    PriceUnitProblem.CURRENCY: "price_source_currency",
}
# Entities the plan reads whose state is not a measurement: they must exist, and a weather
# entity must offer a forecast.
PLAN_ENTITIES = (CONF_WEATHER, CONF_DRY_COOLER)


def _validate_sensors(
    hass: HomeAssistant, options: Mapping[str, Any], errors: dict[str, str]
) -> None:
    for field, (unit_ok, error) in UNIT_CHECKS.items():
        if not options.get(field):
            continue
        if hass.states.get(options[field]) is None:
            errors[field] = "entity_missing"
        elif str(options[field]).startswith("event."):
            continue  # an event states no unit: its rates name theirs (the price source step)
        elif not unit_ok(_unit(hass, options[field])):
            errors[field] = error
    if options.get(CONF_FLOW) and not (
        options.get(CONF_SUPPLY_TEMPERATURE) and options.get(CONF_RETURN_TEMPERATURE)
    ):
        errors.setdefault(CONF_FLOW, "calorimetric_incomplete")
    currencies = {
        CONF_PRICE_ENTITY: lambda unit: getattr(parse_price_unit(unit), "currency", None),
        CONF_HASHPRICE_ENTITY: lambda unit: getattr(parse_hashprice_unit(unit), "currency", None),
        CONF_BTC_PRICE_ENTITY: currency_of,
    }
    for field, currency in currencies.items():
        if options.get(field) and field not in errors:
            named = currency(_unit(hass, options[field]))
            if named is not None and named != hass.config.currency:
                errors[field] = "price_currency"


# State classes whose totals the recorder keeps as statistics (what the report reads).
TOTAL_STATE_CLASSES = {"total", "total_increasing"}


def _validate_building_meters(
    hass: HomeAssistant, options: Mapping[str, Any], errors: dict[str, str]
) -> None:
    """Each building's heat sub-meter: an energy sensor whose total the recorder keeps."""
    for meter in options.get(CONF_BUILDING_HEAT_METERS) or ():
        if (error := _building_meter_error(hass, meter)) is not None:
            errors[CONF_BUILDING_HEAT_METERS] = error
            return


def _building_meter_error(hass: HomeAssistant, meter: str) -> str | None:
    state = hass.states.get(meter)
    if state is None:
        return "entity_missing"
    if state.attributes.get("unit_of_measurement") not in ENERGY_UNITS:
        return "building_meter_unit"
    if state.attributes.get("state_class") not in TOTAL_STATE_CLASSES:
        return "building_meter_state_class"
    return None


def _validate_plan(hass: HomeAssistant, options: Mapping[str, Any], errors: dict[str, str]) -> None:
    for field in PLAN_ENTITIES:
        if options.get(field) and hass.states.get(options[field]) is None:
            errors[field] = "entity_missing"
    weather = options.get(CONF_WEATHER)
    if weather and CONF_WEATHER not in errors and forecast_kind(hass, weather) is None:
        errors[CONF_WEATHER] = "weather_no_forecast"


def _validate_tariff(options: Mapping[str, Any], errors: dict[str, str]) -> None:
    for field in (CONF_GRID_FEE, CONF_LEVIES):
        if not MIN_FEE <= float(options.get(field) or 0.0) <= MAX_FEE:
            errors[field] = "fee_range"
    if not 0 <= float(options.get(CONF_VAT_PERCENT) or 0.0) <= MAX_VAT_PERCENT:
        errors[CONF_VAT_PERCENT] = "vat_range"
    windows = parse_fee_windows(str(options.get(CONF_GRID_FEE_SCHEDULE) or ""))
    if windows is None:
        errors[CONF_GRID_FEE_SCHEDULE] = "fee_schedule_format"
    elif not all(MIN_FEE <= window.fee_per_kwh <= MAX_FEE for window in windows):
        errors[CONF_GRID_FEE_SCHEDULE] = "fee_range"
    elif overlapping(windows):
        errors[CONF_GRID_FEE_SCHEDULE] = "fee_schedule_overlap"


def _validate_reference(options: Mapping[str, Any], errors: dict[str, str]) -> None:
    needed = {
        HeatReferenceKind.GAS_BOILER: CONF_GAS_PRICE,
        HeatReferenceKind.HEAT_PUMP: CONF_HEAT_PUMP_COP,
        HeatReferenceKind.DISTRICT_HEAT: CONF_DISTRICT_HEAT_PRICE,
    }[HeatReferenceKind(options[CONF_HEAT_REFERENCE])]
    if options.get(needed) is None:
        errors[needed] = "required_for_reference"


def _validate_revenue(options: Mapping[str, Any], errors: dict[str, str]) -> None:
    source = options[CONF_REVENUE_SOURCE]
    if source == RevenueSource.NETWORK:
        try:
            validate_base_url(options.get(CONF_MEMPOOL_URL) or "")
        except ValueError:
            errors[CONF_MEMPOOL_URL] = "invalid_url"
    elif source == RevenueSource.BTC_PRICE_ENTITY and not options.get(CONF_BTC_PRICE_ENTITY):
        errors[CONF_BTC_PRICE_ENTITY] = "required_for_source"
    elif source == RevenueSource.FIXED_HASHPRICE and options.get(CONF_HASHPRICE) is None:
        errors[CONF_HASHPRICE] = "required_for_source"
    elif source == RevenueSource.HASHPRICE_ENTITY and not options.get(CONF_HASHPRICE_ENTITY):
        errors[CONF_HASHPRICE_ENTITY] = "required_for_source"


class PlantOptionsFlow(OptionsFlow):
    """Edit a site's plant configuration; then show what its price source gives."""

    _options: dict[str, Any]

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show all settings in collapsible sections; validate and save them flat."""
        errors: dict[str, str] = {}
        current = {**plant_defaults(), **self.config_entry.options}
        if user_input is not None:
            options = _flatten(user_input)
            field_errors = validate_plant(self.hass, options)
            if not field_errors:
                self._options = options
                if options.get(CONF_PRICE_ENTITY):
                    return await self.async_step_price_source()
                return self.async_create_entry(data=options)
            # The frontend shows a section's errors on the section, one message each.
            errors = {FIELD_SECTIONS[field]: error for field, error in field_errors.items()}
            current = options
        schema = probatio.Schema(
            {
                probatio.Required(name): section(
                    probatio.Schema(fields),
                    {"collapsed": name != SECTION_PLANT and name not in errors},
                )
                for name, fields in SECTIONS.items()
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, _nest(current)),
            errors=errors,
        )

    async def async_step_price_source_all_in(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """``price_source`` for a source whose price already includes fees and VAT."""
        return await self.async_step_price_source(user_input)

    async def async_step_price_source(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what the picked price entity gives: the forecast found, its slots, the price now."""
        if user_input is not None:
            return self.async_create_entry(data=self._options)
        entity_id = str(self._options[CONF_PRICE_ENTITY])
        now = dt_util.utcnow()
        source = find_price_source(self.hass, entity_id, now)
        reading = await PriceReader(self.hass, entity_id).async_read_source(source, now, wait=True)
        problems = forecast_problems(reading.slots, now) if source.has_forecast else frozenset()
        all_in = publishes_all_in(self.hass, source)
        errors: dict[str, str] = {}
        mismatch = reading.unit_mismatch
        if mismatch is not None:
            errors["base"] = MISMATCH_ERRORS[mismatch.problem]
        elif source.disabled:
            errors["base"] = "price_forecast_disabled"
        elif reading.current_per_kwh is None:
            errors["base"] = "price_unusable"
        elif problems:
            errors["base"] = "price_forecast_problems"
        elif all_in and any(
            self._options.get(key) for key in (CONF_GRID_FEE, CONF_LEVIES, CONF_VAT_PERCENT)
        ):
            errors["base"] = "price_already_all_in"
        return self.async_show_form(
            # The same step, its text saying the price is all-in already and the adders stay 0.
            step_id="price_source_all_in" if all_in else "price_source",
            data_schema=probatio.Schema({}),
            errors=errors,
            description_placeholders={
                **price_source_placeholders(self.hass, source, reading, now),
                "problems": ", ".join(sorted(problems)) or "-",
                "mismatch_entity": mismatch.entity_id if mismatch else "-",
                "mismatch_unit": mismatch.unit if mismatch else "-",
                "currency": self.hass.config.currency,
            },
        )
