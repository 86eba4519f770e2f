"""Bring the demo up, keep it running until Ctrl-C (or SIGTERM), then stop all it started."""

import asyncio
import contextlib
import socket
import sys
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

import aiohttp

from demo.access import Access, read_access, write_access
from demo.auth import create_long_lived_token, sign_in
from demo.config_dir import prepare_config_dir
from demo.ha_api import HaApi
from demo.processes import Child, Children
from demo.seed_history import seed_history
from demo.settings import CONFIG_DIR, LOG_DIR, DemoSettings
from demo.site_setup import configure_site, disable_offline_entries, find_site
from demo.waiting import DemoError, wait_until
from sim.signals import stop_on_signals

__all__ = ["run_demo"]

HA_START_TIMEOUT = 300.0
LIVE_TIMEOUT = 180.0


def say(text: str) -> None:
    """One line for the person running the demo."""
    sys.stdout.write(f"[demo] {text}\n")
    sys.stdout.flush()


def _check_free(host: str, port: int, what: str) -> None:
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((host, port)) == 0:
            raise DemoError(f"{host}:{port} is already in use ({what}); is a demo already running?")


def simulator_command(settings: DemoSettings) -> list[str]:
    """``python -m sim site`` with the demo's site, spare miners and plant server."""
    return [
        sys.executable,
        "-m",
        "sim",
        "site",
        "--first-address",
        settings.miner_hosts[0],
        "--models",
        ",".join(settings.miner_models),
        "--spare-first-address",
        settings.spare_first_address,
        "--spare-count",
        str(settings.spare_count),
        "--scenario",
        settings.scenario,
        "--speed",
        f"{settings.speed:g}",
        "--time-zone",
        settings.time_zone,
        "--http-port",
        str(settings.sim_port),
        *(arg for degradation in settings.degradations for arg in ("--degrade", degradation)),
    ]


def hass_command(settings: DemoSettings) -> list[str]:
    """Home Assistant on the demo's configuration; nothing installed at run time."""
    return [
        sys.executable,
        "-m",
        "homeassistant",
        "--config",
        str(CONFIG_DIR),
        "--skip-pip",
        "--log-no-color",
        *settings.extra_hass_args,
    ]


async def _answers(session: aiohttp.ClientSession, url: str) -> bool | None:
    async with session.get(url) as response:
        return True if response.status < 500 else None  # noqa: PLR2004 - any non-5xx answer


async def _token(session: aiohttp.ClientSession, settings: DemoSettings, access_token: str) -> str:
    """The long-lived token of access.json if it still works, else a new one."""
    if (known := read_access()) is not None and known.url == settings.ha_url:
        async with session.get(
            f"{settings.ha_url}/api/", headers={"Authorization": f"Bearer {known.token}"}
        ) as response:
            if response.status == 200:  # noqa: PLR2004
                return known.token
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return await create_long_lived_token(session, settings, access_token, f"HashHeat demo {stamp}")


async def _live(api: HaApi, settings: DemoSettings) -> bool | None:
    """Whether the site shows live values: miners' power and the loop's temperature."""
    power = await api.numeric_state(f"sensor.{settings.entity_prefix}_power")
    loop = await api.state(f"climate.{settings.entity_prefix}_loop")
    current = None if loop is None else loop["attributes"].get("current_temperature")
    return True if power is not None and current is not None else None


async def _bring_up(
    children: Children,
    session: aiohttp.ClientSession,
    settings: DemoSettings,
    *,
    fresh: bool,
    started_at: float,
) -> None:
    _check_free(settings.ha_host, settings.ha_port, "Home Assistant")
    _check_free("127.0.0.1", settings.sim_port, "the simulated site's HTTP server")
    known = prepare_config_dir(settings, fresh=fresh)
    say(f"configuration in {CONFIG_DIR} ({'kept from before' if known else 'new'})")
    await children.start("simulator", simulator_command(settings), LOG_DIR / "simulator.log")
    await wait_until(
        "the simulated site",
        lambda: _answers(session, f"{settings.sim_url}/plant"),
        timeout=30,
    )
    say(f"simulated site up: {', '.join(settings.miner_hosts)}; plant at {settings.sim_url}")
    await children.start("Home Assistant", hass_command(settings), LOG_DIR / "hass.log")
    await wait_until(
        "Home Assistant's web server",
        lambda: _answers(session, f"{settings.ha_url}/manifest.json"),
        timeout=HA_START_TIMEOUT,
    )
    access_token, onboarded_now = await sign_in(session, settings)
    say("onboarding done" if onboarded_now else f"signed in as {settings.username}")
    api = HaApi(session, settings.ha_url, access_token)
    await wait_until(
        "Home Assistant running",
        lambda: _state_running(api),
        timeout=HA_START_TIMEOUT,
    )
    known_site = await find_site(api, settings.site_name) is not None
    entry_id = await configure_site(api, settings)
    say(f"site {settings.site_name!r} configured (entry {entry_id})")
    if not known_site:
        hours = await seed_history(session, api, settings, entry_id)
        say(f"recorder seeded with {hours // 24} days of simulated demo history")
    if disabled := await disable_offline_entries(api, session):
        say(f"disabled what cannot work offline: {', '.join(disabled)}")
    token = await _token(session, settings, access_token)
    write_access(
        Access(
            url=settings.ha_url,
            token=token,
            username=settings.username,
            password=settings.password,
            spare_subnet=settings.spare_subnet,
        )
    )
    await wait_until("live values", lambda: _live(api, settings), timeout=LIVE_TIMEOUT)
    elapsed = time.time() - started_at
    say(f"live values {elapsed:.0f} s after start")
    say(f"open {settings.ha_url}/hashheat-demo  login: {settings.username} / {settings.password}")
    say("press Ctrl-C to stop")


async def _state_running(api: HaApi) -> bool | None:
    config = await api.get("/api/config")
    return True if config.get("state") == "RUNNING" else None


async def _until_done(
    work: Coroutine[Any, Any, object], stop: asyncio.Event, children: Children
) -> bool:
    """Run ``work`` until it ends, ``stop`` is set or a child exits; True if it completed."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    exited = asyncio.ensure_future(children.first_exit())
    waits: set[asyncio.Future[Any]] = {task, stopper, exited}
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future in waits:
            future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if task in done:
        task.result()
        return True
    if exited in done:
        child: Child = exited.result()
        raise DemoError(
            f"{child.name} exited with code {child.process.returncode}; "
            f"its log ({child.log}) ends:\n{child.tail()}"
        )
    return False


async def run_demo(settings: DemoSettings, *, fresh: bool, started_at: float) -> int:
    """Run the demo until Ctrl-C or SIGTERM; 0, or 1 when it could not come up."""
    stop = asyncio.Event()
    try:
        with stop_on_signals(stop):
            async with Children() as children, aiohttp.ClientSession() as session:
                work = _bring_up(children, session, settings, fresh=fresh, started_at=started_at)
                # Processes are started inside the work, so race against their exit as well.
                if await _until_done(work, stop, children):
                    await _until_done(stop.wait(), stop, children)
                say("stopping Home Assistant and the simulator")
    except DemoError as err:
        say(f"error: {err}")
        return 1
    say("stopped")
    return 0
