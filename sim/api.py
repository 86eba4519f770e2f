"""The boundary between the TCP server and a firmware's command dispatcher."""

from typing import Protocol

from sim.physics import MinerState

type JsonObject = dict[str, object]
"""A decoded JSON object, as the cgminer-style APIs send and receive them."""


class ConnectionDropped(Exception):  # noqa: N818 - an event, not an error of the caller
    """The miner went down in the middle of a request: the connection closes unanswered."""


class MinerApi(Protocol):
    """What :class:`sim.server.MinerServer` needs from a firmware API (LuxOS, Avalon)."""

    @property
    def state(self) -> MinerState:
        """The physics behind the API; the server listens only while it is reachable."""
        ...

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one raw request; the server sends the reply as JSON plus a NUL byte."""
        ...
