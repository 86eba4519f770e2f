"""What pyasic gets wrong with Whatsminer API v3: refused tokens, missing replies, temperatures.

pyasic 0.79.0 hands back a refused ``set.*`` command's reply as data (``set_power_limit`` even
reports success), and ``{}`` for a connection that was refused or a reply it could not read, from
which it builds a miner with empty hashboards. Watching the RPC's replies turns both into pyasic's
``APIError`` (a miner that does not answer, a write that is denied) and remembers a denial for the
commands pyasic turns into a plain ``False``. pyasic also reports the chips' lowest and highest
temperatures as the boards' inlet and outlet, which are no fluid temperatures.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Final

from .pyasic_loader import APIError, BTMinerV3RPCAPI

PERMISSION_DENIED: Final = -4


def speaks_v3(miner: object) -> bool:
    """Whether pyasic talks to this miner over Whatsminer API v3."""
    return isinstance(getattr(miner, "rpc", None), BTMinerV3RPCAPI)


class ReplyCheck:
    """Wraps one miner's API v3 RPC; ``denied`` holds the last refusal since :meth:`reset`."""

    def __init__(self) -> None:
        """Nothing refused yet."""
        self.denied: str | None = None

    def reset(self) -> None:
        """Forget earlier refusals (before a command)."""
        self.denied = None

    def watch(self, rpc: object) -> None:
        """Check every reply of ``rpc`` when it speaks Whatsminer API v3."""
        if not isinstance(rpc, BTMinerV3RPCAPI):
            return
        send: Callable[..., Awaitable[dict[str, Any]]] = rpc.send_command

        async def checked(command: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
            reply = await send(command, *args, **kwargs)
            if not reply:
                raise APIError(f"no reply to {command}")  # type: ignore[no-untyped-call]
            if reply.get("code") == PERMISSION_DENIED:
                self.denied = f"access denied to {command}: {reply.get('msg')}"
                raise APIError(self.denied)  # type: ignore[no-untyped-call]
            return reply

        rpc.send_command = checked  # type: ignore[method-assign]
