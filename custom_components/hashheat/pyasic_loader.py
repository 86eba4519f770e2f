"""Import pyasic without letting it change Home Assistant's logging or block the event loop.

pyasic 0.79.0 calls ``logging.basicConfig`` and sets the root logger to WARNING when imported,
and its first HTTP request imports ``anyio._backends._asyncio`` from inside the event loop.
Everything in this integration imports pyasic through this module.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import cast

_root = logging.getLogger()
_root_level = _root.level
_root_handlers = list(_root.handlers)

import anyio._backends._asyncio  # noqa: E402, F401  # pylint: disable=unused-import
from betterproto import Message  # noqa: E402
from grpclib.client import Channel  # noqa: E402
from grpclib.const import Status as GRPCStatus  # noqa: E402
from grpclib.encoding.proto import ProtoCodec  # noqa: E402
from grpclib.exceptions import GRPCError, ProtocolError, StreamTerminatedError  # noqa: E402
from pyasic import settings as pyasic_settings  # noqa: E402
from pyasic.config.fans import FanModeConfig  # noqa: E402
from pyasic.config.mining.presets import MiningPreset  # noqa: E402
from pyasic.data import MinerData  # noqa: E402
from pyasic.errors import APIError  # noqa: E402
from pyasic.miners.base import BaseMiner, MinerProtocol  # noqa: E402
from pyasic.miners.data import DataOptions  # noqa: E402
from pyasic.miners.factory import get_miner as _get_miner  # noqa: E402
from pyasic.network import MinerNetwork  # noqa: E402
from pyasic.rpc.btminer import BTMinerV3RPCAPI  # noqa: E402
from pyasic.web.braiins_os.boser import BOSerWebAPI, BOSMinerGRPCStub  # noqa: E402
from pyasic.web.braiins_os.proto.braiins.bos.v1 import (  # noqa: E402
    GetCoolingStateResponse,
    GetHashboardsResponse,
    GetMinerConfigurationResponse,
    GetMinerDetailsResponse,
    GetMinerStatsResponse,
    GetPoolGroupsResponse,
    PerformanceMode,
)
from pyasic.web.vnish import VNishWebAPI  # noqa: E402

_root.setLevel(_root_level)
# Only reached when the root logger had no handlers (so basicConfig added one): covered by a
# test that imports this module in a fresh interpreter, which coverage does not follow.
for _handler in list(_root.handlers):
    if _handler not in _root_handlers:  # pragma: no cover
        _root.removeHandler(_handler)

# pyasic annotates get_miner with an unbound TypeVar; give it the type it really has.
get_miner = cast("Callable[[str], Awaitable[BaseMiner | None]]", _get_miner)

__all__ = [
    "APIError",
    "BOSMinerGRPCStub",
    "BOSerWebAPI",
    "BTMinerV3RPCAPI",
    "BaseMiner",
    "Channel",
    "DataOptions",
    "FanModeConfig",
    "GRPCError",
    "GRPCStatus",
    "GetCoolingStateResponse",
    "GetHashboardsResponse",
    "GetMinerConfigurationResponse",
    "GetMinerDetailsResponse",
    "GetMinerStatsResponse",
    "GetPoolGroupsResponse",
    "Message",
    "MinerData",
    "MinerNetwork",
    "MinerProtocol",
    "MiningPreset",
    "PerformanceMode",
    "ProtoCodec",
    "ProtocolError",
    "StreamTerminatedError",
    "VNishWebAPI",
    "get_miner",
    "pyasic_settings",
]
