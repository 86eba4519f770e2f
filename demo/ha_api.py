"""A small client of Home Assistant's REST API: the calls the frontend makes, with a token."""

from http import HTTPStatus
from typing import Any

import aiohttp

from demo.waiting import DemoError

__all__ = ["HaApi", "Json", "as_object"]

type Json = dict[str, Any]


def as_object(value: object, what: str) -> Json:
    """``value`` as a JSON object; DemoError when it is something else."""
    if not isinstance(value, dict):
        raise DemoError(f"{what}: expected a JSON object, got {value!r}")
    return value


class HaApi:
    """REST calls to one Home Assistant, authenticated with a bearer token."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Use ``session`` for calls to ``url`` with ``token``."""
        self.session = session
        self.url = url
        self.token = token

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def _call(self, method: str, path: str, data: Json | None = None) -> Any:  # noqa: ANN401
        async with self.session.request(
            method, self.url + path, json=data, headers=self._headers
        ) as response:
            text = await response.text()
            if response.status >= HTTPStatus.BAD_REQUEST:
                raise DemoError(f"{method} {path}: HTTP {response.status}: {text[:500]}")
            return await response.json(content_type=None) if text else None

    async def get(self, path: str) -> Any:  # noqa: ANN401 - JSON of any shape
        """GET ``path``; its JSON."""
        return await self._call("GET", path)

    async def post(self, path: str, data: Json | None = None) -> Any:  # noqa: ANN401
        """POST ``data`` as JSON to ``path``; the JSON answer."""
        return await self._call("POST", path, data)

    async def delete(self, path: str) -> Any:  # noqa: ANN401
        """DELETE ``path``."""
        return await self._call("DELETE", path)

    async def state(self, entity_id: str) -> Json | None:
        """An entity's state object, or None while it does not exist."""
        async with self.session.get(
            f"{self.url}/api/states/{entity_id}", headers=self._headers
        ) as response:
            if response.status == HTTPStatus.NOT_FOUND:
                return None
            if response.status >= HTTPStatus.BAD_REQUEST:
                raise DemoError(f"state of {entity_id}: HTTP {response.status}")
            return as_object(await response.json(), entity_id)

    async def numeric_state(self, entity_id: str) -> float | None:
        """An entity's state as a number, or None while it has none."""
        state = await self.state(entity_id)
        try:
            return None if state is None else float(state["state"])
        except ValueError:
            return None

    async def call_service(self, domain: str, service: str, data: Json) -> None:
        """Call an action (service)."""
        await self.post(f"/api/services/{domain}/{service}", data)
