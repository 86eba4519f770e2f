"""Protobuf replies decoded straight off the wire into dicts of only the fields asked for.

Turning a Braiins OS+ reply into pyasic's dict through betterproto builds a message object per
field group (each with its dataclass defaults, oneof bookkeeping and attribute hooks) and then
walks them all: thousands of short-lived objects per poll, which fill Python's garbage collector
and cost most of a Braiins OS+ poll's CPU. A :class:`LeanReply` reads the wire format itself,
skips every field it was not asked for and builds nothing but the dict, which holds what
:func:`.proto_dict.message_to_dict` would give for those fields: camelCase keys, a scalar at its
default left out unless it is optional or its oneof's choice, a sub-message whenever it is on the
wire, a wrapper as its value, a repeated message as a list when not empty, the last of a oneof's
fields on the wire the only one kept. What the fields are (numbers, types, oneofs) comes from
the betterproto message classes; a field the decoder cannot give as betterproto would (enums,
maps, timestamps, packed scalars) is refused when the reply is described, not when one arrives.
"""

import struct
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from betterproto import (
    TYPE_BOOL,
    TYPE_BYTES,
    TYPE_DOUBLE,
    TYPE_ENUM,
    TYPE_FIXED32,
    TYPE_FIXED64,
    TYPE_FLOAT,
    TYPE_INT32,
    TYPE_INT64,
    TYPE_MESSAGE,
    TYPE_SFIXED32,
    TYPE_SFIXED64,
    TYPE_SINT32,
    TYPE_SINT64,
    TYPE_STRING,
    TYPE_UINT32,
    TYPE_UINT64,
    Casing,
    Message,
)

# What to read of a message: its fields by (snake_case) name, each with what to read of it when
# it is a message (None for a scalar, a wrapper, or a message of which nothing is read).
type Reads = Mapping[str, Reads | None]

_VARINT: Final = 0
_FIXED64: Final = 1
_LENGTH: Final = 2
_FIXED32: Final = 5
_MORE: Final = 0x80  # a varint byte's flag: another byte follows
_LONGEST_SHIFT: Final = 63
_VARINT_TYPES: Final = frozenset(
    {TYPE_BOOL, TYPE_INT32, TYPE_INT64, TYPE_UINT32, TYPE_UINT64, TYPE_SINT32, TYPE_SINT64}
)
_FIXED: Final = {
    TYPE_DOUBLE: struct.Struct("<d"),
    TYPE_FLOAT: struct.Struct("<f"),
    TYPE_FIXED32: struct.Struct("<I"),
    TYPE_FIXED64: struct.Struct("<Q"),
    TYPE_SFIXED32: struct.Struct("<i"),
    TYPE_SFIXED64: struct.Struct("<q"),
}
_DEFAULTS: Final[dict[str, object]] = {
    TYPE_BOOL: False,
    TYPE_STRING: "",
    TYPE_BYTES: b"",
    **dict.fromkeys(_VARINT_TYPES - {TYPE_BOOL}, 0),
    **dict.fromkeys(_FIXED, 0),
}


class LeanDecodeError(ValueError):
    """The bytes are not a well-formed protobuf message."""


@dataclass(frozen=True, slots=True)
class _Field:
    key: str
    proto_type: str
    wire_type: int
    group: str | None
    read: bool  # False: only its oneof group matters (choosing it drops the group's others)
    keeps_default: bool  # optional or in a oneof: kept even at its default
    repeated: bool
    wraps: str | None
    message: _Plan | None


@dataclass(frozen=True, slots=True)
class _Plan:
    fields: dict[int, _Field]
    keys_by_group: dict[str, tuple[str, ...]]


class LeanReply:
    """Decodes one message type's wire format into a dict of the fields in ``reads``."""

    def __init__(self, message_type: type[Message], reads: Reads) -> None:
        """Work out the fields to read (raises ``ValueError`` for what cannot be read)."""
        self.message_type = message_type
        self.reads = reads
        self._plan = _plan(message_type, reads)

    def decode(self, data: bytes) -> dict[str, Any]:
        """The dict of the fields read; raises :class:`LeanDecodeError` for malformed bytes."""
        try:
            return _decode(memoryview(data), 0, len(data), self._plan)
        except (IndexError, struct.error, UnicodeDecodeError) as err:
            raise LeanDecodeError(f"malformed {self.message_type.__name__}") from err


def last_field_of(data: bytes, path: Sequence[int], numbers: Collection[int]) -> int | None:
    """Which of ``numbers`` is on the wire last in the sub-message at ``path`` (field numbers).

    For a oneof whose newer choices the message classes lack (they skip fields they do not
    know): its choice as the wire has it. None when the path or every one of ``numbers`` is
    absent; raises :class:`LeanDecodeError` for malformed bytes.
    """
    view = memoryview(data)
    try:
        start, end = 0, len(data)
        for number in path:
            found = None
            while start < end:
                field, wire_type, value_start, start, _raw = _next_field(view, start, end)
                if field == number and wire_type == _LENGTH:
                    found = value_start, start
            if found is None:
                return None
            start, end = found
        last = None
        while start < end:
            field, _wire_type, _value_start, start, _raw = _next_field(view, start, end)
            if field in numbers:
                last = field
    except IndexError as err:
        raise LeanDecodeError("malformed message") from err
    return last


