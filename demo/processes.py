"""The demo's child processes (simulator, Home Assistant): started together, stopped together.

Each runs in a process group of its own, so Ctrl-C in the terminal reaches only the demo, which
stops them in reverse order with SIGTERM (Home Assistant then shuts down cleanly) and kills
what has not stopped in time. On Linux a child also gets SIGTERM if the demo dies.
"""

import asyncio
import contextlib
import ctypes
import signal
import sys
from pathlib import Path
from typing import Self

__all__ = ["Child", "Children"]

_PR_SET_PDEATHSIG = 1


def _terminate_with_parent() -> None:  # pragma: no cover - runs in the forked child
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    """One started process and the file its output goes to."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log: Path) -> None:
        """Wrap a started process."""
        self.name = name
        self.process = process
        self.log = log

    @property
    def running(self) -> bool:
        """Whether the process has not exited yet."""
        return self.process.returncode is None

    def tail(self, lines: int = 20) -> str:
        """The last lines of its output, for an error message."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, timeout: float) -> None:  # noqa: ASYNC109 - one deadline per child
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if not self.running:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


class Children:
    """Processes started by :meth:`start`, stopped (newest first) on leaving the context."""

    def __init__(self, stop_timeout: float = 60.0) -> None:
        """No process yet."""
        self.children: list[Child] = []
        self.stop_timeout = stop_timeout
        self._exits: asyncio.Queue[Child] = asyncio.Queue()
        self._watchers: set[asyncio.Task[None]] = set()

    async def start(self, name: str, args: list[str], log: Path) -> Child:
        """Start ``args`` with stdout and stderr written to ``log`` (replacing an older one)."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                process_group=0,
                preexec_fn=_terminate_with_parent,  # only prctl: safe after fork
            )
        child = Child(name, process, log)
        self.children.append(child)
        watcher = asyncio.create_task(self._watch(child))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return child

    async def _watch(self, child: Child) -> None:
        await child.process.wait()
        self._exits.put_nowait(child)

    async def first_exit(self) -> Child:
        """Wait until a child exits (also one started after this call) and return it."""
        return await self._exits.get()

    async def stop_all(self) -> None:
        """Stop every child, newest first."""
        for child in reversed(self.children):
            await child.stop(self.stop_timeout)

    async def __aenter__(self) -> Self:
        """Nothing to start yet."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop every child, even when leaving with an error or a cancellation."""
        await self.stop_all()
