"""One command over Home Assistant's websocket API, as the frontend sends it."""

from typing import Any

import aiohttp

from demo.ha_api import Json
from demo.waiting import DemoError

__all__ = ["ws_command"]


async def ws_command(
    session: aiohttp.ClientSession, url: str, access_token: str, command: Json
) -> Any:  # noqa: ANN401 - the command's result, of any shape
    """Authenticate, send ``command`` (``id`` 1) and return its result; DemoError on failure."""
    async with session.ws_connect(f"{url}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": access_token})
        if (auth := await ws.receive_json()).get("type") != "auth_ok":
            raise DemoError(f"websocket authentication failed: {auth}")
        await ws.send_json({"id": 1, **command})
        reply = await ws.receive_json()
    if not reply.get("success"):
        raise DemoError(f"{command['type']} failed: {reply.get('error')}")
    return reply.get("result")
