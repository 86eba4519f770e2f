"""Braiins OS+'s gRPC API (HTTP/2 cleartext, port 50051), built on pyasic's betterproto services.

``AuthenticationService/Login`` checks root's password and sends the session token back in the
``authorization`` initial metadata; every other call but ``ApiVersion`` needs that token in its
``authorization`` metadata (``UNAUTHENTICATED`` otherwise, as the firmware answers). The socket
follows the miner's faults: closed while offline or rebooting; a hang never answers; garbage or a
cut reply fails the call (``DATA_LOSS``); refused writes are ``PERMISSION_DENIED``.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any

import grpclib.const
from grpclib import GRPCError
from grpclib.const import Handler, Status
from grpclib.protocol import H2Protocol
from grpclib.server import Server, Stream
from pyasic.web.braiins_os.proto.braiins.bos.v1 import (
    ActionsServiceBase,
    BosVersion,
    ConfigurationServiceBase,
    CoolingAutoMode,
    CoolingConfiguration,
    CoolingDisabledMode,
    CoolingServiceBase,
    GetCoolingStateResponse,
    GetHashboardsResponse,
    GetMinerConfigurationResponse,
    GetMinerDetailsResponse,
    GetMinerStatsResponse,
    GetPoolGroupsResponse,
    GigaHashrate,
    Hashboard,
    LocateDeviceStatusResponse,
    LoginRequest,
    LoginResponse,
    MinerIdentity,
    MinerPowerStats,
    MinerServiceBase,
    MinerStatus,
    PauseMiningResponse,
    PerformanceMode,
    PerformanceServiceBase,
    Pool,
    PoolGroup,
    PoolServiceBase,
    PoolStats,
    Power,
    PowerTargetMode,
    RealHashrate,
    RebootResponse,
    RestartResponse,
    ResumeMiningResponse,
    SetImmersionModeRequest,
    SetImmersionModeResponse,
    SetLocateDeviceStatusRequest,
    SetPowerTargetRequest,
    SetPowerTargetResponse,
    Temperature,
    TemperatureSensor,
    TunerPerformanceMode,
    WorkSolverStats,
)

from sim.faults import Faults
from sim.firmware.braiins.device import BraiinsDevice, CoolingLayout
from sim.firmware.braiins.models import BOS_VERSION
from sim.physics import Mode
from sim.server import bind_socket

MONITOR_INTERVAL = 0.05
# Turns of the event loop a reply is given to reach the caller before the socket closes: a socket
# closed with bytes from the caller still unread resets the connection, and the caller loses the
# reply it has not read yet.
_TURNS_TO_SEND_TRAILERS = 10
# What a call asked the miner to do once its reply is out (each call runs in a task of its own).
_GOING_DOWN: ContextVar[Callable[[], None] | None] = ContextVar("going_down", default=None)
_LOGIN = "/braiins.bos.v1.AuthenticationService/Login"
_PUBLIC = frozenset({_LOGIN, "/braiins.bos.v1.ApiVersionService/GetApiVersion"})
_WRITES = frozenset(
    {
        "SetPowerTarget",
        "PauseMining",
        "ResumeMining",
        "Reboot",
        "Restart",
        "SetLocateDeviceStatus",
        "SetImmersionMode",
    }
)
# The cooling configuration in each mode: immersion has no fan control and needs no fans; the
# fan mode (Braiins OS+'s default, auto) regulates the fans to a temperature and needs one.
_DISABLED = CoolingConfiguration(minimum_required_fans=0, disabled=CoolingDisabledMode())
# pyasic's messages lack the ``immersion`` (5) and ``hydro`` (6) modes of API 1.4.0+: their
# field goes on the wire as a field betterproto keeps unknown (each with its target temperature,
# ``CoolingImmersionMode.target_temperature`` = 3, as bos-plus-api 1.11.0's cooling.proto has it).
_NO_FAN_FIELDS = {CoolingLayout.IMMERSION: 5, CoolingLayout.HYDRO: 6}
_TARGET_TEMPERATURE = bytes(Temperature(degree_c=55.0))
_FAN_MODE = CoolingConfiguration(
    minimum_required_fans=1,
    auto=CoolingAutoMode(
        target_temperature=Temperature(degree_c=75.0),
        hot_temperature=Temperature(degree_c=90.0),
        dangerous_temperature=Temperature(degree_c=100.0),
    ),
)
type Call = Callable[[Stream[Any, Any]], Awaitable[None]]


def _giga(ghs: float) -> GigaHashrate:
    return GigaHashrate(gigahash_per_second=ghs)


class _Miner(MinerServiceBase):
    def __init__(self, device: BraiinsDevice) -> None:
        self.device = device

    async def get_miner_details(self, _request: object) -> GetMinerDetailsResponse:
        device, ident = self.device, self.device.identity
        snap = device.state.snapshot()
        paused = snap.mode is Mode.SLEEPING
        return GetMinerDetailsResponse(
            uid=ident.serial,
            miner_identity=MinerIdentity(
                name=device.model.antminer, miner_model=device.model.antminer
            ),
            bos_version=BosVersion(current=BOS_VERSION, major="25.01", bos_plus=True),
            hostname=ident.hostname,
            mac_address=ident.mac,
            sticker_hashrate=_giga(device.model.hashrate_ths * 1000),
            bosminer_uptime_s=snap.uptime_seconds,
            system_uptime_s=snap.uptime_seconds,
            status=MinerStatus(MinerStatus.PAUSED if paused else MinerStatus.NORMAL),
            serial_number=ident.serial,
        )

    async def get_miner_stats(self, _request: object) -> GetMinerStatsResponse:
        snap = self.device.state.snapshot()
        return GetMinerStatsResponse(
            miner_stats=WorkSolverStats(
                real_hashrate=RealHashrate(last_5_s=_giga(snap.hashrate_ghs)),
                nominal_hashrate=_giga(snap.ideal_hashrate_ghs),
            ),
            power_stats=MinerPowerStats(approximated_consumption=Power(watt=snap.watts)),
        )

    async def get_hashboards(self, _request: object) -> GetHashboardsResponse:
        device = self.device
        if not device.lists_boards:
            return GetHashboardsResponse()
        snap = device.state.snapshot()
        boards = []
        listed = list(snap.boards) + [snap.boards[-1]] * device.extra_boards
        for i, board in enumerate(listed):
            zeroed = i in device.zeroed_boards
            boards.append(
                Hashboard(
                    id=str(i + 1),
                    enabled=True,
                    chips_count=board.chips,
                    board_temp=Temperature(degree_c=0.0 if zeroed else float(max(board.pcb_temps))),
                    highest_chip_temp=TemperatureSensor(
                        temperature=Temperature(
                            degree_c=0.0 if zeroed else float(max(board.chip_temps))
                        )
                    ),
                    stats=WorkSolverStats(
                        real_hashrate=RealHashrate(
                            last_5_s=_giga(0.0 if zeroed else board.hashrate_ghs)
                        )
                    ),
                    serial_number=f"{device.identity.serial}B{i}",
                )
            )
        return GetHashboardsResponse(hashboards=boards)


class _Performance(PerformanceServiceBase):
    def __init__(self, device: BraiinsDevice) -> None:
        self.device = device

    async def get_active_performance_mode(self, _request: object) -> PerformanceMode:
        target = Power(watt=self.device.power_target)
        return PerformanceMode(
            tuner_mode=TunerPerformanceMode(power_target=PowerTargetMode(power_target=target))
        )

    async def set_power_target(self, request: SetPowerTargetRequest) -> SetPowerTargetResponse:
        applied = self.device.set_power_target(int(request.power_target.watt))
        return SetPowerTargetResponse(power_target=Power(watt=applied))


class _Cooling(CoolingServiceBase):
    def __init__(self, device: BraiinsDevice) -> None:
        self.device = device

    async def get_cooling_state(self, _request: object) -> GetCoolingStateResponse:
        hottest = max(max(b.chip_temps) for b in self.device.state.snapshot().boards)
        sensor = TemperatureSensor(temperature=Temperature(degree_c=float(hottest)))
        return GetCoolingStateResponse(fans=[], highest_temperature=sensor)  # immersion: no fans

    async def set_immersion_mode(
        self, request: SetImmersionModeRequest
    ) -> SetImmersionModeResponse:
        self.device.immersion = request.enable_immersion_mode
        return SetImmersionModeResponse(immersion_mode=self.device.immersion)


class _Pools(PoolServiceBase):
    def __init__(self, device: BraiinsDevice) -> None:
        self.device = device

    async def get_pool_groups(self, _request: object) -> GetPoolGroupsResponse:
        ident = self.device.identity
        snap = self.device.state.snapshot()
        alive = snap.mode is not Mode.SLEEPING
        # Shares as counted since boot; a pool always has stats (pyasic needs them).
        accepted = 1 + int(snap.uptime_seconds * snap.hashrate_ghs / 2000)
        stats = PoolStats(accepted_shares=accepted, last_difficulty=65536)
        pool = Pool(
            uid="1",
            url=ident.pool_url,
            user=ident.pool_user,
            enabled=True,
            alive=alive,
            active=alive,
            stats=stats,
        )
        return GetPoolGroupsResponse(pool_groups=[PoolGroup(name="default", pools=[pool])])


class _Configuration(ConfigurationServiceBase):
    def __init__(self, device: BraiinsDevice) -> None:
        self.device = device

    async def get_miner_configuration(self, _request: object) -> GetMinerConfigurationResponse:
        if not self.device.immersion:
            return GetMinerConfigurationResponse(temperature=_FAN_MODE)
        number = _NO_FAN_FIELDS.get(self.device.no_fan_layout)
        if number is None:
            return GetMinerConfigurationResponse(temperature=_DISABLED)
        cooling = CoolingConfiguration()
        mode = bytes([3 << 3 | 2, len(_TARGET_TEMPERATURE)]) + _TARGET_TEMPERATURE
        cooling._unknown_fields = bytes([number << 3 | 2, len(mode)]) + mode  # noqa: SLF001
        return GetMinerConfigurationResponse(temperature=cooling)


class _Actions(ActionsServiceBase):
    def __init__(self, device: BraiinsDevice) -> None:
        self.device = device

    async def pause_mining(self, _request: object) -> PauseMiningResponse:
        already = self.device.state.is_sleeping
        self.device.state.sleep()
        return PauseMiningResponse(already_paused=already)

    async def resume_mining(self, _request: object) -> ResumeMiningResponse:
        already = not self.device.state.is_sleeping
        self.device.state.wakeup()
        return ResumeMiningResponse(already_mining=already)

    async def restart(self, _request: object) -> RestartResponse:
        _GOING_DOWN.set(self.device.state.restart_miner)
        return RestartResponse()

    async def reboot(self, _request: object) -> RebootResponse:
        _GOING_DOWN.set(self.device.state.reboot)
        return RebootResponse()

    async def set_locate_device_status(
        self, request: SetLocateDeviceStatusRequest
    ) -> LocateDeviceStatusResponse:
        self.device.locating = bool(request.enable)
        return LocateDeviceStatusResponse(enabled=self.device.locating)

    async def get_locate_device_status(self, _request: object) -> LocateDeviceStatusResponse:
        return LocateDeviceStatusResponse(enabled=self.device.locating)


class _Server(Server):
    """A grpclib server that can drop its clients' connections, as a miner going down does."""

    def __init__(self, handlers: list[Any]) -> None:
        super().__init__(handlers)
        self.transports: list[asyncio.BaseTransport] = []

    def _protocol_factory(self) -> H2Protocol:
        protocol = super()._protocol_factory()
        made = protocol.connection_made

        def track(transport: asyncio.BaseTransport) -> None:
            self.transports.append(transport)
            made(transport)

        protocol.connection_made = track  # type: ignore[method-assign]
        return protocol

    def drop_connections(self) -> None:
        for transport in self.transports:
            transport.close()
        self.transports.clear()


