"""Braiins OS+ replies decoded off the wire hold what pyasic's conversion gives for the fields read."""

from dataclasses import dataclass
from typing import Any

import betterproto
import pytest
from pyasic.web.braiins_os.proto.braiins.bos.v1 import (
    GetHashboardsResponse,
    GetMinerDetailsResponse,
    Hashboard,
    PerformanceMode,
    PoolStats,
    Power,
    PowerTargetMode,
    TunerPerformanceMode,
)

from custom_components.hashheat import boser
from custom_components.hashheat.miner_client import MinerClient
from custom_components.hashheat.proto_dict import message_to_dict
from custom_components.hashheat.proto_lean import LeanDecodeError, LeanReply, Reads, last_field_of
from sim import Fleet


def project(full: Any, reads: Reads | None) -> Any:
    """The part of pyasic's dict that ``reads`` names (keys as pyasic's dicts spell them)."""
    if reads is None or not isinstance(full, dict | list):
        return full
    if isinstance(full, list):
        return [project(item, reads) for item in full]
    keys = {betterproto.Casing.CAMEL(name).rstrip("_"): name for name in reads}
    return {key: project(value, reads[keys[key]]) for key, value in full.items() if key in keys}


def full_dict(message_type: type[betterproto.Message], wire: bytes) -> dict[str, Any]:
    """What pyasic makes of a reply (its own ``to_pydict``) off the same bytes."""
    return message_type.FromString(wire).to_pydict()


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro BOS+"]], indirect=True)
async def test_every_poll_reply_holds_what_pyasic_reads(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    (miner,) = fleet.miners
    seen: list[tuple[type[betterproto.Message], bytes, Any]] = []
    decode = boser.LeanCodec.decode

    def recording(codec: boser.LeanCodec, data: bytes, message_type: Any) -> Any:
        reply = decode(codec, data, message_type)
        seen.append((message_type, bytes(data), reply))
        return reply

    monkeypatch.setattr(boser.LeanCodec, "decode", recording)
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    try:
        identity = await client.identify()
        reading = await client.read()
    finally:
        client.close()

    assert identity.mac == miner.identity.mac
    assert reading.hashrate_ths == pytest.approx(104.0, rel=0.05)
    assert reading.power_limit_w == 3250
    assert reading.hashboards_working == 3
    assert reading.active_pool
    assert {message_type for message_type, _, _ in seen} == set(boser.LEAN_REPLIES)
    for message_type, wire, reply in seen:
        lean = boser.LEAN_REPLIES[message_type]
        assert reply == project(full_dict(message_type, wire), lean.reads), message_type
    assert any(reply.get("hashboards") for _, _, reply in seen)


@dataclass(eq=False, repr=False)
class Sample(betterproto.Message):
    """A message with a field of each kind the decoder reads (and some it does not)."""

    text: str = betterproto.string_field(1)
    count: int = betterproto.uint64_field(2)
    signed: int = betterproto.int32_field(3)
    zigzag: int = betterproto.sint64_field(4)
    flag: bool = betterproto.bool_field(5)
    ratio: float = betterproto.double_field(6)
    small: float = betterproto.float_field(7)
    maybe: str | None = betterproto.string_field(8, optional=True)
    wrapped: int | None = betterproto.message_field(9, wraps=betterproto.TYPE_UINT32)
    child: Power = betterproto.message_field(10)  # noqa: RUF009
    children: list[Power] = betterproto.message_field(11)  # noqa: RUF009
    first: Power = betterproto.message_field(12, group="choice")  # noqa: RUF009
    second: int = betterproto.uint32_field(13, group="choice")
    ignored: str = betterproto.string_field(14)
    numbers: list[int] = betterproto.uint32_field(15)  # noqa: RUF009


SAMPLE_READS: Reads = {
    "text": None,
    "count": None,
    "signed": None,
    "zigzag": None,
    "flag": None,
    "ratio": None,
    "small": None,
    "maybe": None,
    "wrapped": None,
    "child": {"watt": None},
    "children": {"watt": None},
    "first": {"watt": None},
    "second": None,
}


@pytest.mark.parametrize(
    "message",
    [
        Sample(),
        Sample(text="x", count=2**40, signed=-5, zigzag=-(2**40), flag=True, ratio=1.5, small=0.25),
        Sample(maybe="", wrapped=0, child=Power(), children=[Power(), Power(7)]),
        Sample(maybe="set", wrapped=12, child=Power(3), first=Power(0), ignored="not read"),
        Sample(second=0),  # a oneof's choice at its default
        Sample(first=Power(9)),
    ],
    ids=["empty", "scalars", "defaults-present", "set", "oneof-zero", "oneof-message"],
)
def test_each_kind_of_field_as_pyasic(message: Sample) -> None:
    wire = bytes(message)
    lean = LeanReply(Sample, SAMPLE_READS).decode(wire)
    assert lean == project(message_to_dict(Sample.FromString(wire)), SAMPLE_READS)
    assert lean == project(full_dict(Sample, wire), SAMPLE_READS)
    assert "ignored" not in lean


def test_only_the_last_choice_of_a_oneof_stays() -> None:
    wire = bytes(Sample(first=Power(9))) + bytes(Sample(second=4))  # concatenated: both on wire
    assert LeanReply(Sample, SAMPLE_READS).decode(wire) == {"second": 4}
    assert full_dict(Sample, wire) == {"second": 4}
    # a choice not read still drops the one read
    only_first = LeanReply(Sample, {"first": {"watt": None}})
    assert only_first.decode(bytes(Sample(first=Power(9)))) == {"first": {"watt": 9}}
    assert only_first.decode(wire) == {}


def test_a_scalar_set_back_to_its_default_is_left_out() -> None:
    wire = bytes(Sample(count=3)) + b"\x10\x00"  # field 2 again, now 0: the last one counts
    assert LeanReply(Sample, SAMPLE_READS).decode(wire) == {}
    assert full_dict(Sample, wire) == {}


def test_nested_reads_and_unread_fields() -> None:
    reads: Reads = {"tuner_mode": {"power_target": {"power_target": {"watt": None}}}}
    lean = LeanReply(PerformanceMode, reads)
    for message in (
        PerformanceMode(),
        PerformanceMode(tuner_mode=TunerPerformanceMode()),
        PerformanceMode(tuner_mode=TunerPerformanceMode(power_target=PowerTargetMode(Power(0)))),
        PerformanceMode(tuner_mode=TunerPerformanceMode(power_target=PowerTargetMode(Power(2345)))),
    ):
        wire = bytes(message)
        assert lean.decode(wire) == project(full_dict(PerformanceMode, wire), reads)
    boards = GetHashboardsResponse(
        hashboards=[Hashboard(id="1", enabled=True, chips_count=0), Hashboard(id="2")]
    )
    only_ids = LeanReply(GetHashboardsResponse, {"hashboards": {"id": None, "chips_count": None}})
    assert only_ids.decode(bytes(boards)) == {
        "hashboards": [{"id": "1", "chipsCount": 0}, {"id": "2"}]
    }


@pytest.mark.parametrize(
    "wire",
    [
        b"\x0a\x05ab",  # a string longer than the message
        b"\x10",  # a varint cut short
        b"\x10" + b"\xff" * 10 + b"\x01",  # a varint longer than 64 bits
        b"\x0b",  # wire type 3 (groups) is not protobuf 3
        b"\x08\x01",  # field 1 (a string) as a varint
        b"\x0a\x02\xff\xfe",  # not UTF-8
        b"\x31\x00\x00",  # a double cut short
    ],
)
def test_malformed_bytes_fail_as_one_error(wire: bytes) -> None:
    with pytest.raises(LeanDecodeError):
        LeanReply(Sample, SAMPLE_READS).decode(wire)


@pytest.mark.parametrize(
    ("wire", "choice"),
    [
        (b"\x12\x04\x08\x00\x2a\x00", 5),  # temperature { minimum_required_fans, immersion }
        (b"\x12\x04\x22\x00\x32\x00", 6),  # disabled, then hydro: the last choice counts
        (b"\x12\x02\x08\x01", None),  # no mode on the wire
        (b"\x1a\x02\x08\x01", None),  # no temperature at all (only a tuner)
    ],
)
def test_the_last_choice_of_a_oneof_the_classes_lack(wire: bytes, choice: int | None) -> None:
    assert last_field_of(wire, (2,), {2, 3, 4, 5, 6}) == choice


def test_a_malformed_path_fails_as_one_error() -> None:
    with pytest.raises(LeanDecodeError):
        last_field_of(b"\x12\x05\x2a\x00", (2,), {5})  # a message longer than its parent


@pytest.mark.parametrize(
    ("message_type", "reads", "named"),
    [
        (Sample, {"no_such_field": None}, "Sample has no field no_such_field"),
        (Sample, {"text": {"watt": None}}, "Sample.text has no fields"),
        (Sample, {"child": {"no_such_field": None}}, "Power has no field no_such_field"),
        (Sample, {"numbers": None}, "Sample.numbers cannot"),  # packed repeated scalars
        (GetMinerDetailsResponse, {"platform": None}, "platform cannot"),  # an enum
        (PoolStats, {"last_share_time": None}, "last_share_time is not"),  # a timestamp
    ],
)
def test_what_cannot_be_read_is_refused_up_front(
    message_type: type[betterproto.Message], reads: Reads, named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        LeanReply(message_type, reads)


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro BOS+"]], indirect=True)
async def test_details_are_read_once_in_ten_polls_and_after_a_dropped_connection(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    (miner,) = fleet.miners
    replies: list[type[betterproto.Message]] = []
    decode = boser.LeanCodec.decode

    def counting(codec: boser.LeanCodec, data: bytes, message_type: Any) -> Any:
        replies.append(message_type)
        return decode(codec, data, message_type)

    monkeypatch.setattr(boser.LeanCodec, "decode", counting)
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    try:
        readings = [await client.read() for _ in range(boser.DETAILS_POLLS + 1)]
        assert replies.count(GetMinerDetailsResponse) == 2  # the first poll and the eleventh
        assert replies.count(GetHashboardsResponse) == boser.DETAILS_POLLS + 1
        client.close()  # as after a transport failure
        readings.append(await client.read())
    finally:
        client.close()

    assert replies.count(GetMinerDetailsResponse) == 3
    assert {reading.expected_hashrate_ths for reading in readings} == {104.0}
