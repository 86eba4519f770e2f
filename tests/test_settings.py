"""A site's options parsed once into typed settings."""

from datetime import timedelta

from custom_components.hashheat.const import (
    CONF_MAX_STARTS,
    CONF_MIN_OFF_MINUTES,
    CONF_OVER_TEMPERATURE,
    CONF_PUMP_ENTITY,
    CONF_RETURN_TEMPERATURE,
    CONF_REVENUE_SOURCE,
    CONF_SENSOR_FALLBACK,
    CONF_STALE_MINUTES,
    DEFAULT_MAX_STARTS,
    DEFAULT_OVER_TEMPERATURE,
    RevenueSource,
    SensorFallback,
)
from custom_components.hashheat.domain.thermal import Fluid
from custom_components.hashheat.settings import SiteSettings


def test_defaults_protect_the_hardware() -> None:
    """A site nobody configured: protective limits, network revenue, stop when blind."""
    settings = SiteSettings.from_options({})
    assert settings.plant.revenue_source is RevenueSource.NETWORK
    assert settings.safety.fallback is SensorFallback.STOP
    assert settings.safety.over_temperature_c == DEFAULT_OVER_TEMPERATURE
    assert settings.dispatch.protection.max_starts_per_day == DEFAULT_MAX_STARTS
    assert settings.dispatch.ceiling_c < DEFAULT_OVER_TEMPERATURE
    assert not settings.guards_plant


def test_options_reach_every_part() -> None:
    """One parse feeds the plant, the interlocks and hardware protection alike."""
    settings = SiteSettings.from_options(
        {
            CONF_RETURN_TEMPERATURE: "sensor.loop_return",
            CONF_PUMP_ENTITY: "binary_sensor.pump",
            CONF_OVER_TEMPERATURE: 60,
            CONF_STALE_MINUTES: 3,
            CONF_SENSOR_FALLBACK: "minimum",
            CONF_MIN_OFF_MINUTES: 15,
            CONF_MAX_STARTS: 6,
            CONF_REVENUE_SOURCE: "fixed_hashprice",
        }
    )
    assert settings.guards_plant
    assert settings.plant.return_temperature_entity == "sensor.loop_return"
    assert settings.safety.stale_after == timedelta(minutes=3)
    assert settings.safety.fallback is SensorFallback.MINIMUM
    assert settings.dispatch.over_temperature_c == settings.safety.over_temperature_c == 60
    assert settings.dispatch.protection.min_off_s == 15 * 60
    assert settings.dispatch.protection.max_starts_per_day == 6
    assert settings.plant.revenue_source.uses_hashprice
    assert not settings.plant.revenue_source.needs_network


def test_unknown_stored_choices_fall_back_to_the_defaults() -> None:
    """A value written by another version of HashHeat does not break the site's setup."""
    settings = SiteSettings.from_options(
        {CONF_REVENUE_SOURCE: "lightning", CONF_SENSOR_FALLBACK: "panic"}
    )
    assert settings.plant.revenue_source is RevenueSource.NETWORK
    assert settings.safety.fallback is SensorFallback.STOP


def test_the_plan_settings_default_to_an_oil_tank_and_parse_what_the_options_say() -> None:
    defaults = SiteSettings.from_options({}).plan
    assert (defaults.tank_volume_l, defaults.tank_fluid) == (600.0, Fluid.DIELECTRIC_OIL)
    assert defaults.weather_entity is None
    assert defaults.dry_cooler_entity is None
    chosen = SiteSettings.from_options(
        {
            "tank_volume_l": 1200,
            "tank_fluid": "no such fluid",
            "weather_entity": "weather.home",
            "dry_cooler_entity": "",
        }
    ).plan
    assert chosen.tank_volume_l == 1200.0
    assert chosen.tank_fluid is Fluid.DIELECTRIC_OIL  # a value it does not know: the default
    assert chosen.weather_entity == "weather.home"
    assert chosen.dry_cooler_entity is None