class GrpcServer:
    """The gRPC port of one Braiins OS+ miner; listens while the miner is up."""

    def __init__(self, host: str, port: int, device: BraiinsDevice, faults: Faults) -> None:
        """Prepare the server; nothing is bound until :meth:`start`."""
        self.host = host
        self.port = port
        self.device = device
        self.faults = faults
        self.requests = 0
        self.open_connections = 0  # calls under way (a hung miner keeps them open)
        self.after_connection: Callable[[], None] = self.sync
        self._server: _Server | None = None
        self._running = False
        self._monitor: asyncio.Task[None] | None = None
        self._released = asyncio.Event()
        self._syncs: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> bool:
        """Whether the gRPC socket is open."""
        return self._server is not None

    async def start(self) -> None:
        """Bind and serve; raise :class:`SimulatorBindError` when binding fails."""
        self._running = True
        try:
            self.sync()
        except BaseException:
            self._running = False
            raise
        self._monitor = asyncio.create_task(self._watch(), name=f"sim-grpc-{self.host}")

    async def stop(self) -> None:
        """Close the socket and end every call."""
        self._running = False
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        for task in list(self._syncs):
            task.cancel()
        server = self._server
        self._close()
        if server is not None:
            await server.wait_closed()

    def sync(self) -> None:
        """Open or close the socket to match the miner."""
        want = self._running and not self.faults.offline and self.device.state.is_reachable
        if want and self._server is None:
            sock = bind_socket(self.host, self.port)
            server = _Server(self._services())
            self._server = server
            asyncio.get_running_loop().create_task(server.start(sock=sock))
            self._released = asyncio.Event()
        elif not want and self._server is not None:
            self._close()

    def _close(self) -> None:
        if self._server is not None:
            self._released.set()
            with contextlib.suppress(RuntimeError):  # closed before it had started
                self._server.close()
            self._server.drop_connections()
            self._server = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(MONITOR_INTERVAL)
            self.sync()

    def _services(self) -> list[Any]:
        device = self.device
        services: list[Any] = [
            _Miner(device),
            _Performance(device),
            _Cooling(device),
            _Pools(device),
            _Configuration(device),
            _Actions(device),
        ]
        return [_Guarded(self, service.__mapping__()) for service in services] + [
            _Guarded(
                self,
                {
                    _LOGIN: Handler(
                        self._login,
                        grpclib.const.Cardinality.UNARY_UNARY,
                        LoginRequest,
                        LoginResponse,
                    )
                },
            )
        ]

    async def _login(self, stream: Stream[Any, Any]) -> None:
        request = await stream.recv_message()
        token = None if request is None else self.device.login(request.username, request.password)
        if token is None:
            raise GRPCError(Status.UNAUTHENTICATED, "invalid username or password")
        await stream.send_initial_metadata(metadata={"authorization": token})
        await stream.send_message(LoginResponse(token=token, timeout_s=3600))

    async def call(self, path: str, call: Call, stream: Stream[Any, Any]) -> None:
        """Run one call as the miner would, given its faults and the caller's token."""
        self.requests += 1
        self.open_connections += 1
        try:
            if self.faults.hang:
                await self._released.wait()
                return
            if self.faults.garbage or self.faults.truncated:
                raise GRPCError(Status.DATA_LOSS, "garbled reply")
            metadata: Mapping[str, object] = stream.metadata or {}
            if path not in _PUBLIC and metadata.get("authorization") not in self.device.tokens:
                raise GRPCError(Status.UNAUTHENTICATED, "invalid or missing token")
            if path.rsplit("/", 1)[-1] in _WRITES:
                self._before_write()
            await call(stream)
        finally:
            self.open_connections -= 1
            # grpclib sends the call's trailers after this returns: a reboot or restart the call
            # asked for, and the sync that closes the socket, wait until they have reached the
            # caller (the monitor closes the socket as soon as the miner is down).
            task = asyncio.create_task(self._sync_after_reply(_GOING_DOWN.get()))
            self._syncs.add(task)
            task.add_done_callback(self._syncs.discard)

    async def _sync_after_reply(self, going_down: Callable[[], None] | None) -> None:
        for _ in range(_TURNS_TO_SEND_TRAILERS):
            await asyncio.sleep(0)
        if going_down is not None:
            going_down()
        self.after_connection()

    def _before_write(self) -> None:
        if self.faults.refuses():
            raise GRPCError(Status.PERMISSION_DENIED, "permission denied")
        if self.faults.take_reboot():
            self.device.state.reboot()
            raise GRPCError(Status.UNAVAILABLE, "rebooting")


class _Guarded:
    """A service's handlers, each run through :meth:`GrpcServer.call`."""

    def __init__(self, server: GrpcServer, mapping: Mapping[str, Handler]) -> None:
        self._server = server
        self._mapping = mapping

    def __mapping__(self) -> dict[str, Handler]:
        def guarded(path: str, call: Call) -> Call:
            return lambda stream: self._server.call(path, call, stream)

        return {
            path: Handler(guarded(path, h.func), h.cardinality, h.request_type, h.reply_type)
            for path, h in self._mapping.items()
        }
