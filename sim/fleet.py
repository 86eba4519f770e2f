"""Simulated miners bound to loopback addresses, singly or as a fleet."""

import ipaddress
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Self

from sim.faults import Faults
from sim.luxos_api import LuxosApi
from sim.luxos_replies import Identity
from sim.physics import MODELS, S19XP, Clock, MinerModel, MinerState
from sim.server import MinerServer

DEFAULT_PORT = 4028
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


def resolve_model(model: MinerModel | str) -> MinerModel:
    """Accept a :class:`MinerModel` or a model name such as ``"Antminer S19 XP"``."""
    if isinstance(model, MinerModel):
        return model
    try:
        return MODELS[model]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ValueError(f"unknown model {model!r}; known: {known}") from None


class SimulatedMiner:
    """One LuxOS miner: physics (``state``), API, TCP server and ``faults``.

    Use ``async with SimulatedMiner("127.42.0.1") as miner`` or ``start()``/``stop()``.
    """

    def __init__(  # noqa: PLR0913
        self,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        model: MinerModel | str = S19XP,
        clock: Clock = time.monotonic,
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
    ) -> None:
        """Build the miner; nothing listens until :meth:`start`."""
        self.host = host
        self.port = port
        self.state = MinerState(
            resolve_model(model),
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
        packed = ipaddress.IPv4Address(host).packed
        self.identity = Identity(
            host=host,
            mac="02:48:48:{:02x}:{:02x}:{:02x}".format(*packed[1:]),
            hostname=f"luxos-{host.replace('.', '-')}",
            serial=f"HHSIM{int.from_bytes(packed[1:], 'big'):08d}",
        )
        self.api = LuxosApi(
            self.state,
            self.identity,
            self.faults,
            session_timeout=session_timeout,
            atm_enabled=atm_enabled,
        )
        self.server = MinerServer(host, port, self.api, self.faults)

    def __repr__(self) -> str:
        """Show address, mode and faults."""
        return f"SimulatedMiner({self.host}:{self.port}, {self.state.mode}, {self.faults!r})"

    @property
    def fluid_temp_c(self) -> float:
        """Immersion fluid temperature in degrees Celsius."""
        return self.state.fluid_temp_c

    @fluid_temp_c.setter
    def fluid_temp_c(self, value: float) -> None:
        self.state.fluid_temp_c = value

    def expire_session(self) -> None:
        """Invalidate the LuxOS session; the next privileged command with it fails."""
        self.api.expire_session()

    async def start(self) -> None:
        """Start listening; raises :class:`SimulatorBindError` when the bind fails."""
        await self.server.start()

    async def stop(self) -> None:
        """Stop listening and drop connections."""
        await self.server.stop()

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
    model: MinerModel | str = S19XP,
    clock: Clock = time.monotonic,
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
) -> Fleet:
    """Build a fleet of ``count`` miners on consecutive loopback addresses.

    Use as ``async with start_fleet(count=3) as fleet:`` (or ``await fleet.start()``).
    Miner ``i`` gets seed ``seed + i`` so the boards' noise differs between miners.
    """
    return Fleet(
        [
            SimulatedMiner(
                host,
                port=port,
                model=model,
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
            )
            for i, host in enumerate(loopback_addresses(first_address, count))
        ],
    )
