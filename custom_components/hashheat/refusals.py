"""What pyasic swallows: refused tokens and logins, missing replies (Whatsminer v3, Braiins OS+).

pyasic 0.79.0 hands back a Whatsminer API v3 write refused for its token, or failed with another
nonzero code, as data (``set_power_limit`` even reports success), and ``{}`` for a connection that
was refused or a reply it could not read, from which it builds a miner with empty hashboards.
Against Braiins OS+ it turns a refused gRPC login into ``False`` for every command. Watching the
replies turns these into pyasic's ``APIError`` and remembers a refusal for the commands pyasic
turns into a plain ``False``.
pyasic also reports a Whatsminer's lowest and highest chip temperatures as the boards' inlet and
outlet, which are no fluid temperatures.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Final

from .pyasic_loader import APIError, BOSerWebAPI, BTMinerV3RPCAPI, GRPCError

PERMISSION_DENIED: Final = -4
GRPC_DENIED: Final = frozenset({"UNAUTHENTICATED", "PERMISSION_DENIED"})
# The Whatsminer v3 writes whose reply pyasic does not read (its other writes check ``msg``).
_UNCHECKED_WRITES: Final = frozenset({"set.miner.power_limit"})


def speaks_v3(miner: object) -> bool:
    """Whether pyasic talks to this miner over Whatsminer API v3."""
    return isinstance(getattr(miner, "rpc", None), BTMinerV3RPCAPI)


def grpc_denied(err: BaseException) -> bool:
    """Whether ``err`` or what caused it is a gRPC refusal for lack of access."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, GRPCError) and seen.status.name in GRPC_DENIED:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class RefusalWatch:
    """Wraps one miner's API clients; ``denied`` holds the last refusal since :meth:`reset`."""

    def __init__(self) -> None:
        """Nothing refused yet."""
        self.denied: str | None = None

    def reset(self) -> None:
        """Forget earlier refusals (before a command)."""
        self.denied = None

    def watch(self, rpc: object, web: object) -> None:
        """Check the replies of whichever client pyasic swallows refusals of."""
        if isinstance(rpc, BTMinerV3RPCAPI):
            self._watch_v3(rpc)
        if isinstance(web, BOSerWebAPI):
            self._watch_grpc(web)

    def _watch_v3(self, rpc: BTMinerV3RPCAPI) -> None:
        send: Callable[..., Awaitable[dict[str, Any]]] = rpc.send_command

        async def checked(command: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
            reply = await send(command, *args, **kwargs)
            if not reply:
                raise APIError(f"no reply to {command}")  # type: ignore[no-untyped-call]
            code = reply.get("code")
            if code == PERMISSION_DENIED:
                self.denied = f"access denied to {command}: {reply.get('msg')}"
                raise APIError(self.denied)  # type: ignore[no-untyped-call]
            if command in _UNCHECKED_WRITES and isinstance(code, int) and code != 0:
                raise APIError(f"{command} failed ({code}): {reply.get('msg')}")  # type: ignore[no-untyped-call]
            return reply

        rpc.send_command = checked  # type: ignore[method-assign]

    def _watch_grpc(self, web: BOSerWebAPI) -> None:
        send: Callable[..., Awaitable[dict[str, Any]]] = web.send_command

        async def checked(command: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
            try:
                return await send(command, *args, **kwargs)
            except (APIError, GRPCError) as err:
                if grpc_denied(err):
                    self.denied = f"access denied to {command}"
                raise

        web.send_command = checked  # type: ignore[method-assign]
