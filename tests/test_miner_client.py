"""The pyasic boundary: MAC parsing and turning pyasic data into readings."""

import asyncio
import subprocess
import sys

import pytest
from freezegun.api import FrozenDateTimeFactory
from pyasic.device.algorithm.hashrate.sha256 import SHA256HashRate
from pyasic.device.algorithm.hashrate.unit.sha256 import SHA256Unit
from pyasic.miners.antminer.bmminer.X19.S19 import BMMinerS19XP
from pyasic.miners.bitaxe.espminer.BM.BM1370 import BitAxeGamma

from custom_components.hashheat.miner_client import (
    UNREAD_RETRY_READS,
    MinerClient,
    MinerNotDetectedError,
    MinerUnreachableError,
    _rpc_config_mac,
    display_text,
    mac_from_luxos_config,
    normalize_mac,
    text_or_none,
)
from custom_components.hashheat.miner_data import (
    EmptyReadingError,
    reading_from_data,
    to_terahash,
)
from custom_components.hashheat.pyasic_loader import MinerData
from sim import Fleet, until


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AA:BB:CC:00:11:22", "aa:bb:cc:00:11:22"),
        ("aa-bb-cc-00-11-22", "aa:bb:cc:00:11:22"),
        ("00:00:00:00:00:00", None),
        ("ff:ff:ff:ff:ff:ff", None),
        ("not a mac", None),
        (None, None),
        (42, None),
    ],
)
def test_normalize_mac(value: object, expected: str | None) -> None:
    assert normalize_mac(value) == expected


def test_reading_from_all_none_data_is_unreachable() -> None:
    """A refused connection gives pyasic data full of None: that is not a miner at 0 W."""
    with pytest.raises(EmptyReadingError):
        reading_from_data(MinerData(ip="127.0.0.1"))


def test_reading_keeps_a_zero_power_miner() -> None:
    """A sleeping miner that reports 0 TH/s at a few watts is reachable, not missing."""
    reading = reading_from_data(MinerData(ip="127.0.0.1", wattage=9))
    assert reading.power_w == 9.0
    assert reading.hashrate_ths is None


def test_reading_rejects_non_numeric_power() -> None:
    data = MinerData(ip="127.0.0.1")
    object.__setattr__(data, "wattage", True)
    with pytest.raises(EmptyReadingError):
        reading_from_data(data)


def _root_logging_survives(module: str) -> bool:
    code = (
        "import logging, sys\n"
        "logging.getLogger().setLevel(logging.DEBUG)\n"
        "handlers = list(logging.getLogger().handlers)\n"
        f"import {module}\n"
        "root = logging.getLogger()\n"
        "sys.exit(0 if root.level == logging.DEBUG and root.handlers == handlers else 1)\n"
    )
    completed = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code], check=False, timeout=120
    )
    return completed.returncode == 0


def test_importing_pyasic_leaves_root_logging_alone() -> None:
    """pyasic resets the root logger on import (the control); the loader undoes that."""
    assert not _root_logging_survives("pyasic")
    assert _root_logging_survives("custom_components.hashheat.pyasic_loader")


def test_anyio_asyncio_backend_is_imported_up_front() -> None:
    assert "anyio._backends._asyncio" in sys.modules


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ({"CONFIG": [{"MACAddr": "02:48:48:00:00:01"}]}, "02:48:48:00:00:01"),
        ({"CONFIG": [{"MACAddr": "00:00:00:00:00:00"}]}, None),
        ({"CONFIG": [{}]}, None),
        ({"CONFIG": []}, None),
        ({}, None),
        (None, None),
    ],
)
def test_mac_from_luxos_config(reply: object, expected: str | None) -> None:
    assert mac_from_luxos_config(reply) == expected


def test_to_terahash_converts_units_and_rejects_non_hashrates() -> None:
    assert to_terahash(SHA256HashRate(rate=141_000, unit=SHA256Unit.GH)) == pytest.approx(141.0)
    assert to_terahash(None) is None
    assert to_terahash("141 TH/s") is None


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("  ", None), (" LuxOS ", "LuxOS"), (7, "7")]
)
def test_text_or_none(value: object, expected: str | None) -> None:
    assert text_or_none(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (" \x00\t ", None),
        ("Braiins OS+ 23.03.3 (am2-s17)", "Braiins OS+ 23.03.3 (am2-s17)"),
        ("[fix](javascript:alert(1)) <b>**S21**</b>", "fix(javascript:alert(1)) bS21/b"),
        ("line\nbreak\u202e`code`|{x}~", "line breakcodex"),
        ("8" * 100, "8" * 64),
    ],
)
def test_display_text_is_plain_and_bounded(value: object, expected: str | None) -> None:
    """A miner's make, model and firmware cannot carry markup into titles and repair issues."""
    assert display_text(value) == expected


