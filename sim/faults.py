"""Per-miner fault switches, settable at runtime."""

from collections.abc import Callable, Iterator

_INSIDE_A_SECTION = 2  # {"section": [ ...
DEFAULT_GARBAGE = b"#%&!garbage \x07\x15 not-json ~~ <html>oops</html>"


class Faults:
    """Fault injection for one simulated miner.

    Every switch may be flipped at any time and applies to the next connection:

    * ``offline``: the listening socket is closed, so connections are refused;
      clearing it reopens the socket at once.
    * ``hang``: connections are accepted and the request read, but never answered.
    * ``garbage``: the reply is ``garbage_payload`` (not JSON) instead of the answer.
    * ``truncated``: the reply is cut near its middle (see ``cut_reply``), then the connection
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
        "refused",
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
        self.refused = 0  # privileged commands refused by ``refuse_privileged`` so far
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

    def refuses(self) -> bool:
        """Whether this privileged command is refused (``refuse_privileged``; counted)."""
        if self.refuse_privileged:
            self.refused += 1
        return self.refuse_privileged

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


def cut_reply(data: bytes) -> bytes:
    """Cut a reply as a connection lost mid-way would, inside a section.

    The cut falls after the comma nearest the middle that lies at least two levels deep.
    A cut between top-level sections would leave whole sections that a client's repair of an
    overflowed buffer (drop the text after the last comma, close the object) reads as a
    complete answer; a cut inside one leaves nothing whole. Text that is not JSON is cut at
    its middle.
    """
    middle = len(data) // 2
    cuts = [index for index, depth in _separators(data) if depth >= _INSIDE_A_SECTION]
    if not cuts:
        return data[:middle]
    nearest = min(cuts, key=lambda index: abs(index - middle))
    return data[: nearest + 1]


def _separators(data: bytes) -> Iterator[tuple[int, int]]:
    """Each comma outside strings in JSON text, with how deeply it is nested."""
    depth = 0
    in_string = escaped = False
    for index, char in enumerate(map(chr, data)):  # multi-byte UTF-8 never looks like ASCII
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == ",":
            yield index, depth
