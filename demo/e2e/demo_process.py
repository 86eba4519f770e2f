"""The demo under test: reuse a running one, or start ``scripts/demo --fresh`` and stop it after."""

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from demo.access import Access, read_access
from demo.settings import ACCESS_FILE, LOG_DIR, REPO
from demo.waiting import DemoError

__all__ = ["DemoUnderTest"]

START_TIMEOUT = 900.0  # includes scripts/setup on a fresh clone
LIVE_LINE = "[demo] live values"


def _works(access: Access) -> bool:
    """Whether Home Assistant answers at the address with the token."""
    request = urllib.request.Request(  # noqa: S310 - the demo's own http://127.0.0.1 URL
        f"{access.url}/api/", headers={"Authorization": f"Bearer {access.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return bool(json.load(response).get("message"))
    except OSError, ValueError:
        return False


class DemoUnderTest:
    """A running demo and whether this test started it (then it also stops it)."""

    def __init__(self, log: Path = LOG_DIR / "demo.log") -> None:
        """Nothing started yet."""
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None

    def ensure(self) -> Access:
        """The access data of a live demo, starting one if none answers."""
        if (access := read_access()) is not None and _works(access):
            return access
        ACCESS_FILE.unlink(missing_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own script
                [shutil.which("bash") or "/bin/bash", str(REPO / "scripts" / "demo"), "--fresh"],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
                env={**os.environ, "HASHHEAT_DEMO_STARTED": f"{time.time():.3f}"},
            )
        while LIVE_LINE not in self.log.read_text(encoding="utf-8", errors="replace"):
            if self.process.poll() is not None:
                raise DemoError(f"scripts/demo exited ({self.process.returncode}):\n{self.tail()}")
            if time.monotonic() - started > START_TIMEOUT:
                raise DemoError(f"the demo was not live within {START_TIMEOUT:g} s:\n{self.tail()}")
            time.sleep(0.5)
        self.started_in = time.monotonic() - started
        access = read_access()
        if access is None:
            raise DemoError("the demo is live but wrote no .demo/access.json")
        return access

    def tail(self, lines: int = 30) -> str:
        """The end of the demo's output."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the demo if this test started it (Ctrl-C, then kill after 90 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
