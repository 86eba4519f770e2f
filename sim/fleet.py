"""Simulated miners bound to loopback addresses, singly or as a fleet (every firmware family)."""

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Self

from sim.families import (
    AnyModel,
    Firmware,
    choose_model,
    firmware_of,
    identity_for,
    resolve_model,
)
from sim.faults import Faults
from sim.firmware.avalon.api import AvalonApi
from sim.firmware.avalon.device import AvalonDevice
from sim.firmware.avalon.models import AvalonModel
from sim.firmware.avalon.web import AvalonWebServer
from sim.firmware.braiins.api import BraiinsRpcApi
from sim.firmware.braiins.device import BraiinsDevice
from sim.firmware.braiins.grpc import GrpcServer
from sim.firmware.braiins.models import BraiinsModel
from sim.firmware.luxos.api import LuxosApi
from sim.firmware.vnish.api import VNishRpcApi
from sim.firmware.vnish.device import VNishDevice
from sim.firmware.vnish.models import VNishModel
from sim.firmware.vnish.web import HttpFraming, VNishWebApi
from sim.firmware.whatsminer.api import WhatsminerRpcApi, WhatsminerV3Api
from sim.firmware.whatsminer.device import WhatsminerDevice
from sim.firmware.whatsminer.models import WhatsminerModel
from sim.physics import Clock, ManualClock, MinerState, monotonic_time
from sim.server import LengthPrefixedFraming, MinerServer, Port

__all__ = [
    "DEFAULT_PORT",
    "Fleet",
    "SimulatedMiner",
    "loopback_addresses",
    "resolve_model",
    "start_fleet",
]

DEFAULT_PORT = 4028
WHATSMINER_V3_PORT = 4433
VNISH_WEB_PORT = 80
BRAIINS_GRPC_PORT = 50051
_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
_LAST_OCTET_SKIP = {0, 255}


def loopback_addresses(first: str, count: int) -> list[str]:
    """Return ``count`` consecutive 127.x.y.z addresses from ``first``, skipping .0 and .255."""
    start = ipaddress.IPv4Address(first)
    if start not in _LOOPBACK:
        raise ValueError(f"{first} is not a 127.x.y.z loopback address")
    result: list[str] = []
    current = int(start)
    while len(result) < count:
        address = ipaddress.IPv4Address(current)
        if address not in _LOOPBACK:
            raise ValueError(f"{count} addresses from {first} run past 127.255.255.254")
        if current & 0xFF not in _LAST_OCTET_SKIP:
            result.append(str(address))
        current += 1
    return result


