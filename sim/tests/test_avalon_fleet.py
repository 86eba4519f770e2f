"""Avalon and mixed fleets: model resolution, identities, helpers and the command line."""

import asyncio
from collections.abc import Callable

import pytest
from pyasic.miners.antminer.bosminer.X19.S19 import BOSMinerS19jPro
from pyasic.miners.antminer.luxos.X19.S19 import LUXMinerS19XP
from pyasic.miners.antminer.vnish.X19.S19 import VNishS19jPro
from pyasic.miners.avalonminer.cgminer.mini.mini3 import CGMinerAvalonMini3
from pyasic.miners.avalonminer.cgminer.Q.Q import CGMinerAvalonQHome
from pyasic.miners.whatsminer.btminer.M6X.M63S import BTMinerM63SVK30

from sim import (
    AVALON_Q,
    MINI3,
    S19XP,
    AvalonApi,
    Firmware,
    LuxosApi,
    SimulatedMiner,
    SimulatorBindError,
    start_fleet,
)
from sim.__main__ import build_parser, main, run_fleet
from sim.families import choose_model, resolve_model
from sim.tests.helpers import WEB_PORT, find_miner, listening, printed


def test_resolve_and_choose_models() -> None:
    assert resolve_model("Avalon Mini3") is MINI3
    assert resolve_model("avalon mini 3") is MINI3
    assert resolve_model("AVALON Q") is AVALON_Q
    assert resolve_model("Avalon Q Home") is AVALON_Q
    assert choose_model(None, None) is S19XP
    assert choose_model(None, "avalon") is MINI3
    assert choose_model("Avalon Q", Firmware.AVALON) is AVALON_Q
    with pytest.raises(ValueError, match="does not run luxos"):
        choose_model("Avalon Mini3", "luxos")
    with pytest.raises(ValueError, match="unknown model"):
        resolve_model("Avalon 1566")
    with pytest.raises(ValueError, match="avalon2"):
        choose_model(None, "avalon2")


async def test_mixed_fleet(address: Callable[[int], str]) -> None:
    models = ["Antminer S19 XP", "Avalon Mini3", "Avalon Q"]
    async with start_fleet(count=4, first_address=address(1), models=models, noise=0) as fleet:
        assert [m.firmware for m in fleet] == ["luxos", "avalon", "avalon", "luxos"]
        assert [m.model.name for m in fleet] == [*models, "Antminer S19 XP"]
        assert isinstance(fleet[0].api, LuxosApi)
        assert isinstance(fleet[1].api, AvalonApi)
        found = await asyncio.gather(*(find_miner(h) for h in fleet.hosts))
        types = [type(m) for m in found]
        assert types == [LUXMinerS19XP, CGMinerAvalonMini3, CGMinerAvalonQHome, LUXMinerS19XP]
        assert len({m.identity.mac for m in fleet}) == 4
        assert len({m.identity.serial for m in fleet}) == 4
        assert len({m.identity.hostname for m in fleet}) == 4
        mini3 = fleet[1]
        assert mini3.identity.mac.startswith("02:41:56:")
        assert mini3.identity.hostname.startswith("avalon-mini3-")
        assert [m.state.seed for m in fleet] == [0, 1, 2, 3]


async def test_avalon_fleet_by_firmware(address: Callable[[int], str]) -> None:
    async with start_fleet(count=2, first_address=address(1), firmware="avalon") as fleet:
        assert {m.model.name for m in fleet} == {"Avalon Mini3"}
        assert all(m.work_level == 0 for m in fleet)


def test_fleet_argument_conflicts() -> None:
    with pytest.raises(ValueError, match="not both"):
        start_fleet(count=1, models=["Avalon Q"], firmware="avalon")
    with pytest.raises(ValueError, match="at least one"):
        start_fleet(count=1, models=[])