async def test_rpc_less_miner_has_no_config_mac() -> None:
    """Web-only firmware (no RPC) cannot answer the LuxOS config fallback."""
    assert await _rpc_config_mac(BitAxeGamma("127.0.0.1")) is None


async def test_client_detects_once_and_reads(fleet: Fleet) -> None:
    miner = fleet.miners[0]
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    assert not client.detected
    identity = await client.identify()
    assert client.detected
    assert identity.mac == miner.identity.mac
    assert identity.firmware == "LuxOS"
    reading = await client.read()
    assert reading.power_w == miner.state.snapshot().watts
    client.forget()
    assert not client.detected


async def test_a_pool_url_pyasic_cannot_parse_leaves_the_rest_readable(fleet: Fleet) -> None:
    """pyasic fails the whole read on such a URL; the miner is not unreachable for it."""
    miner = fleet.miners[0]
    miner.identity.pool_url = "stratum+tcp://pool.example.com:port"
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    reading = await client.read()
    assert reading.power_w == miner.state.snapshot().watts
    assert reading.active_pool is None


async def test_a_part_that_does_not_parse_is_left_out_until_tried_again(fleet: Fleet) -> None:
    """Not read twice at every poll; shown as unknown and a problem; tried again 10 min later."""
    miner = fleet.miners[0]
    miner.identity.pool_url = "stratum+tcp://pool.example.com:port"
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    await client.identify()
    before = miner.server.requests
    first = await client.read()
    with_retry = miner.server.requests - before
    before = miner.server.requests
    second = await client.read()
    assert miner.server.requests - before < with_retry
    assert first.unread == second.unread == ("pools",)
    assert second.has_problem
    assert second.power_w == miner.state.snapshot().watts
    miner.identity.pool_url = "stratum+tcp://pool.example.com:3333"
    for _ in range(UNREAD_RETRY_READS - 3):
        assert (await client.read()).unread == ("pools",)
    fixed = await client.read()
    assert fixed.unread == ()
    assert fixed.active_pool == "stratum+tcp://pool.example.com:3333"
    assert not fixed.has_problem


async def test_detection_of_a_hung_miner_hits_the_deadline(
    fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    miner.faults.hang = True
    client = MinerClient(miner.host, timeout=0.5, detect_timeout=0.5)
    identify = asyncio.ensure_future(client.identify())
    await until(lambda: miner.server.requests > 0)
    assert not identify.done()
    freezer.tick(0.6)  # past the deadline, before pyasic's own 1 s read timeout
    with pytest.raises(MinerNotDetectedError):
        await identify


async def test_garbage_while_identifying_is_unreachable(fleet: Fleet) -> None:
    miner = fleet.miners[0]
    client = MinerClient(miner.host, timeout=5, detect_timeout=10)
    await client.read()
    miner.faults.garbage = True
    with pytest.raises(MinerUnreachableError):
        await client.identify()
    with pytest.raises(MinerUnreachableError):
        await client.read()


def test_password_replaces_pyasic_defaults_on_every_api() -> None:
    miner = BMMinerS19XP("127.0.0.1")
    assert miner.web.pwd != "s3cret"
    client = MinerClient("127.0.0.1", timeout=1, detect_timeout=1, miner=miner, password="s3cret")
    assert client.detected
    assert miner.web.pwd == "s3cret"
    assert miner.rpc.pwd == "s3cret"
    untouched = BMMinerS19XP("127.0.0.1")
    default = untouched.web.pwd
    MinerClient("127.0.0.1", timeout=1, detect_timeout=1, miner=untouched)
    assert untouched.web.pwd == default


@pytest.mark.parametrize(
    "fleet",
    [
        ["Antminer S19 XP"] * 3,
        ["Avalon Mini3"] * 3,
        ["Whatsminer M63S"] * 3,
        ["Antminer S19j Pro VNish"] * 3,
        ["Antminer S19j Pro BOS+"] * 3,
    ],
    indirect=True,
    ids=["luxos", "avalon", "whatsminer", "vnish", "braiins"],
)
async def test_three_miners_of_a_family_are_three_identities(fleet: Fleet) -> None:
    """Each firmware gives the MAC (and what else it has) the way it reports it."""
    clients = [MinerClient(miner.host, timeout=5, detect_timeout=10) for miner in fleet]
    identities = [await client.identify() for client in clients]
    for client in clients:
        client.close()
    assert [identity.mac for identity in identities] == [m.identity.mac for m in fleet]
    assert len({identity.mac for identity in identities}) == 3
    if fleet[0].whatsminer or fleet[0].braiins:  # these also report the serial number
        assert [identity.serial for identity in identities] == [m.identity.serial for m in fleet]
