"""Data files packaged in a wheel, read from the archive without installing or importing it."""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WheelFile", "read_wheel_file"]


@dataclass(frozen=True, kw_only=True, slots=True)
class WheelFile:
    """A file's text and where it came from (the wheel's file name and the member's path)."""

    text: str
    wheel: str
    member: str


def read_wheel_file(folder: Path, distribution: str, member: str) -> WheelFile:
    """The text (UTF-8) of ``member`` in the one wheel of ``distribution`` in ``folder``.

    Raises FileNotFoundError when the folder holds no wheel of the distribution or the wheel no
    such member, and ValueError when it holds more than one wheel of it.
    """
    # Wheel file names spell the distribution with runs of -_. as one underscore (PEP 427).
    name = re.sub(r"[-_.]+", "_", distribution).lower()
    wheels = [
        path
        for path in sorted(folder.glob("*.whl"))
        if re.sub(r"[-_.]+", "_", path.name.split("-")[0]).lower() == name
    ]
    if not wheels:
        raise FileNotFoundError(f"no wheel of {distribution} in {folder}")
    if len(wheels) > 1:
        raise ValueError(f"more than one wheel of {distribution} in {folder}: {wheels}")
    with zipfile.ZipFile(wheels[0]) as archive:
        try:
            data = archive.read(member)
        except KeyError:
            raise FileNotFoundError(f"{wheels[0].name} has no {member}") from None
    return WheelFile(text=data.decode("utf-8"), wheel=wheels[0].name, member=member)
