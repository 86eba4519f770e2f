"""pyasic's list of a miner API's commands, worked out once per API object instead of per call.

pyasic 0.79.0 checks the commands of every multicommand (every poll of a LuxOS, Avalon or
Whatsminer miner, and its web APIs' reads) against ``get_commands()``, which walks ``dir()`` of
the API object and of its base class and tests each name with ``getattr``: about 1 ms of CPU per
poll, more than the rest of reading a LuxOS miner. The list only depends on the object's class
and attributes, which stay as they are once the miner is detected.
"""

from collections.abc import Callable


def remember_commands(*apis: object) -> None:
    """Make each API's ``get_commands()`` answer the list it gives now, without working it out."""
    for api in apis:
        work_out: Callable[[], list[str]] | None = getattr(api, "get_commands", None)
        if work_out is None:
            continue
        commands = tuple(work_out())
        api.get_commands = lambda commands=commands: list(commands)  # type: ignore[attr-defined]
