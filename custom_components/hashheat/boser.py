"""Braiins OS+ gRPC calls over one HTTP/2 connection per miner instead of one per call.

pyasic 0.79.0's BOSer web API opens a gRPC channel (a TCP connection and an HTTP/2 handshake)
for every call, six per poll: about 7 ms of CPU per miner-poll against under 1 for LuxOS. The
calls stay pyasic's (its stub, messages, login and token); only the channel is kept, and dropped
when a call fails on the transport so that the next one connects afresh. The replies a poll asks
for are decoded straight into dicts of the fields pyasic reads (:mod:`.proto_lean`); the rest
become dicts through :mod:`.proto_dict` (pyasic's conversion, faster). The miner's details,
which only a restart can change, are read once in :data:`DETAILS_POLLS` polls.

Its cooling has an immersion mode (``CoolingService/SetImmersionMode``: no fan control, no fans
required), which pyasic can set but HashHeat's miners need: read and set here. Braiins OS+ 24.xx
and later (API 1.4.0+) report it as a cooling mode of its own, ``immersion``, beside ``hydro``,
which pyasic 0.79.0's messages lack (they skip both, leaving a configuration that reads as the
fan mode): the mode is read off the wire into :data:`COOLING_MODE`.
"""

from typing import Any, Final

from .proto_dict import message_to_dict
from .proto_lean import LeanDecodeError, LeanReply, last_field_of
from .pyasic_loader import (
    APIError,
    BaseMiner,
    BOSerWebAPI,
    BOSMinerGRPCStub,
    Channel,
    FanModeConfig,
    GetCoolingStateResponse,
    GetHashboardsResponse,
    GetMinerConfigurationResponse,
    GetMinerDetailsResponse,
    GetMinerStatsResponse,
    GetPoolGroupsResponse,
    GRPCError,
    GRPCStatus,
    PerformanceMode,
    ProtoCodec,
    ProtocolError,
    StreamTerminatedError,
)

_TRANSPORT: tuple[type[BaseException], ...] = (
    ConnectionError,
    OSError,
    StreamTerminatedError,
    ProtocolError,
)

# The miner's details (model, sticker hashrate, MAC, serial, firmware) change only with new
# firmware or hardware, which restart the miner: its connection drops, and the next call after
# that reads them afresh. Between, one read serves this many polls.
DETAILS_POLLS: Final = 10
_DETAILS: Final = "get_miner_details"
_GIGAHASH: Final = {"gigahash_per_second": None}
_CELSIUS: Final = {"degree_c": None}
# What pyasic 0.79.0's BOSer backend reads of the replies a poll (and identification) asks for.
# By reply type: the one other command answering one of these, SetPerformanceMode (with a
# PerformanceMode), is only sent by pyasic's send_config, which does not read the reply.
LEAN_REPLIES: Final = {
    reply.message_type: reply
    for reply in (
        LeanReply(
            GetMinerDetailsResponse,
            {
                "mac_address": None,
                "bos_version": {"current": None},
                "hostname": None,
                "serial_number": None,
                "psu_info": {"serial_number": None},
                "sticker_hashrate": _GIGAHASH,
            },
        ),
        LeanReply(
            GetHashboardsResponse,
            {
                "hashboards": {
                    "id": None,
                    "chips_count": None,
                    "board_temp": _CELSIUS,
                    "highest_chip_temp": {"temperature": _CELSIUS},
                    "stats": {"real_hashrate": {"last_5_s": _GIGAHASH}},
                    "serial_number": None,
                }
            },
        ),
        LeanReply(
            GetMinerStatsResponse,
            {"power_stats": {"approximated_consumption": {"watt": None}}},
        ),
        LeanReply(
            PerformanceMode,
            {"tuner_mode": {"power_target": {"power_target": {"watt": None}}}},
        ),
        LeanReply(GetCoolingStateResponse, {"fans": {"rpm": None}}),
        LeanReply(
            GetPoolGroupsResponse,
            {
                "pool_groups": {
                    "pools": {
                        "url": None,
                        "user": None,
                        "stats": {"accepted_shares": None, "rejected_shares": None},
                        "active": None,
                        "alive": None,
                    }
                }
            },
        ),
    )
}


# The cooling mode a miner configuration names, by the field number of its choice in
# ``GetMinerConfigurationResponse.temperature`` (braiins/bos-plus-api 1.11.0,
# proto/bos/v1/cooling.proto, ``CoolingConfiguration.mode``; ``disabled`` deprecated since 1.4.0,
# when ``immersion`` and ``hydro`` came). Put in the configuration's dict under COOLING_MODE.
COOLING_MODE: Final = "hashheatCoolingMode"
_COOLING_PATH: Final = (2,)  # GetMinerConfigurationResponse.temperature
_COOLING_MODES: Final = {2: "auto", 3: "manual", 4: "disabled", 5: "immersion", 6: "hydro"}


# What pyasic 0.79.0 reads under each part of a hashboard it finds there.
_BOARD_READS: Final = {
    "boardTemp": ("degreeC",),
    "highestChipTemp": ("temperature", "degreeC"),
    "stats": ("realHashrate", "last5S"),
}