class SimulatedMiner:
    """One miner: physics (``state``), firmware API, TCP server and ``faults``.

    ``model`` picks the miner (a model object or a name like ``"Antminer S19 XP"`` or
    ``"Avalon Mini3"``) and with it the firmware family; ``firmware`` ("luxos" or
    "avalon") alone picks that family's default model (S19 XP, Avalon Mini3). Use
    ``async with SimulatedMiner("127.42.0.1") as miner`` or ``start()``/``stop()``.

    Avalon miners ignore ``session_timeout`` and ``atm_enabled``; their ``profile`` is a
    work level (``"0"``, ``"-1"``) or ``"default"``. ``web_port`` (Avalon only) also
    serves the web page pyasic reads an Avalon Mini 3's MAC from. A Whatsminer also serves
    API v3 on port 4433 (``v3_port``); its writes need ``password`` (default: the firmware's,
    "super"). A VNish miner serves its web API on ``web_port`` (default 80), unlocked with
    ``password`` (default "admin"). A Braiins OS+ miner serves gRPC on ``grpc_port`` (default
    50051), logged in to with ``password`` (default "root").
    """

    def __init__(  # noqa: PLR0913
        self,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        model: AnyModel | str | None = None,
        firmware: Firmware | str | None = None,
        clock: Clock = monotonic_time,
        seed: int = 0,
        profile: str = "default",
        fluid_temp_c: float = 40.0,
        retune_seconds: float = 45.0,
        warmup_seconds: float = 60.0,
        reboot_seconds: float = 90.0,
        restart_seconds: float = 5.0,
        noise: float = 0.01,
        session_timeout: float | None = 60.0,
        atm_enabled: bool = False,
        web_port: int | None = None,
        v3_port: int = WHATSMINER_V3_PORT,
        password: str | None = None,
        grpc_port: int = BRAIINS_GRPC_PORT,
    ) -> None:
        """Build the miner; nothing listens until :meth:`start`."""
        self.host = host
        self.port = port
        self.model: AnyModel = choose_model(model, firmware)
        self.firmware = firmware_of(self.model)
        if isinstance(self.model, AvalonModel) and profile == "default":
            profile = str(self.model.default_level)
        if isinstance(self.model, VNishModel) and profile == "default":
            profile = str(self.model.default_watts)
        self.state = MinerState(
            self.model,
            clock=clock,
            seed=seed,
            profile=profile,
            fluid_temp_c=fluid_temp_c,
            retune_seconds=retune_seconds,
            warmup_seconds=warmup_seconds,
            reboot_seconds=reboot_seconds,
            restart_seconds=restart_seconds,
            noise=noise,
        )
        self.faults = Faults()
        self.identity = identity_for(host, self.model)
        self.api: LuxosApi | AvalonApi | WhatsminerRpcApi | VNishRpcApi | BraiinsRpcApi
        self.avalon: AvalonDevice | None = None
        self.whatsminer: WhatsminerDevice | None = None
        self.vnish: VNishDevice | None = None
        self.braiins: BraiinsDevice | None = None
        self.web: AvalonWebServer | None = None
        # Further ports of the same miner; they follow its faults like the 4028 one.
        self.side_servers: list[Port] = []
        if isinstance(self.model, AvalonModel):
            self.avalon = AvalonDevice.create(self.state, self.model, self.identity)
            self.api = AvalonApi(self.avalon, self.faults)
        elif isinstance(self.model, WhatsminerModel):
            self.api = self._whatsminer(self.model, v3_port, password)
        elif isinstance(self.model, VNishModel):
            self.api = self._vnish(self.model, web_port or VNISH_WEB_PORT, password)
        elif isinstance(self.model, BraiinsModel):
            self.api = self._braiins(self.model, grpc_port, password)
        else:
            self.api = LuxosApi(
                self.state,
                self.identity,
                self.faults,
                session_timeout=session_timeout,
                atm_enabled=atm_enabled,
            )
        self.server = MinerServer(host, port, self.api, self.faults)
        for server in (self.server, *self.side_servers):
            server.after_connection = self._sync
        self._unlisten: Callable[[], None] | None = None
        if self.avalon is not None and web_port is not None:
            self.web = AvalonWebServer(host, web_port, self.avalon, lambda: self.server.listening)

    def _whatsminer(
        self, model: WhatsminerModel, port: int, password: str | None
    ) -> WhatsminerRpcApi:
        device = self.whatsminer = WhatsminerDevice(self.state, model, self.identity)
        device.password = password or device.password
        v3 = WhatsminerV3Api(device, self.faults)
        framing = LengthPrefixedFraming()
        self.side_servers.append(MinerServer(self.host, port, v3, self.faults, framing=framing))
        return WhatsminerRpcApi(device, self.faults)

    def _vnish(self, model: VNishModel, port: int, password: str | None) -> VNishRpcApi:
        device = self.vnish = VNishDevice(self.state, model, self.identity)
        device.password = password or device.password
        web = VNishWebApi(device, self.faults)
        self.side_servers.append(
            MinerServer(self.host, port, web, self.faults, framing=HttpFraming())
        )
        return VNishRpcApi(device, self.faults)

    def _braiins(self, model: BraiinsModel, port: int, password: str | None) -> BraiinsRpcApi:
        device = self.braiins = BraiinsDevice(self.state, model, self.identity)
        device.password = password or device.password
        self.side_servers.append(GrpcServer(self.host, port, device, self.faults))
        return BraiinsRpcApi(device, self.faults)

    def __repr__(self) -> str:
        """Show address, model, mode and faults."""
        where = f"{self.host}:{self.port}"
        return f"SimulatedMiner({where}, {self.model.name}, {self.state.mode}, {self.faults!r})"

    @property
    def requests(self) -> int:
        """Requests read so far on all of the miner's API ports."""
        return sum(server.requests for server in (self.server, *self.side_servers))

    @property
    def open_connections(self) -> int:
        """Connections open on all of the miner's API ports (a hung miner keeps them open)."""
        return sum(server.open_connections for server in (self.server, *self.side_servers))

    @property
    def fluid_temp_c(self) -> float:
        """Immersion fluid temperature in degrees Celsius."""
        return self.state.fluid_temp_c

    @fluid_temp_c.setter
    def fluid_temp_c(self, value: float) -> None:
        self.state.fluid_temp_c = value

    @property
    def work_level(self) -> int:
        """Avalon only: the power level in force (``worklevel`` on a Mini 3, ``workmode`` on a Q).

        Raises TypeError on any other miner (use ``state.profile``).
        """
        return self._avalon_device().work_level

    def set_work_level(self, level: int) -> None:
        """Avalon only: what ``ascset|0,worklevel,set,<level>`` does (retunes).

        Raises KeyError for a level the model does not have, TypeError on a LuxOS miner.
        """
        state = self._avalon_device().state
        state.select(state.get_profile(str(level)))

    def _avalon_device(self) -> AvalonDevice:
        if self.avalon is None:
            raise TypeError(f"{self.model.name} runs {self.firmware.value}: no work levels")
        return self.avalon

    def expire_session(self) -> None:
        """Invalidate the LuxOS session; the next privileged command with it fails.

        Does nothing on an Avalon (no sessions).
        """
        self.api.expire_session()

    async def start(self) -> None:
        """Start listening; raises :class:`SimulatorBindError` when the bind fails.

        On a :class:`ManualClock` the socket follows each step of the clock at once (a reboot
        ends, the miner listens again); on other clocks it looks every 50 ms.
        """
        started: list[Port] = []
        try:
            for server in (self.server, *self.side_servers):
                await server.start()
                started.append(server)
            if self.web is not None:
                await self.web.start()
        except BaseException:
            for server in reversed(started):
                await server.stop()
            raise
        if isinstance(self.state.clock, ManualClock):
            self._unlisten = self.state.clock.add_listener(self._sync)

    def _sync(self) -> None:
        for server in (self.server, *self.side_servers):
            server.sync()

    async def stop(self) -> None:
        """Stop listening and drop connections."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self.web is not None:
            await self.web.stop()
        for server in (*self.side_servers, self.server):
            await server.stop()

    async def __aenter__(self) -> Self:
        """Start the miner."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the miner."""
        await self.stop()


