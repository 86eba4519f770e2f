"""Fluid sensors watched against their limits: units, warnings, unavailable sensors, restarts."""

import pytest

from custom_components.hashheat.domain.fluid_limits import (
    Bound,
    FluidInput,
    FluidSensor,
    FluidWatch,
    in_quantity_unit,
    unit_accepted,
)
from custom_components.hashheat.domain.health import HealthStatus

LEVEL = FluidSensor(kind=FluidInput.LEVEL, entity_id="sensor.oil_level", limit=90.0)
MOISTURE = FluidSensor(kind=FluidInput.MOISTURE, entity_id="sensor.oil_water", limit=50.0)


@pytest.mark.parametrize(
    ("kind", "value", "unit", "expected"),
    [
        (FluidInput.LEVEL, 93.0, "%", 93.0),
        (FluidInput.LEVEL, 0.9, "m", None),
        (FluidInput.MOISTURE, 42.0, "ppm", 42.0),
        (FluidInput.MOISTURE, 0.005, "%", 50.0),  # % by mass: 10 000 ppm each
        (FluidInput.QUALITY, 45.0, "kV", 45.0),
        (FluidInput.QUALITY, 28_000.0, "V", 28.0),
        (FluidInput.QUALITY, 45.0, None, None),
    ],
)
def test_readings_in_the_quantitys_unit(
    kind: FluidInput, value: float, unit: str | None, expected: float | None
) -> None:
    assert unit_accepted(kind, unit) is (expected is not None)
    converted = in_quantity_unit(kind, value, unit)
    assert converted == (None if expected is None else pytest.approx(expected))


def test_each_quantity_warns_on_its_own_side() -> None:
    assert LEVEL.settings.low == 90.0
    assert LEVEL.settings.high is None
    assert MOISTURE.settings.high == 50.0
    assert MOISTURE.settings.low is None


def test_a_sustained_excursion_warns_and_an_unavailable_sensor_is_unknown_not_cleared() -> None:
    watch = FluidWatch(sensors={FluidInput.LEVEL: LEVEL})
    watch.record(0.0, {FluidInput.LEVEL: 95.0})
    report = watch.report(FluidInput.LEVEL, 0.0)
    assert report is not None
    assert (report.value, report.limit, report.bound) == (95.0, 90.0, Bound.LOW)
    assert report.status is HealthStatus.OK
    watch.record(60.0, {FluidInput.LEVEL: 85.0})
    assert getattr(watch.report(FluidInput.LEVEL, 300.0), "status", None) is HealthStatus.OK
    watch.record(700.0, {FluidInput.LEVEL: 84.0})
    assert getattr(watch.report(FluidInput.LEVEL, 700.0), "status", None) is HealthStatus.WARNING

    # Unavailable: unknown value and status, and the excursion is neither forgotten nor cleared.
    watch.record(760.0, {})
    unknown = watch.report(FluidInput.LEVEL, 760.0)
    assert unknown is not None
    assert (unknown.value, unknown.status) == (None, None)
    watch.record(820.0, {FluidInput.LEVEL: 84.5})
    assert getattr(watch.report(FluidInput.LEVEL, 820.0), "status", None) is HealthStatus.WARNING

    watch.record(880.0, {FluidInput.LEVEL: 92.0})
    assert getattr(watch.report(FluidInput.LEVEL, 880.0), "status", None) is HealthStatus.OK
    assert watch.report(FluidInput.MOISTURE, 880.0) is None  # not configured


def test_a_restart_keeps_the_excursion_of_the_same_sensor_only() -> None:
    watch = FluidWatch(sensors={FluidInput.MOISTURE: MOISTURE})
    watch.record(0.0, {FluidInput.MOISTURE: 70.0})
    stored = watch.as_dict()

    restored = FluidWatch.from_dict({FluidInput.MOISTURE: MOISTURE}, stored)
    # The reading now is read again after a restart: unknown until then.
    assert getattr(restored.report(FluidInput.MOISTURE, 700.0), "status", None) is None
    restored.record(700.0, {FluidInput.MOISTURE: 72.0})
    assert (
        getattr(restored.report(FluidInput.MOISTURE, 700.0), "status", None) is HealthStatus.WARNING
    )

    other = FluidSensor(kind=FluidInput.MOISTURE, entity_id="sensor.new_probe", limit=50.0)
    replaced = FluidWatch.from_dict({FluidInput.MOISTURE: other}, stored)
    replaced.record(700.0, {FluidInput.MOISTURE: 72.0})
    assert getattr(replaced.report(FluidInput.MOISTURE, 700.0), "status", None) is HealthStatus.OK
    assert FluidWatch.from_dict({}, {"fluid_level": "damaged"}).detectors == {}
