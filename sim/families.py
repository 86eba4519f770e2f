"""Firmware families (LuxOS, Avalon, Whatsminer, VNish, Braiins OS+), models and identities."""

import enum
import ipaddress

from sim.firmware.avalon.models import AVALON_MODELS, MINI3, AvalonModel
from sim.firmware.braiins.models import BRAIINS_MODELS, S19J_PRO_BRAIINS, BraiinsModel
from sim.firmware.vnish.models import S19J_PRO_VNISH, VNISH_MODELS, VNishModel
from sim.firmware.whatsminer.models import M63S, WHATSMINER_MODELS, WhatsminerModel
from sim.identity import Identity
from sim.physics import MODELS, S19XP, MinerModel

type AnyModel = MinerModel | AvalonModel | WhatsminerModel | VNishModel | BraiinsModel
"""A LuxOS, Avalon, Whatsminer, VNish or Braiins OS+ model."""

ALL_MODELS: dict[str, AnyModel] = {
    **MODELS,
    **AVALON_MODELS,
    **WHATSMINER_MODELS,
    **VNISH_MODELS,
    **BRAIINS_MODELS,
}
# Other spellings: Canaan's product names and pyasic's factory keys.
_ALIASES = {
    "avalon mini 3": "Avalon Mini3",
    "avalon q home": "Avalon Q",
}


class Firmware(enum.StrEnum):
    """The firmware family a simulated miner runs, which decides its API."""

    LUXOS = "luxos"
    AVALON = "avalon"
    WHATSMINER = "whatsminer"
    VNISH = "vnish"
    BRAIINS = "braiins"


DEFAULT_MODELS: dict[Firmware, AnyModel] = {
    Firmware.LUXOS: S19XP,
    Firmware.AVALON: MINI3,
    Firmware.WHATSMINER: M63S,
    Firmware.VNISH: S19J_PRO_VNISH,
    Firmware.BRAIINS: S19J_PRO_BRAIINS,
}


def resolve_model(model: AnyModel | str) -> AnyModel:
    """Accept a model object or a name such as ``"Antminer S19 XP"`` or ``"Avalon Mini3"``.

    Names are matched case-insensitively; ``"Avalon Mini 3"`` and ``"Avalon Q Home"`` work
    too. Raises ValueError for unknown names.
    """
    if isinstance(model, (MinerModel, AvalonModel, WhatsminerModel, VNishModel, BraiinsModel)):
        return model
    by_lower = {name.lower(): m for name, m in ALL_MODELS.items()}
    key = model.strip().lower()
    key = _ALIASES.get(key, key).lower()
    try:
        return by_lower[key]
    except KeyError:
        known = ", ".join(sorted(ALL_MODELS))
        raise ValueError(f"unknown model {model!r}; known: {known}") from None


def firmware_of(model: AnyModel) -> Firmware:
    """The family a model belongs to."""
    if isinstance(model, AvalonModel):
        return Firmware.AVALON
    if isinstance(model, WhatsminerModel):
        return Firmware.WHATSMINER
    if isinstance(model, VNishModel):
        return Firmware.VNISH
    if isinstance(model, BraiinsModel):
        return Firmware.BRAIINS
    return Firmware.LUXOS


def choose_model(model: AnyModel | str | None, firmware: Firmware | str | None) -> AnyModel:
    """Resolve ``model`` and ``firmware`` together; either may be omitted.

    Raises ValueError when they disagree (e.g. ``firmware="luxos"`` with an Avalon).
    """
    family = None if firmware is None else Firmware(firmware)
    if model is None:
        return DEFAULT_MODELS[family or Firmware.LUXOS]
    resolved = resolve_model(model)
    if family is not None and firmware_of(resolved) is not family:
        raise ValueError(f"{resolved.name} does not run {family.value} firmware")
    return resolved


def identity_for(host: str, model: AnyModel) -> Identity:
    """A unique, stable identity for a miner at ``host`` (a 127.x.y.z address).

    MACs are locally administered: ``02:48:48:x:y:z`` for LuxOS, ``02:41:56:x:y:z`` for
    Avalon, ``02:57:4d:x:y:z`` for Whatsminer, ``02:56:4e:x:y:z`` for VNish, ``02:42:4f:x:y:z`` for
    Braiins OS+, where x.y.z are the address's last three octets.
    """
    packed = ipaddress.IPv4Address(host).packed
    tail = "{:02x}:{:02x}:{:02x}".format(*packed[1:])
    number = int.from_bytes(packed[1:], "big")
    if isinstance(model, AvalonModel):
        return Identity(
            host=host,
            mac=f"02:41:56:{tail}",
            hostname=f"avalon-{model.code.lower()}-{tail.replace(':', '')}",
            serial=f"02010000{number:06x}5a",
            firmware=model.firmware,
        )
    if isinstance(model, WhatsminerModel):
        return Identity(
            host=host,
            mac=f"02:57:4d:{tail}",
            hostname=f"whatsminer-{tail.replace(':', '')}",
            serial=f"HHWM{number:010d}",
        )
    if isinstance(model, BraiinsModel):
        return Identity(
            host=host,
            mac=f"02:42:4f:{tail}",
            hostname=f"bos-{tail.replace(':', '')}",
            serial=f"HHBO{number:010d}",
        )
    if isinstance(model, VNishModel):
        return Identity(
            host=host,
            mac=f"02:56:4e:{tail}",
            hostname=f"vnish-{tail.replace(':', '')}",
            serial=f"HHVN{number:010d}",
        )
    return Identity(
        host=host,
        mac=f"02:48:48:{tail}",
        hostname=f"luxos-{host.replace('.', '-')}",
        serial=f"HHSIM{number:08d}",
    )