class Fleet:
    """A group of simulated miners started and stopped together."""

    def __init__(self, miners: list[SimulatedMiner]) -> None:
        """Wrap already-built miners; call :meth:`start` or use ``async with``."""
        self.miners = miners

    @property
    def hosts(self) -> list[str]:
        """The miners' addresses, in order."""
        return [m.host for m in self.miners]

    def __len__(self) -> int:
        """Return the number of miners."""
        return len(self.miners)

    def __iter__(self) -> Iterator[SimulatedMiner]:
        """Iterate over the miners."""
        return iter(self.miners)

    def __getitem__(self, index: int) -> SimulatedMiner:
        """Return the miner at ``index``."""
        return self.miners[index]

    def by_host(self, host: str) -> SimulatedMiner:
        """Return the miner listening on ``host``; raise KeyError if none."""
        for miner in self.miners:
            if miner.host == host:
                return miner
        raise KeyError(host)

    async def start(self) -> None:
        """Start every miner; on a bind failure stop those already started and re-raise."""
        started: list[SimulatedMiner] = []
        try:
            for miner in self.miners:
                await miner.start()
                started.append(miner)
        except BaseException:
            for miner in started:
                await miner.stop()
            raise

    async def stop(self) -> None:
        """Stop every miner."""
        for miner in self.miners:
            await miner.stop()

    async def __aenter__(self) -> Self:
        """Start the fleet."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the fleet."""
        await self.stop()


def start_fleet(  # noqa: PLR0913
    count: int,
    first_address: str = "127.42.0.1",
    *,
    port: int = DEFAULT_PORT,
    model: AnyModel | str | None = None,
    firmware: Firmware | str | None = None,
    models: Sequence[AnyModel | str] | None = None,
    clock: Clock = monotonic_time,
    seed: int = 0,
    profile: str = "default",
    fluid_temp_c: float = 40.0,
    retune_seconds: float = 45.0,
    warmup_seconds: float = 60.0,
    reboot_seconds: float = 90.0,
    restart_seconds: float = 5.0,
    noise: float = 0.01,
    session_timeout: float | None = 60.0,
    atm_enabled: bool = False,
    web_port: int | None = None,
) -> Fleet:
    """Build a fleet of ``count`` miners on consecutive loopback addresses.

    Use as ``async with start_fleet(count=3) as fleet:`` (or ``await fleet.start()``).
    Miner ``i`` gets seed ``seed + i`` so the boards' noise differs between miners.
    ``models`` mixes families: miner ``i`` runs ``models[i % len(models)]``, e.g.
    ``models=["Antminer S19 XP", "Avalon Mini3"]`` alternates LuxOS and Avalon.
    Otherwise every miner runs ``model`` (or ``firmware``'s default model).
    """
    if models is not None and (not models or model is not None or firmware is not None):
        raise ValueError("give models (at least one) or model/firmware, not both")
    chosen = [resolve_model(m) for m in models] if models else [choose_model(model, firmware)]
    return Fleet(
        [
            SimulatedMiner(
                host,
                port=port,
                model=chosen[i % len(chosen)],
                clock=clock,
                seed=seed + i,
                profile=profile,
                fluid_temp_c=fluid_temp_c,
                retune_seconds=retune_seconds,
                warmup_seconds=warmup_seconds,
                reboot_seconds=reboot_seconds,
                restart_seconds=restart_seconds,
                noise=noise,
                session_timeout=session_timeout,
                atm_enabled=atm_enabled,
                web_port=web_port,
            )
            for i, host in enumerate(loopback_addresses(first_address, count))
        ],
    )
