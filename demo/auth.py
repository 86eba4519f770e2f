"""Signing in as the frontend does: onboarding on a new instance, else the login flow.

Onboarding (``/api/onboarding/...``) creates the owner and returns an authorization code, which
``/auth/token`` turns into tokens; the later steps (core config, analytics, integration) are then
posted with the access token. On an instance onboarded before, the login flow
(``/auth/login_flow``) signs in with the same user name and password. A long-lived access token
comes from the websocket API (``auth/long_lived_access_token``), as the profile page makes one.
"""

from dataclasses import dataclass
from http import HTTPStatus

import aiohttp

from demo.ha_api import Json, as_object
from demo.settings import DemoSettings
from demo.waiting import DemoError
from demo.ws import ws_command

__all__ = ["create_long_lived_token", "sign_in"]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Step:
    path: str
    body: Json | None = None


async def _post(session: aiohttp.ClientSession, url: str, data: Json, token: str = "") -> Json:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json=data, headers=headers) as response:
        if response.status >= HTTPStatus.BAD_REQUEST:
            raise DemoError(f"POST {url}: HTTP {response.status}: {await response.text()}")
        return as_object(await response.json(), url)


async def _pending_steps(session: aiohttp.ClientSession, settings: DemoSettings) -> set[str]:
    async with session.get(f"{settings.ha_url}/api/onboarding") as response:
        if response.status == HTTPStatus.NOT_FOUND:  # onboarded: the views are gone
            return set()
        steps = await response.json()
    return {step["step"] for step in steps if not step["done"]}


async def _tokens(session: aiohttp.ClientSession, settings: DemoSettings, code: str) -> str:
    data = {"grant_type": "authorization_code", "code": code, "client_id": settings.client_id}
    async with session.post(f"{settings.ha_url}/auth/token", data=data) as response:
        if response.status >= HTTPStatus.BAD_REQUEST:
            raise DemoError(f"/auth/token: HTTP {response.status}: {await response.text()}")
        return str(as_object(await response.json(), "/auth/token")["access_token"])


async def _login(session: aiohttp.ClientSession, settings: DemoSettings) -> str:
    url = f"{settings.ha_url}/auth/login_flow"
    flow = await _post(
        session,
        url,
        {
            "client_id": settings.client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{settings.ha_url}/?auth_callback=1",
        },
    )
    result = await _post(
        session,
        f"{url}/{flow['flow_id']}",
        {
            "client_id": settings.client_id,
            "username": settings.username,
            "password": settings.password,
        },
    )
    if result.get("type") != "create_entry":
        raise DemoError(
            f"cannot log in as {settings.username!r} (the demo's .demo/config was set up with "
            f"another login? start with --fresh): {result.get('errors')}"
        )
    return await _tokens(session, settings, str(result["result"]))


async def sign_in(session: aiohttp.ClientSession, settings: DemoSettings) -> tuple[str, bool]:
    """An access token, onboarding first if needed; and whether onboarding ran now."""
    pending = await _pending_steps(session, settings)
    base = f"{settings.ha_url}/api/onboarding"
    if "user" in pending:
        answer = await _post(
            session,
            f"{base}/users",
            {
                "client_id": settings.client_id,
                "name": settings.display_name,
                "username": settings.username,
                "password": settings.password,
                "language": settings.language,
            },
        )
        token = await _tokens(session, settings, str(answer["auth_code"]))
    else:
        token = await _login(session, settings)
    steps = (
        _Step(path="core_config"),
        _Step(path="analytics"),
        _Step(
            path="integration",
            body={
                "client_id": settings.client_id,
                "redirect_uri": f"{settings.ha_url}/?auth_callback=1",
            },
        ),
    )
    for step in steps:
        if step.path in pending:
            await _post(session, f"{base}/{step.path}", step.body or {}, token)
    return token, bool(pending)


async def create_long_lived_token(
    session: aiohttp.ClientSession, settings: DemoSettings, access_token: str, name: str
) -> str:
    """A long-lived access token (ten years), made over the websocket API."""
    command = {"type": "auth/long_lived_access_token", "client_name": name, "lifespan": 3650}
    return str(await ws_command(session, settings.ha_url, access_token, command))