def _plan(message_type: type[Message], reads: Reads) -> _Plan:
    meta = message_type._betterproto  # type: ignore[arg-type]  # noqa: SLF001
    if unknown := set(reads) - set(meta.meta_by_field_name):
        raise ValueError(f"{message_type.__name__} has no field {', '.join(sorted(unknown))}")
    fields: dict[int, _Field] = {}
    keys_by_group: dict[str, list[str]] = {}
    for name, field_meta in meta.meta_by_field_name.items():
        if name not in reads and field_meta.group is None:
            continue
        key = Casing.CAMEL(name).rstrip("_")
        if field_meta.group is not None:
            keys_by_group.setdefault(field_meta.group, []).append(key)
        repeated = meta.default_gen[name] is list
        wraps = field_meta.wraps
        message: _Plan | None = None
        if name in reads:
            sub_reads = reads[name]
            if field_meta.proto_type == TYPE_MESSAGE and not wraps:
                field_class = meta.cls_by_field[name]
                if not (isinstance(field_class, type) and issubclass(field_class, Message)):
                    raise ValueError(f"{message_type.__name__}.{name} is not read as a message")
                message = _plan(field_class, sub_reads or {})
            else:
                if sub_reads:
                    raise ValueError(f"{message_type.__name__}.{name} has no fields")
                scalar = wraps or field_meta.proto_type
                if scalar not in _DEFAULTS or repeated:
                    raise ValueError(f"{message_type.__name__}.{name} cannot be read lean")
        fields[field_meta.number] = _Field(
            key=key,
            proto_type=field_meta.proto_type,
            wire_type=_wire_type(field_meta.proto_type),
            group=field_meta.group,
            read=name in reads,
            keeps_default=bool(field_meta.optional) or field_meta.group is not None,
            repeated=repeated,
            wraps=wraps,
            message=message,
        )
    return _Plan(fields, {group: tuple(keys) for group, keys in keys_by_group.items()})


def _varint(data: memoryview, position: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < _MORE:
            return value, position
        shift += 7
        if shift > _LONGEST_SHIFT:
            raise IndexError("varint too long")


def _next_field(data: memoryview, position: int, end: int) -> tuple[int, int, int, int, int]:
    """The field at ``position``: number, wire type, value start and end, and a varint's value."""
    tag, position = _varint(data, position)
    wire_type = tag & 7
    start = position
    raw = 0
    if wire_type == _VARINT:
        raw, position = _varint(data, position)
    elif wire_type == _LENGTH:
        length, start = _varint(data, position)
        position = start + length
    elif wire_type == _FIXED64:
        position += 8
    elif wire_type == _FIXED32:
        position += 4
    else:
        raise IndexError(f"wire type {wire_type}")
    if position > end:
        raise IndexError("field past the end of its message")
    return tag >> 3, wire_type, start, position, raw


def _decode(data: memoryview, position: int, end: int, plan: _Plan) -> dict[str, Any]:
    output: dict[str, Any] = {}
    fields = plan.fields
    while position < end:
        number, wire_type, start, position, raw = _next_field(data, position, end)
        field = fields.get(number)
        if field is None:
            continue
        if wire_type != field.wire_type:
            raise IndexError(f"field {number} has wire type {wire_type}")
        if field.group is not None:
            for key in plan.keys_by_group[field.group]:
                if key != field.key:
                    output.pop(key, None)
        if field.read:
            _put(output, field, data, start=start, end=position, raw=raw)
    return output


def _put(  # noqa: PLR0913
    output: dict[str, Any], field: _Field, data: memoryview, *, start: int, end: int, raw: int
) -> None:
    if field.message is not None:
        value: Any = _decode(data, start, end, field.message)
        if field.repeated:
            output.setdefault(field.key, []).append(value)
        else:
            output[field.key] = value
    elif field.wraps is not None:
        output[field.key] = _wrapped(data, start, end, field.wraps)
    else:
        value = _scalar(data, start, end, raw, field.proto_type)
        if field.keeps_default or value != _DEFAULTS[field.proto_type]:
            output[field.key] = value
        else:
            output.pop(field.key, None)


def _wrapped(data: memoryview, position: int, end: int, proto_type: str) -> Any:
    """A google.protobuf wrapper's value (field 1), its type's default when absent."""
    value: Any = _DEFAULTS[proto_type]
    while position < end:
        number, wire_type, start, position, raw = _next_field(data, position, end)
        if number == 1:
            if wire_type != _wire_type(proto_type):
                raise IndexError(f"wrapped value has wire type {wire_type}")
            value = _scalar(data, start, position, raw, proto_type)
    return value


def _from_varint(raw: int, proto_type: str) -> int | bool:
    """A varint as betterproto gives it: signed types two's complement or zigzag."""
    if proto_type == TYPE_BOOL:
        return raw > 0
    if proto_type in (TYPE_INT32, TYPE_INT64):
        bits = 32 if proto_type == TYPE_INT32 else 64
        sign = 1 << (bits - 1)
        return ((raw & ((1 << bits) - 1)) ^ sign) - sign
    if proto_type in (TYPE_SINT32, TYPE_SINT64):
        return (raw >> 1) ^ -(raw & 1)
    return raw


def _wire_type(proto_type: str) -> int:
    if proto_type in _VARINT_TYPES or proto_type == TYPE_ENUM:
        return _VARINT
    if proto_type in (TYPE_DOUBLE, TYPE_FIXED64, TYPE_SFIXED64):
        return _FIXED64
    if proto_type in (TYPE_FLOAT, TYPE_FIXED32, TYPE_SFIXED32):
        return _FIXED32
    return _LENGTH  # strings, bytes, messages


def _scalar(data: memoryview, start: int, end: int, raw: int, proto_type: str) -> Any:
    if proto_type in _VARINT_TYPES:
        return _from_varint(raw, proto_type)
    if proto_type == TYPE_STRING:
        return str(data[start:end], "utf-8")
    if proto_type == TYPE_BYTES:
        return bytes(data[start:end])
    return _FIXED[proto_type].unpack(data[start:end])[0]
