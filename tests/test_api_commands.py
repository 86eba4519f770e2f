"""A miner's API commands are worked out once, at detection, and stay pyasic's list."""

from typing import Any

import pytest

from custom_components.hashheat.miner_client import MinerClient
from custom_components.hashheat.pyasic_loader import get_miner
from sim import Fleet


@pytest.mark.parametrize(
    "fleet",
    [
        ["Antminer S19 XP"],
        ["Avalon Mini3"],
        ["Whatsminer M63S"],
        ["Antminer S19j Pro VNish"],
        ["Antminer S19j Pro BOS+"],
    ],
    indirect=True,
    ids=["luxos", "avalon", "whatsminer", "vnish", "braiins"],
)
async def test_polls_use_the_commands_found_at_detection(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    (simulated,) = fleet.miners
    miner = await get_miner(simulated.host)
    assert miner is not None
    apis: list[Any] = [api for api in (miner.rpc, miner.web) if hasattr(api, "get_commands")]
    assert apis
    pyasic_lists = [type(api).get_commands(api) for api in apis]
    client = MinerClient(simulated.host, timeout=5, detect_timeout=10, miner=miner)
    try:
        assert [api.get_commands() for api in apis] == pyasic_lists

        def walk(_api: object) -> list[str]:
            raise AssertionError("the commands were worked out again")

        for api in apis:
            monkeypatch.setattr(type(api), "get_commands", walk)
        first = await client.read()
        second = await client.read()
    finally:
        client.close()
    assert first.hashrate_ths
    assert second.hashrate_ths
