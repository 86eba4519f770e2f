"""VNish presets through pyasic's VNish web API, and its requests over one kept HTTP client.

pyasic 0.79.0 reads no preset mode from VNish (``MiningModeConfig.from_vnish`` calls itself with
the wrong arguments and falls back to the default mode), so its ``get_config`` lists no presets
and its ``set_power_limit`` always refuses. Its web API's own calls work: the tuned presets come
from ``autotune/presets``, and a preset is chosen by its watts and read back from ``settings``.

pyasic opens a new httpx client for every web request (two per poll) and offers no way to give it
one: about 1 ms of CPU per request. :class:`VNishSender` sends the web API's requests as pyasic
does (token, methods, retries, errors) over an aiohttp session it is given, such as Home
Assistant's shared one; unlocking for a token stays pyasic's.
"""

import json
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from .capabilities import PowerStep, preset_steps
from .pyasic_loader import APIError, BaseMiner, MiningPreset, VNishWebAPI, pyasic_settings


def runs_vnish(miner: BaseMiner) -> bool:
    """Whether pyasic talks to this miner through VNish's web API."""
    return isinstance(miner.web, VNishWebAPI)


def _web(miner: BaseMiner) -> VNishWebAPI:
    web = miner.web
    if not isinstance(web, VNishWebAPI):
        raise TypeError(f"{miner.ip} does not run VNish")
    return web


async def vnish_presets(miner: BaseMiner) -> tuple[PowerStep, ...]:
    """The presets autotune has tuned, as power steps."""
    reply: Any = await _web(miner).autotune_presets()
    listed = reply.get("presets", []) if isinstance(reply, dict) else reply
    presets = [MiningPreset.from_vnish(preset) for preset in listed]
    return preset_steps(preset for preset in presets if preset.tuned)


async def set_vnish_preset(miner: BaseMiner, watts: int) -> bool:
    """Choose the preset of ``watts``; whether the settings then show it."""
    web = _web(miner)
    await web.set_power_limit(watts)
    settings: Any = await web.settings()
    return str(settings["miner"]["overclock"]["preset"]) == str(watts)


class VNishSender:
    """Sends a VNish web API's requests over a kept aiohttp session (see :meth:`attach`)."""

    def __init__(self, web: VNishWebAPI, session: ClientSession) -> None:
        """Serve ``web``'s requests over ``session`` (not closed here: it is the caller's)."""
        self._web = web
        self._session = session

    def attach(self) -> None:
        """Route the web API's requests through this sender."""
        self._web.send_command = self.send  # type: ignore[method-assign]

    async def send(
        self,
        command: str,
        ignore_errors: bool = False,
        allow_warning: bool = True,
        privileged: bool = False,
        **parameters: Any,
    ) -> dict[str, Any]:
        """What pyasic's ``VNishWebAPI.send_command`` does, over the session."""
        web = self._web
        if web.token is None:
            await web.auth()
        url = f"http://{web.ip}:{web.port}/api/v1/{command}"
        timeout = ClientTimeout(total=pyasic_settings.get("api_function_timeout", 5))
        retries = pyasic_settings.get("get_data_retries", 1)
        for attempt in range(retries):
            last = attempt == retries - 1
            token = web.token
            if token is None:
                raise APIError(f"Could not authenticate web token with miner: {web}")  # type: ignore[no-untyped-call]
            bearer = command.startswith("system")
            headers = {"Authorization": f"Bearer {token}" if bearer else token}
            try:
                async with self._session.request(
                    "POST" if privileged or parameters else "GET",
                    url,
                    headers=headers,
                    json=parameters if privileged or parameters else None,
                    timeout=timeout,
                ) as response:
                    body = await response.read()
                    status = response.status
            except (ClientError, TimeoutError) as err:
                if last:
                    raise APIError(f"HTTP error sending '{command}' to {web.ip}: {err}") from err  # type: ignore[no-untyped-call]
                continue
            if status != 200:  # noqa: PLR2004
                await web.auth()  # a new token, then the next attempt
                continue
            try:
                reply: Any = json.loads(body)
            except json.JSONDecodeError as err:
                if last:
                    raise APIError(  # type: ignore[no-untyped-call]
                        f"JSON decode error for '{command}' from {web.ip}: {err}"
                    ) from err
                continue
            return reply or {"success": True}
        raise APIError(f"Failed to send command to miner: {web}")  # type: ignore[no-untyped-call]
