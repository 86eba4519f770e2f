"""Polling until something is there, with a deadline and a message that says what is missing."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp

__all__ = ["DemoError", "wait_until"]


class DemoError(Exception):
    """The demo could not be brought up; the message says what failed."""


async def wait_until[T](
    what: str,
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float,  # noqa: ASYNC109 - a deadline for the whole wait, not one call
    interval: float = 0.5,
) -> T:
    """Call ``check`` until it returns something other than None; DemoError after ``timeout``.

    Connection errors count as "not yet" (a server still starting).
    """
    deadline = time.monotonic() + timeout
    last_error = ""
    while True:
        try:
            result = await check()
        except (aiohttp.ClientConnectionError, TimeoutError) as err:
            result, last_error = None, f" (last error: {type(err).__name__}: {err})"
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise DemoError(f"{what}: not within {timeout:g} s{last_error}")
        await asyncio.sleep(interval)