def test_work_level_helpers() -> None:
    mini3 = SimulatedMiner("127.250.0.1", firmware="avalon", profile="-1")
    assert mini3.work_level == -1
    mini3.set_work_level(0)
    assert mini3.state.profile.watts == 800
    with pytest.raises(KeyError):
        mini3.set_work_level(2)
    mini3.expire_session()  # no sessions on an Avalon: nothing happens
    assert "Avalon Mini3" in repr(mini3)
    luxos = SimulatedMiner("127.250.0.2")
    with pytest.raises(TypeError, match="runs luxos: no work levels"):
        _ = luxos.work_level
    with pytest.raises(TypeError):
        luxos.set_work_level(0)


async def test_web_page(address: Callable[[int], str]) -> None:
    async with SimulatedMiner(address(1), firmware="avalon", web_port=WEB_PORT) as sim:
        assert sim.web is not None
        assert sim.web.listening
        reader, writer = await asyncio.open_connection(sim.host, WEB_PORT)
        writer.write(b"GET /get_miner_info.cgi HTTP/1.1\r\nHost: x\r\n\r\n")
        raw = await reader.read()
        writer.close()
        assert raw.startswith(b"HTTP/1.1 200 OK")
        assert raw.endswith(b");")
        assert f'"mac": "{sim.identity.mac}"'.encode() in raw
        for path, first in ((b"/", b"HTTP/1.1 200"), (b"/nope", b"HTTP/1.1 404")):
            reader, writer = await asyncio.open_connection(sim.host, WEB_PORT)
            writer.write(b"GET " + path + b" HTTP/1.1\r\n\r\n")
            assert (await reader.read()).startswith(first)
            writer.close()
        sim.faults.offline = True  # accepted, closed unanswered
        reader, writer = await asyncio.open_connection(sim.host, WEB_PORT)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        assert await reader.read() == b""
        writer.close()
    assert not sim.web.listening


async def test_web_bind_failure_rolls_back(address: Callable[[int], str]) -> None:
    async with SimulatedMiner(address(1), firmware="avalon", port=4029, web_port=WEB_PORT):
        clash = SimulatedMiner(address(1), firmware="avalon", web_port=WEB_PORT)
        with pytest.raises(SimulatorBindError, match="cannot serve HTTP"):
            await clash.start()
        assert not listening(clash)


def test_cli_parser_families() -> None:
    args = build_parser().parse_args(["fleet", "--firmware", "avalon", "--web-port", "8080"])
    assert (args.firmware, args.model, args.mix, args.web_port) == ("avalon", None, False, 8080)
    args = build_parser().parse_args(["fleet", "--mix", "--count", "4"])
    assert args.mix is True
    args = build_parser().parse_args(["fleet", "--model", "Avalon Q"])
    assert args.model == "Avalon Q"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fleet", "--mix", "--model", "Avalon Q"])


def test_cli_rejects_firmware_with_mix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "--mix", "--firmware", "avalon", "--first-address", "127.9.0.1"]) == 2
    assert "--firmware cannot be combined" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            ["--mix"],
            [LUXMinerS19XP, CGMinerAvalonMini3, BTMinerM63SVK30, VNishS19jPro, BOSMinerS19jPro],
        ),
        (["--firmware", "avalon"], [CGMinerAvalonMini3, CGMinerAvalonMini3]),
        (["--models", "Avalon Q, Antminer S19 XP"], [CGMinerAvalonQHome, LUXMinerS19XP]),
    ],
)
async def test_run_fleet_families(
    address: Callable[[int], str],
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    expected: list[type],
) -> None:
    argv = ["fleet", "--count", str(len(expected)), "--first-address", address(1), *flags]
    stop = asyncio.Event()
    task = asyncio.create_task(run_fleet(build_parser().parse_args(argv), stop))
    out = await printed(capsys, "Press Ctrl-C")
    found = [await find_miner(address(n)) for n in range(1, len(expected) + 1)]
    stop.set()
    await task
    # By name: pyasic builds a Whatsminer's class anew for its API version.
    assert [type(m).__name__ for m in found] == [cls.__name__ for cls in expected]
    assert f"{address(1)}\n{address(2)}\n" in out
