"""HTTP server of a simulated site: plant sensors, pump, electricity price and network data.

What a building's own systems would publish, in JSON that Home Assistant's RESTful integration
reads (``rest:`` sensors, a ``switch: platform: rest`` for the pump):

* ``GET /plant``: the plant's sensor readings (temperatures with sensor noise), the loop flow,
  the pump, the miners' power and the heat moved into the loop;
* ``GET /pump``, ``POST /pump`` with ``{"on": true|false}``: the loop pump;
* ``GET /price``: the electricity price now and an hourly day-ahead forecast for today and
  tomorrow in the ENTSO-e sensor's ``prices`` format (``[{"time": iso, "price": EUR/kWh}]``);
* the mempool API paths of :mod:`sim.mempool_api` (fixed Bitcoin network figures).
"""

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from aiohttp import web

from sim.day_ahead import day_ahead_prices, price_at
from sim.mempool_api import NetworkFigures, add_mempool_routes
from sim.site import SiteSimulation

__all__ = ["PRICE_UNIT", "build_app", "plant_json", "price_json"]

PRICE_UNIT = "EUR/kWh"
_M3_PER_S_TO_M3_PER_H = 3600.0


def plant_json(site: SiteSimulation) -> dict[str, Any]:
    """The plant's sensor readings now (after advancing it to now)."""
    site.advance()
    readings = site.plant.measure()
    return {
        "tank_c": round(readings.tank_c, 2),
        "supply_c": round(readings.supply_c, 2),
        "return_c": round(readings.return_c, 2),
        "indoor_c": round(readings.indoor_c, 2),
        "outdoor_c": round(readings.outdoor_c, 2),
        "flow_m3_per_h": round(readings.flow_m3_per_s * _M3_PER_S_TO_M3_PER_H, 3),
        "pump_on": site.pump_on,
        "miner_power_w": round(site.miner_power_w),
        "heat_to_loop_w": round(site.plant.heat_to_loop_w),
        "heat_delivered_w": round(site.plant.heat_delivered_w),
        "heat_demand_w": round(site.plant.heat_demand_w),
    }


def price_json(now: datetime, zone: tzinfo) -> dict[str, Any]:
    """The price now and the forecast for today and tomorrow (local days in ``zone``)."""
    return {
        "price": price_at(now.astimezone(zone)),
        "unit": PRICE_UNIT,
        "prices": [
            {"time": start.isoformat(), "price": price}
            for start, price in day_ahead_prices(now, zone)
        ],
    }


def build_app(
    site: SiteSimulation,
    zone: tzinfo,
    *,
    figures: NetworkFigures | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> web.Application:
    """The site's web application (serve it with :class:`aiohttp.web.AppRunner`)."""
    app = web.Application()

    async def plant(_: web.Request) -> web.Response:
        return web.json_response(plant_json(site))

    async def pump(request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                body = await request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("on"), bool):
                raise web.HTTPBadRequest(text='expected {"on": true|false}')
            site.advance()  # the time so far ran with the pump as it was
            site.pump_on = body["on"]
        return web.json_response({"on": site.pump_on})

    async def price(_: web.Request) -> web.Response:
        return web.json_response(price_json(now(), zone))

    app.router.add_get("/plant", plant)
    app.router.add_get("/pump", pump)
    app.router.add_post("/pump", pump)
    app.router.add_get("/price", price)
    add_mempool_routes(app, figures or NetworkFigures())
    return app
