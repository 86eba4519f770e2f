"""VNish presets through pyasic's VNish web API, and its requests over one kept HTTP client.

pyasic 0.79.0 reads no preset mode from VNish (``MiningModeConfig.from_vnish`` calls itself with
the wrong arguments and falls back to the default mode), so its ``get_config`` lists no presets
and its ``set_power_limit`` always refuses. Its web API's own calls work: the tuned presets come
from ``autotune/presets``, and a preset is chosen by its watts and read back from ``settings``.

VNish 1.3.3 and later also throttle the preset in force to 20-100 % of its power
(``POST /api/v1/mining/throttle {"percent": N}``, read back as ``miner.miner_status.throttled``
in ``summary``), which pyasic 0.79.0 does not know: that call is sent here, where its status
tells a release without the throttle (404) from a refusal (401/403).

Both writes answer whether the miner must restart mining to apply them (``SaveConfigResult``,
``restart_required``, in VNish's OpenAPI 1.2.6 to 1.3.4): mining is then restarted once, after
both writes, unless it is stopped (a restart would start it; it takes the saved settings when
started).

pyasic opens a new httpx client for every web request (two per poll) and offers no way to give it
one: about 1 ms of CPU per request. :class:`VNishTransport` sends the web API's requests, the
throttle's too, as pyasic does (token, methods, retries, errors) over an aiohttp session it is
given, such as Home Assistant's shared one; unlocking for a token stays pyasic's.
"""

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import httpx
from aiohttp import ClientError, ClientSession, ClientTimeout

from .capabilities import THROTTLE_MIN_PERCENT, PowerStep, preset_steps
from .miner_data import to_number
from .pyasic_loader import APIError, BaseMiner, MiningPreset, VNishWebAPI, pyasic_settings

_THROTTLE: Final = "mining/throttle"
_HTTP_OK: Final = 200
_HTTP_UNAUTHORIZED: Final = 401
_HTTP_FORBIDDEN: Final = 403
# Miner states in which mining does not run ("stopped" in VNish's OpenAPI 1.2.6-1.3.4).
_STOPPED_STATES: Final = frozenset({"stopped", "paused"})


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


def _restart_required(reply: object) -> bool:
    """Whether a write's reply says mining must restart to apply it."""
    return isinstance(reply, dict) and reply.get("restart_required") is True


def _preset_saved(settings: Any) -> str:
    return str(settings["miner"]["overclock"]["preset"])


def _stopped(summary: object) -> bool:
    """Whether a ``summary`` says mining is stopped (``miner.miner_status.miner_state``)."""
    try:
        state = summary["miner"]["miner_status"]["miner_state"]  # type: ignore[index]
    except LookupError, TypeError:
        return False
    return state in _STOPPED_STATES


async def _apply_saved(web: VNishWebAPI) -> None:
    """Restart mining so that what was saved applies; a stopped miner takes it when started.

    A restart starts mining: a miner stopped (by a safety interlock, a grid hold, a hand) stays
    stopped.
    """
    if not _stopped(await web.summary()):
        await web.restart_vnish()


async def _save_preset(web: VNishWebAPI, watts: int) -> bool:
    """Save the preset of ``watts`` unless it is saved already; whether mining must restart.

    A preset already saved is not written again: the write would restart mining for nothing.
    """
    if _preset_saved(await web.settings()) == str(watts):
        return False
    return _restart_required(await web.set_power_limit(watts))


async def set_vnish_preset(miner: BaseMiner, watts: int) -> bool:
    """Choose the preset of ``watts``; whether the settings then show it."""
    web = _web(miner)
    if await _save_preset(web, watts):
        await _apply_saved(web)
    return _preset_saved(await web.settings()) == str(watts)


def consumption_watts(summary: object) -> float | None:
    """The power a ``summary`` reports as ``miner.power_consumption``, if any.

    pyasic 0.79.0 reads ``power_usage``, which VNish's OpenAPI (1.2.6 to 1.3.4) marks deprecated;
    ``power_consumption`` is its documented power (256foundation/asic-rs reads it too).
    """
    try:
        watts = summary["miner"]["power_consumption"]  # type: ignore[index]
    except LookupError, TypeError:
        return None
    return to_number(watts)


def throttled_percent(summary: object) -> int | None:
    """The throttle a ``summary`` reply reports (``miner.miner_status.throttled``), if any."""
    try:
        percent = summary["miner"]["miner_status"]["throttled"]  # type: ignore[index]
    except LookupError, TypeError:
        return None
    return percent if isinstance(percent, int) and not isinstance(percent, bool) else None


async def vnish_throttles(miner: BaseMiner) -> bool:
    """Whether the firmware has the throttle (its summary reports one)."""
    return throttled_percent(await _web(miner).summary()) is not None


