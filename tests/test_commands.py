"""One command at a time to a miner, whoever sends it: the loop, a switch, a number, a button."""

import asyncio
from dataclasses import dataclass, field
from types import MappingProxyType

import pytest
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from custom_components.hashheat.capabilities import MinerCapabilities
from custom_components.hashheat.commands import MinerCommand, async_send
from custom_components.hashheat.miner_client import MinerClient, MinerCommandError


@dataclass(kw_only=True)
class Miner:
    """What the command path needs of a miner; the commands below never reach the network."""

    subentry: ConfigSubentry
    client: MinerClient
    capabilities: MinerCapabilities = field(default_factory=MinerCapabilities)
    sending: asyncio.Lock = field(default_factory=asyncio.Lock)


def _miner(title: str) -> Miner:
    return Miner(
        subentry=ConfigSubentry(
            data=MappingProxyType({}), subentry_type="miner", title=title, unique_id=title
        ),
        client=MinerClient("127.0.0.1", timeout=1, detect_timeout=1),
    )


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_second_command_waits_for_the_one_under_way(hass: HomeAssistant) -> None:
    miner, other = _miner("A"), _miner("B")
    events: list[str] = []
    release = asyncio.Event()

    async def slow_stop(_client: MinerClient) -> None:
        events.append("loop stop sent")
        await release.wait()
        events.append("loop stop answered")

    def record(name: str) -> MinerCommand:
        async def command(_client: MinerClient) -> None:
            events.append(name)

        return command

    loop_stop = asyncio.create_task(async_send(hass, miner, slow_stop))
    await _settle()
    switch_on = asyncio.create_task(async_send(hass, miner, record("switch start sent")))
    await async_send(hass, other, record("other miner's limit sent"))
    await _settle()
    assert events == ["loop stop sent", "other miner's limit sent"]
    assert not switch_on.done()

    release.set()
    await asyncio.gather(loop_stop, switch_on)
    assert events == [
        "loop stop sent",
        "other miner's limit sent",
        "loop stop answered",
        "switch start sent",
    ]


async def test_a_refused_command_lets_the_next_one_through(hass: HomeAssistant) -> None:
    miner = _miner("A")
    sent: list[str] = []

    async def refused(_client: MinerClient) -> None:
        raise MinerCommandError("no")

    async def accepted(_client: MinerClient) -> None:
        sent.append("accepted")

    with pytest.raises(HomeAssistantError) as refusal:
        await async_send(hass, miner, refused)
    assert refusal.value.translation_key == "command_refused"
    await asyncio.wait_for(async_send(hass, miner, accepted), timeout=1)
    assert sent == ["accepted"]
    assert not miner.sending.locked()
