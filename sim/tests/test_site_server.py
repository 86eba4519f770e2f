"""The site's HTTP server, read the way Home Assistant and HashHeat read it."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from custom_components.hashheat.domain.price_forecast import (
    TariffSource,
    current_slot,
    detect_source,
    parse_entsoe,
)
from custom_components.hashheat.mempool import fetch_network_stats
from sim import ManualClock, SimulatedMiner, mild
from sim.day_ahead import HOURLY_SHAPE, day_ahead_prices, price_at
from sim.site import SiteSimulation
from sim.site_server import build_app

type Client = TestClient[web.Request, web.Application]

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)  # 18:30 in Berlin


@pytest.fixture
def site() -> SiteSimulation:
    clock = ManualClock()
    miner = SimulatedMiner("127.0.0.1", clock=clock, noise=0.0)
    return SiteSimulation(mild(noise_k=0.0).plant, [miner], clock=clock)


@pytest.fixture
async def client(site: SiteSimulation) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_app(site, BERLIN, now=lambda: NOW))) as running:
        yield running


async def test_plant_readings(client: Client) -> None:
    response = await client.get("/plant")
    assert response.status == 200
    data = await response.json()
    assert set(data) == {
        "tank_c",
        "supply_c",
        "return_c",
        "indoor_c",
        "outdoor_c",
        "flow_m3_per_h",
        "pump_on",
        "miner_power_w",
        "heat_to_loop_w",
        "heat_delivered_w",
        "heat_demand_w",
    }
    assert data["miner_power_w"] == 3010
    assert data["pump_on"] is True
    assert data["flow_m3_per_h"] == pytest.approx(1.008)
    assert 44 < data["tank_c"] < 46
    assert data["return_c"] < data["supply_c"] < data["tank_c"]


async def test_pump_switch(client: Client, site: SiteSimulation) -> None:
    response = await client.post("/pump", json={"on": False})
    assert await response.json() == {"on": False}
    assert not site.pump_on
    assert (await (await client.get("/plant")).json())["flow_m3_per_h"] == 0.0
    assert await (await client.get("/pump")).json() == {"on": False}
    await client.post("/pump", json={"on": True})
    assert site.pump_on
    for bad in ({"on": "yes"}, [True]):
        assert (await client.post("/pump", json=bad)).status == 400
    assert (await client.post("/pump", data=b"not json")).status == 400


async def test_price_forecast_is_an_entsoe_sensor_forecast(
    client: Client,
) -> None:
    data = await (await client.get("/price")).json()
    assert data["unit"] == "EUR/kWh"
    attributes = {"prices": data["prices"]}
    assert detect_source(attributes) is TariffSource.ENTSOE
    slots = parse_entsoe(attributes, unit=data["unit"])
    assert len(slots) == 48
    assert slots[0].start == datetime(2026, 1, 14, 23, tzinfo=UTC)  # Berlin midnight
    slot = current_slot(slots, NOW)
    assert slot is not None
    assert slot.price_per_kwh == data["price"] == price_at(NOW.astimezone(BERLIN))


def test_day_ahead_prices_follow_local_days() -> None:
    assert len(HOURLY_SHAPE) == 24
    assert len(day_ahead_prices(NOW, BERLIN)) == 48
    # 29 March 2026: clocks go forward, the day has 23 hours.
    spring = day_ahead_prices(datetime(2026, 3, 29, 12, tzinfo=UTC), BERLIN, days=1)
    assert len(spring) == 23
    assert [start.hour for start, _ in spring[:4]] == [0, 1, 3, 4]
    evening, noon = price_at(NOW.astimezone(BERLIN)), price_at(NOW.replace(hour=11))
    assert evening > noon  # evening peak, solar dip


async def test_mempool_paths_are_what_hashheat_reads(
    client: Client,
) -> None:
    base = str(client.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        stats = await fetch_network_stats(session, base_url=base, currency="EUR")
    assert stats.height == 925_000
    assert stats.difficulty == pytest.approx(1.5227e14, rel=1e-4)
    assert stats.fees_per_block_sats == pytest.approx(20_661_895)
    assert stats.btc_price == 87_321
