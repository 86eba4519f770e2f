"""Validation of user-typed miner addresses."""

import pytest

from custom_components.hashheat.hosts import normalize_host


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.50", "192.168.1.50"),
        ("  10.0.0.7 ", "10.0.0.7"),
        ("fe80::0001", "fe80::1"),
        ("Miner-07.local", "miner-07.local"),
        ("miner07.", "miner07"),
    ],
)
def test_valid_hosts_are_normalized(text: str, expected: str) -> None:
    assert normalize_host(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "http://192.168.1.50",
        "192.168.1.50:4028",
        "300.1.1.1",
        "-miner",
        "miner_07",
        "a" * 254,
        "<script>",
        "10.0.0.1/24",
    ],
)
def test_invalid_hosts_are_rejected(text: str) -> None:
    assert normalize_host(text) is None