def _holds(part: Any, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(part, dict) or key not in part:
            return False
        part = part[key]
    return True


def _as_pyasic_reads_boards(reply: dict[str, Any]) -> dict[str, Any]:
    """The hashboards reply with what pyasic 0.79.0 indexes without looking always there.

    A reply lists no boards when none answers (the empty list is left out); a board's reading at
    zero (a sensor that is not read, a board that does not hash) is an empty message on the wire
    (proto3, as pyasic's own ``last5S == {}`` check expects): pyasic indexes ``hashboards``,
    ``id``, ``boardTemp.degreeC``, ``highestChipTemp.temperature.degreeC`` and
    ``stats.realHashrate.last5S`` whenever the part above is there, and one missing fails the
    whole poll. Left out here instead, such a reading is unknown.
    """
    boards = [board for board in reply.get("hashboards", []) if str(board.get("id")).isdigit()]
    for board in boards:
        for key, path in _BOARD_READS.items():
            if key in board and not _holds(board[key], path):
                del board[key]
    reply["hashboards"] = boards
    return reply


class LeanCodec(ProtoCodec):
    """grpclib's protobuf codec, decoding the replies of :data:`LEAN_REPLIES` into dicts."""

    def decode(self, data: bytes, message_type: Any) -> Any:
        """A dict for a lean reply or a configuration, else the message as grpclib decodes it."""
        lean = LEAN_REPLIES.get(message_type)
        if lean is not None:
            reply = lean.decode(data)
            if message_type is GetHashboardsResponse:
                return _as_pyasic_reads_boards(reply)
            return reply
        message = super().decode(data, message_type)
        if not isinstance(message, GetMinerConfigurationResponse):
            return message
        config = message_to_dict(message)
        choice = last_field_of(data, _COOLING_PATH, _COOLING_MODES)
        config[COOLING_MODE] = None if choice is None else _COOLING_MODES[choice]
        return config


class BoserChannel:
    """Sends a BOSer web API's commands over one kept channel (see :meth:`attach`)."""

    def __init__(self, web: BOSerWebAPI) -> None:
        """Serve ``web``'s calls; nothing is connected until the first one."""
        self._web = web
        self._stub: BOSMinerGRPCStub | None = None
        self._details: dict[str, Any] | None = None
        self._details_served = 0

    def attach(self) -> None:
        """Route the web API's commands through this channel."""
        self._web.send_command = self.send  # type: ignore[method-assign,assignment]

    def close(self) -> None:
        """Close the connection, if any (a later call opens a new one and reads the details)."""
        self._details = None
        if self._stub is not None:
            self._stub.channel.close()
            self._stub = None

    async def send(
        self,
        command: str,
        *,
        privileged: bool = False,
        **parameters: Any,
    ) -> dict[str, Any]:
        """What pyasic's ``BOSerWebAPI.send_command`` does, on the kept channel.

        pyasic passes ``message`` (and never ``ignore_errors``/``allow_warning``, taken here).
        """
        if command == _DETAILS and self._details is not None:
            self._details_served += 1
            if self._details_served < DETAILS_POLLS:
                return self._details
        message = parameters["message"]
        metadata = [("authorization", await self._web.auth())] if privileged else []
        if self._stub is None:
            self._stub = BOSMinerGRPCStub(Channel(self._web.ip, self._web.port, codec=LeanCodec()))
        endpoint = getattr(self._stub, command)
        try:
            try:
                reply = await endpoint(message, metadata=metadata)
            except GRPCError as err:
                if err.status is not GRPCStatus.UNAUTHENTICATED:
                    raise
                await self._web._get_auth()  # noqa: SLF001 - pyasic's own re-login
                reply = await endpoint(message, metadata=[("authorization", self._web.token)])
        except (GRPCError, LeanDecodeError) as err:
            raise APIError(f"gRPC command failed - {command}") from err  # type: ignore[no-untyped-call]
        except _TRANSPORT as err:
            self.close()
            raise APIError(f"gRPC command failed - {command}") from err  # type: ignore[no-untyped-call]
        if command == _DETAILS:
            self._details, self._details_served = reply, 0
        return reply if isinstance(reply, dict) else message_to_dict(reply)


def runs_boser(miner: BaseMiner) -> bool:
    """Whether pyasic talks to this miner over Braiins OS+'s gRPC API."""
    return isinstance(miner.web, BOSerWebAPI)


def _boser(miner: BaseMiner) -> BOSerWebAPI:
    web = miner.web
    if not isinstance(web, BOSerWebAPI):
        raise TypeError(f"{miner.ip} does not run Braiins OS+")
    return web


async def boser_immersion(miner: BaseMiner) -> bool | None:
    """Whether the cooling is in immersion mode; None when it names no mode, or hydro.

    Immersion is the ``immersion`` mode, or (before Braiins OS+ 24.xx) fan control disabled
    without a fan speed, as pyasic reads it. Hydro cooling needs no fans either, but is no
    immersion: neither mode nor fan mode.
    """
    config: Any = await _boser(miner).get_miner_configuration()
    if not isinstance(config.get("temperature"), dict) and config.get(COOLING_MODE) is None:
        return None
    if COOLING_MODE not in config:  # a reply that did not come through LeanCodec
        return bool(FanModeConfig.from_boser(config).mode == "immersion")
    mode: str | None = config[COOLING_MODE]
    if mode is None or mode == "hydro":
        return None
    if mode == "disabled":
        return bool(FanModeConfig.from_boser(config).mode == "immersion")
    return mode == "immersion"


async def set_boser_immersion(miner: BaseMiner, enable: bool) -> bool:
    """Switch immersion mode on or off; whether the firmware answers with that mode."""
    reply: Any = await _boser(miner).set_immersion_mode(enable)
    return bool(reply.get("immersionMode", False)) is enable  # False is left out of the reply
