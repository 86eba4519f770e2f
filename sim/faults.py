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
    * ``reboot_on_command``: the next privileged command (LuxOS session commands, Avalon
      ``ascset``/``restart``) reboots the miner before it acts on it, and the connection
      closes unanswered, as when a miner loses power or crashes mid-command. The switch
      clears itself: one reboot per arming.

    Session expiry is an action, not a switch: see ``SimulatedMiner.expire_session``.
    """

    __slots__ = (
        "_listeners",
        "_offline",
        "garbage",
        "garbage_payload",
        "hang",
        "reboot_on_command",
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
        self.reboot_on_command = False

    @property
    def offline(self) -> bool:
        """Whether the miner refuses connections."""
        return self._offline

    @offline.setter
    def offline(self, value: bool) -> None:
        self._offline = value
        for listener in self._listeners:
            listener()

    def take_reboot(self) -> bool:
        """Whether this privileged command reboots the miner (disarming the switch)."""
        armed, self.reboot_on_command = self.reboot_on_command, False
        return armed

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
        self.reboot_on_command = False
        self.offline = False

    def __repr__(self) -> str:
        """Show the active faults."""
        active = [
            name
            for name in (
                "offline",
                "hang",
                "garbage",
                "truncated",
                "refuse_privileged",
                "reboot_on_command",
            )
            if getattr(self, name)
        ]
        return f"Faults({', '.join(active) or 'none'})"
