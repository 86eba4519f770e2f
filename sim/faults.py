"""Per-miner fault switches, settable at runtime."""

from collections.abc import Callable

DEFAULT_GARBAGE = b"#%&!garbage \x07\x15 not-json ~~ <html>oops</html>"


class Faults:
    """Fault injection for one simulated miner.

    Every switch may be flipped at any time and applies to the next connection:

    * ``offline``: the listening socket is closed, so connections are refused;
      clearing it reopens the socket at once.
    * ``hang``: connections are accepted and the request read, but never answered.
    * ``garbage``: the reply is ``garbage_payload`` (not JSON) instead of the answer.
    * ``truncated``: only the first half of the JSON reply is sent, then the connection
      is closed.
    * ``refuse_privileged``: every privileged command answers STATUS "E" (access denied).

    Session expiry is an action, not a switch: see ``SimulatedMiner.expire_session``.
    """

    __slots__ = (
        "_listeners",
        "_offline",
        "garbage",
        "garbage_payload",
        "hang",
        "refuse_privileged",
        "truncated",
    )

    def __init__(self) -> None:
        """Start with every fault cleared."""
        self._offline = False
        self._listeners: list[Callable[[], None]] = []
        self.hang = False
        self.garbage = False
        self.garbage_payload = DEFAULT_GARBAGE
        self.truncated = False
        self.refuse_privileged = False

    @property
    def offline(self) -> bool:
        """Whether the miner refuses connections."""
        return self._offline

    @offline.setter
    def offline(self, value: bool) -> None:
        self._offline = value
        for listener in self._listeners:
            listener()

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever ``offline`` is set."""
        self._listeners.append(listener)

    def clear(self) -> None:
        """Clear every fault."""
        self.hang = False
        self.garbage = False
        self.garbage_payload = DEFAULT_GARBAGE
        self.truncated = False
        self.refuse_privileged = False
        self.offline = False

    def __repr__(self) -> str:
        """Show the active faults."""
        active = [
            name
            for name in ("offline", "hang", "garbage", "truncated", "refuse_privileged")
            if getattr(self, name)
        ]
        return f"Faults({', '.join(active) or 'none'})"
