"""The README's template for a price source HashHeat does not list gives the generic shape.

The template is taken from the README as it stands and run by Home Assistant's template
integration, with Amber Electric's action answered the way homeassistant/components/amberelectric
builds its response (services.py, get_forecasts) and its price sensor's attributes as sensor.py
writes them; HashHeat's generic parser then reads the template sensor.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hashheat.domain.forecast_quality import forecast_problems, known_until
from custom_components.hashheat.domain.price_forecast import (
    TariffSource,
    current_slot,
    detect_source,
    parse_forecast,
)

README = Path(__file__).resolve().parent.parent / "README.md"
NOW = datetime(2026, 3, 28, 3, 7, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)
FIRST_END = datetime(2026, 3, 28, 3, 30, tzinfo=UTC)


def readme_template() -> dict[str, Any]:
    """The YAML block that follows the README's paragraph on unlisted sources."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**A price source HashHeat does not list**") :]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match is not None
    config: dict[str, Any] = yaml.safe_load(match.group(1))  # type: ignore[no-untyped-call]
    return config


def interval(end: datetime, per_kwh: float) -> dict[str, Any]:
    """One Amber interval as the integration lists it: starts a second after the previous end."""
    start = end - HALF_HOUR + timedelta(seconds=1)
    return {
        "duration": 30,
        "date": start.date().isoformat(),
        "nem_date": (end + timedelta(hours=10)).isoformat(),
        "per_kwh": per_kwh,
        "spot_per_kwh": 0.05,
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "renewables": 41,
        "spike_status": "none",
        "descriptor": "low",
    }


FORECASTS: list[Any] = [
    interval(FIRST_END + (i + 1) * HALF_HOUR, price) for i, price in enumerate([0.31, -0.02, 0.27])
]


# The template's time pattern has its next tick scheduled when the test ends.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_readme_template_gives_the_generic_shape(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(NOW)
    calls: list[dict[str, Any]] = []

    async def get_forecasts(call: ServiceCall) -> ServiceResponse:
        calls.append(dict(call.data))
        return {"forecasts": FORECASTS}

    hass.services.async_register(
        "amberelectric", "get_forecasts", get_forecasts, supports_response=SupportsResponse.ONLY
    )
    current = interval(FIRST_END, 0.22)
    hass.states.async_set(
        "sensor.home_general_price", "0.22", {**current, "unit_of_measurement": "$/kWh"}
    )
    assert await async_setup_component(hass, "template", readme_template())
    await hass.async_block_till_done()

    freezer.move_to(NOW.replace(minute=10))
    async_fire_time_changed(hass, NOW.replace(minute=10))
    await hass.async_block_till_done()

    assert calls == [{"config_entry_id": "01JXXXXXXXXXXXXXXXXXXXXXXX", "channel_type": "general"}]
    state = hass.states.get("sensor.amber_price_forecast")
    assert state is not None
    assert state.state == "0.22"
    attributes = state.attributes
    assert detect_source(attributes) is TariffSource.GENERIC
    slots = parse_forecast(TariffSource.GENERIC, attributes, unit=attributes["unit_of_measurement"])
    now = NOW.replace(minute=10)
    assert [slot.price_per_kwh for slot in slots] == [0.22, 0.31, -0.02, 0.27]
    assert slots[0].start == FIRST_END - HALF_HOUR
    slot = current_slot(slots, now)
    assert slot is not None
    assert slot.price_per_kwh == 0.22
    assert forecast_problems(slots, now) == set()
    assert known_until(slots, now) == FIRST_END + 3 * HALF_HOUR
