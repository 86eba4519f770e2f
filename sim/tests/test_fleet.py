"""Fleets, addresses, bind failures and the command line."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sim import Fleet, SimulatedMiner, SimulatorBindError, loopback_addresses, start_fleet
from sim.__main__ import build_parser, main, run_fleet
from sim.fleet import resolve_model
from sim.tests.helpers import command, find_miner, listening, printed

REPO = Path(__file__).resolve().parents[2]


def test_loopback_addresses_skip_0_and_255() -> None:
    assert loopback_addresses("127.42.0.1", 3) == ["127.42.0.1", "127.42.0.2", "127.42.0.3"]
    assert loopback_addresses("127.42.0.254", 3) == ["127.42.0.254", "127.42.1.1", "127.42.1.2"]
    assert loopback_addresses("127.42.0.0", 1) == ["127.42.0.1"]
    assert loopback_addresses("127.1.1.1", 0) == []


def test_loopback_addresses_reject_non_loopback() -> None:
    with pytest.raises(ValueError, match="not a 127"):
        loopback_addresses("10.0.0.1", 1)
    with pytest.raises(ValueError, match="run past"):
        loopback_addresses("127.255.255.254", 2)


def test_resolve_model() -> None:
    assert resolve_model("Antminer S21").chips_per_board == 108
    with pytest.raises(ValueError, match="unknown model"):
        resolve_model("Antminer S9")


async def test_fleet_of_three(address: Callable[[int], str]) -> None:
    async with start_fleet(count=3, first_address=address(253), retune_seconds=1) as fleet:
        assert isinstance(fleet, Fleet)
        assert len(fleet) == 3
        assert fleet.hosts == [address(253), address(254), fleet[2].host]
        assert fleet[2].host.endswith(".1")  # crossed into the next /24, skipping .255/.0
        found = await asyncio.gather(*(find_miner(h) for h in fleet.hosts))
        assert [str(m.ip) for m in found if m is not None] == fleet.hosts
        assert len({m.identity.mac for m in fleet}) == 3
        assert fleet.by_host(fleet.hosts[1]) is fleet.miners[1]
        with pytest.raises(KeyError):
            fleet.by_host("127.0.0.99")
        seeds = [m.state.seed for m in fleet]
        assert seeds == [0, 1, 2]
        fleet[1].fluid_temp_c = 30.0
        assert fleet[1].state.fluid_temp_c == 30.0
        assert fleet[1].fluid_temp_c == 30.0
        reply = await command(fleet[0], "version")
        assert reply["VERSION"][0]["Type"] == "Antminer S19 XP"


async def test_bind_failure_is_clear(address: Callable[[int], str]) -> None:
    async with SimulatedMiner(address(1)):
        clash = SimulatedMiner(address(1))
        with pytest.raises(SimulatorBindError, match=rf"cannot listen on {address(1)}:4028"):
            await clash.start()
        assert not listening(clash)


async def test_fleet_start_rolls_back_on_bind_failure(address: Callable[[int], str]) -> None:
    async with SimulatedMiner(address(2)):
        fleet = start_fleet(count=3, first_address=address(1))
        with pytest.raises(SimulatorBindError):
            await fleet.start()
        assert not listening(fleet[0])


def test_cli_parser() -> None:
    args = build_parser().parse_args(
        ["fleet", "--count", "4", "--first-address", "127.9.0.1", "--retune-seconds", "2"]
    )
    assert (args.count, args.first_address, args.retune_seconds) == (4, "127.9.0.1", 2.0)
    assert args.port == 4028
    assert args.model is None


def test_cli_bind_failure_exit_code(
    address: Callable[[int], str], capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind((address(1), 4028))
        blocker.listen()
        assert main(["fleet", "--count", "1", "--first-address", address(1)]) == 2
    assert "cannot listen on" in capsys.readouterr().err


def test_cli_bad_address_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "--first-address", "192.168.1.1"]) == 2
    assert "not a 127" in capsys.readouterr().err


async def test_run_fleet_in_process(
    address: Callable[[int], str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["fleet", "--count", "2", "--first-address", address(1)])
    stop = asyncio.Event()
    task = asyncio.create_task(run_fleet(args, stop))
    out = await printed(capsys, "Press Ctrl-C")
    assert (await find_miner(address(2))) is not None
    stop.set()
    await task
    assert f"{address(1)}\n{address(2)}\n" in out


def _as_background_job() -> None:
    """Start as a non-interactive shell starts a background job: with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGINT delivery")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl_c", "sigterm"])
@pytest.mark.parametrize("background", [False, True], ids=["foreground", "background"])
async def test_cli_subprocess_runs_until_ctrl_c_or_sigterm(
    address: Callable[[int], str], signum: signal.Signals, *, background: bool
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sim",
        "fleet",
        "--count",
        "2",
        "--first-address",
        address(1),
        "--retune-seconds",
        "5",
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_as_background_job if background else None,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(20):
        while not lines or not lines[-1].startswith("Press Ctrl-C"):
            lines.append((await proc.stdout.readline()).decode().strip())
    assert lines[1:3] == [address(1), address(2)]
    found = await find_miner(address(2))
    assert found is not None
    proc.send_signal(signum)
    async with asyncio.timeout(10):
        assert await proc.wait() == 0