def throttle_setting(presets: Sequence[PowerStep], watts: int) -> tuple[PowerStep, int]:
    """The preset and throttle for ``watts``: the lowest preset at or above it, throttled down.

    The percent is rounded down, so the preset at that throttle draws at most ``watts``.
    """
    above = [step for step in presets if step.watts >= watts]
    preset = (
        min(above, key=lambda step: step.watts)
        if above
        else max(presets, key=lambda step: step.watts)
    )
    percent = max(THROTTLE_MIN_PERCENT, min(100, watts * 100 // preset.watts))
    return preset, percent


async def set_vnish_throttled(
    miner: BaseMiner, transport: VNishTransport, preset: PowerStep, percent: int
) -> bool:
    """Run ``preset`` at ``percent``; whether the miner then shows both.

    Where a write needs a restart, mining restarts once, after both writes; the setting then
    counts as applied by the restart (the summary may still show the last throttle meanwhile).
    """
    web = _web(miner)
    restart = await _save_preset(web, preset.watts)
    throttle = await post_throttle(transport, percent)
    if throttle is None:
        return False
    if restart or throttle:
        await _apply_saved(web)
    if _preset_saved(await web.settings()) != preset.key:
        return False
    return restart or throttle or throttled_percent(await web.summary()) == percent


async def post_throttle(transport: VNishTransport, percent: int) -> bool | None:
    """Send the throttle; whether mining must restart to apply it.

    None when the firmware has no throttle (404) or rejects the value (500).
    """
    status, reply = await transport.post(_THROTTLE, {"percent": percent})
    if status == _HTTP_UNAUTHORIZED:  # the token expired: unlock again, once
        transport.web.token = None
        status, reply = await transport.post(_THROTTLE, {"percent": percent})
    if status in (_HTTP_UNAUTHORIZED, _HTTP_FORBIDDEN):
        raise APIError(f"{status} forbidden: {_THROTTLE}")  # type: ignore[no-untyped-call]
    if status != _HTTP_OK:
        return None
    return _restart_required(reply)


class VNishTransport:
    """A VNish miner's web requests, and the throttle its summaries report.

    Without a session the requests are pyasic's own (a new httpx client each); with one they go
    over it as pyasic would send them (see :meth:`send`). Either way every summary read updates
    :attr:`throttle`.
    """

    def __init__(self, web: VNishWebAPI, session: ClientSession | None = None) -> None:
        """Carry ``web``'s requests (over ``session``, not closed here: it is the caller's)."""
        self.web = web
        self._session = session
        self._pyasic_send: Callable[..., Awaitable[Any]] = web.send_command
        self.throttle: int | None = None
        """The throttle the last summary reported (pyasic reports the preset as the limit)."""
        self.consumption_w: float | None = None
        """The power the last summary reported in its documented field (see consumption_watts)."""

    def attach(self) -> None:
        """Route the web API's requests through this transport."""
        self.web.send_command = self.send  # type: ignore[method-assign]

    async def send(
        self,
        command: str,
        ignore_errors: bool = False,
        allow_warning: bool = True,
        privileged: bool = False,
        **parameters: Any,
    ) -> dict[str, Any]:
        """What pyasic's ``VNishWebAPI.send_command`` does, over the session where there is one."""
        if command == "summary":
            self.consumption_w = None  # no stale power from an earlier summary
        if self._session is None:
            reply: dict[str, Any] = await self._pyasic_send(
                command,
                ignore_errors=ignore_errors,
                allow_warning=allow_warning,
                privileged=privileged,
                **parameters,
            )
        else:
            reply = await self._send_over(self._session, command, privileged, parameters)
        if command == "summary":
            self.throttle = throttled_percent(reply)
            self.consumption_w = consumption_watts(reply)
        return reply

    async def post(self, command: str, body: dict[str, Any]) -> tuple[int, object]:
        """POST ``body`` to ``command`` with the token; the HTTP status and the JSON reply.

        The reply is None where it is no JSON (the status still tells what happened).
        """
        web = self.web
        token = web.token or await web.auth()
        if token is None:
            return _HTTP_UNAUTHORIZED, None
        url = _url(web, command)
        headers = {"Authorization": token}
        try:
            if self._session is None:
                async with httpx.AsyncClient(transport=pyasic_settings.transport()) as client:
                    response = await client.post(url, headers=headers, json=body)
                    status, raw = response.status_code, response.content
            else:
                async with self._session.post(
                    url, headers=headers, json=body, timeout=_timeout()
                ) as reply:
                    raw = await reply.read()  # a reply cut short is no answer
                    status = reply.status
        except (httpx.HTTPError, ClientError, TimeoutError) as err:  # as pyasic reports them
            raise APIError(f"HTTP error sending '{command}' to {web.ip}: {err}") from err  # type: ignore[no-untyped-call]
        try:
            return status, json.loads(raw)
        except ValueError:  # JSON and Unicode errors alike
            return status, None

    async def _send_over(
        self, session: ClientSession, command: str, privileged: bool, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        web = self.web
        if web.token is None:
            await web.auth()
        url = _url(web, command)
        retries = pyasic_settings.get("get_data_retries", 1)
        for attempt in range(retries):
            last = attempt == retries - 1
            token = web.token
            if token is None:
                raise APIError(f"Could not authenticate web token with miner: {web}")  # type: ignore[no-untyped-call]
            bearer = command.startswith("system")
            headers = {"Authorization": f"Bearer {token}" if bearer else token}
            try:
                async with session.request(
                    "POST" if privileged or parameters else "GET",
                    url,
                    headers=headers,
                    json=parameters if privileged or parameters else None,
                    timeout=_timeout(),
                ) as response:
                    body = await response.read()
                    status = response.status
            except (ClientError, TimeoutError) as err:
                if last:
                    raise APIError(f"HTTP error sending '{command}' to {web.ip}: {err}") from err  # type: ignore[no-untyped-call]
                continue
            if status != _HTTP_OK:
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


def _url(web: VNishWebAPI, command: str) -> str:
    return f"http://{web.ip}:{web.port}/api/v1/{command}"


def _timeout() -> ClientTimeout:
    return ClientTimeout(total=pyasic_settings.get("api_function_timeout", 5))
