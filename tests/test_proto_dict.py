"""Braiins OS+ replies become the same dicts as with pyasic's own conversion."""

from typing import Any

import pytest
from betterproto import Message
from pyasic.web.braiins_os.proto.braiins.bos.v1 import (
    PerformanceMode,
    Power,
    PowerTargetMode,
    TunerPerformanceMode,
)

from custom_components.hashheat import boser
from custom_components.hashheat.miner_client import MinerClient
from custom_components.hashheat.proto_dict import message_to_dict
from sim import Fleet


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro BOS+"]], indirect=True)
async def test_every_reply_converts_as_pyasic_converts_it(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    (miner,) = fleet.miners
    converted: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def compare(reply: Message) -> dict[str, Any]:
        theirs = type(reply).FromString(bytes(reply)).to_pydict()  # a fresh copy off the wire
        ours = message_to_dict(reply)
        converted.append((type(reply).__name__, ours, theirs))
        return ours

    monkeypatch.setattr(boser, "message_to_dict", compare)
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    try:
        await client.identify()
        capabilities = await client.capabilities()
        await client.read()  # its replies are decoded lean (tests/test_proto_lean.py)
        await client.set_power_limit(capabilities, 2345)
        await client.pause()
        await client.resume()
        await client.set_power_limit(capabilities, 2400)  # by what the type's first reply taught
    finally:
        client.close()

    names = [name for name, _, _ in converted]
    assert names.count("SetPowerTargetResponse") == 2
    assert {"PauseMiningResponse", "ResumeMiningResponse"} <= set(names)
    assert not {type_.__name__ for type_ in boser.LEAN_REPLIES} & set(names)
    for name, ours, theirs in converted:
        assert ours == theirs, name
    assert any(ours.get("powerTarget") for _, ours, _ in converted)


@pytest.mark.parametrize(
    "message",
    [
        PerformanceMode(),  # nothing set
        PerformanceMode(tuner_mode=TunerPerformanceMode()),  # a oneof's choice at its default
        PerformanceMode(tuner_mode=TunerPerformanceMode(power_target=PowerTargetMode(Power(0)))),
        PerformanceMode(tuner_mode=TunerPerformanceMode(power_target=PowerTargetMode(Power(2345)))),
    ],
    ids=["empty", "chosen-empty", "zero-watts", "watts"],
)
def test_defaults_and_oneofs_as_pyasic(message: PerformanceMode) -> None:
    assert message_to_dict(message) == message.to_pydict()
    wire = bytes(message)
    assert message_to_dict(PerformanceMode.FromString(wire)) == (
        PerformanceMode.FromString(wire).to_pydict()
    )
