"""``.demo/access.json``: how tests and scripts reach the running demo.

``{"url", "token" (a long-lived access token), "username", "password", "spare_subnet"}``.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from demo.settings import ACCESS_FILE

__all__ = ["Access", "read_access", "write_access"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Access:
    """What it takes to use the demo's Home Assistant."""

    url: str
    token: str
    username: str
    password: str
    spare_subnet: str


def write_access(access: Access, path: Path = ACCESS_FILE) -> None:
    """Write the file (readable by its owner only: it holds a token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(asdict(access), indent=2) + "\n", encoding="utf-8")


def read_access(path: Path = ACCESS_FILE) -> Access | None:
    """The file's contents, or None while it is missing or incomplete."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Access(**{key: str(data[key]) for key in Access.__dataclass_fields__})
    except OSError, ValueError, KeyError, TypeError:
        return None
