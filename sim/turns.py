"""Waiting for the event loop, not for time.

What a simulated miner does after a request over loopback or a step of a :class:`ManualClock`
happens within a few turns of the event loop; a test lets the loop turn until it has happened.
"""

import asyncio
from collections.abc import Callable

__all__ = ["until"]

TURNS = 100_000


async def until(condition: Callable[[], bool], *, turns: int = TURNS, steady: int = 1) -> None:
    """Let the event loop turn until ``condition`` holds; AssertionError after ``turns`` turns.

    ``steady``: how many turns in a row it must hold (a client may still be reading what a miner
    has sent when the miner's side is done).
    """
    held = 0
    for _ in range(turns):
        held = held + 1 if condition() else 0
        if held >= steady:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"not reached within {turns} turns of the event loop")
