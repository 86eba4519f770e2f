"""Whatsminer API v3 device info in the layout pyasic 0.79.0 reads its board count from.

pyasic takes the number of hashboards from ``get.device.info``'s ``hardware.boards`` and assumes
three without it. Firmware 20251209.16.Rel2 (API 3.0.2, as recorded in 256foundation/asic-rs
whatsminer/src/test/json/v3/get_device_info.json) has no ``hardware`` section and counts its
boards as the string ``miner.board-num``: pyasic then drops the fourth board of a four-board
miner, which reads as a board missing while all of them hash. The count is copied where pyasic
looks for it.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Final

from .pyasic_loader import BTMinerV3RPCAPI

_DEVICE_INFO: Final = "get.device.info"


def board_count(msg: object) -> int | None:
    """The boards ``msg`` (a ``get.device.info`` reply's ``msg``) counts, or None."""
    if not isinstance(msg, dict):
        return None
    hardware = msg.get("hardware")
    if isinstance(hardware, dict) and isinstance(hardware.get("boards"), int):
        return int(hardware["boards"])
    miner = msg.get("miner")
    count = miner.get("board-num") if isinstance(miner, dict) else None
    if isinstance(count, str) and count.strip().isdigit():
        return int(count)
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def with_board_count(reply: dict[str, Any]) -> dict[str, Any]:
    """``reply`` with ``msg.hardware.boards`` from ``miner.board-num`` where only that counts."""
    msg = reply.get("msg")
    count = board_count(msg)
    if count is None or not isinstance(msg, dict) or "hardware" in msg:
        return reply
    return {**reply, "msg": {**msg, "hardware": {"boards": count}}}


def count_boards_as_pyasic_reads(rpc: object) -> None:
    """Give pyasic each device info of ``rpc`` (API v3) with its board count where it looks."""
    if not isinstance(rpc, BTMinerV3RPCAPI):
        return
    send: Callable[..., Awaitable[dict[str, Any]]] = rpc.send_command

    async def counted(command: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        reply = await send(command, *args, **kwargs)
        return with_board_count(reply) if command == _DEVICE_INFO else reply

    rpc.send_command = counted  # type: ignore[method-assign]
