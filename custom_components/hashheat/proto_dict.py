"""gRPC replies as the dicts pyasic's Braiins OS+ backend reads, for a fraction of the CPU.

pyasic 0.79.0 turns every reply into a dict with its own ``Message.to_pydict`` (``better_monkey``),
which for every field of every message camel-cases the name with regular expressions and builds
the field's default under ``warnings.catch_warnings``: about a third of a Braiins OS+ poll's CPU,
all in one event-loop callback. :func:`message_to_dict` gives the same dict (camelCase keys,
fields at their default left out, a oneof's chosen field kept) and works out what does not change
between messages of a type (keys, kinds, scalar defaults) once per type.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from betterproto import DATETIME_ZERO, TYPE_MAP, TYPE_MESSAGE, Casing, Message


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    key: str
    proto_type: str
    wraps: bool
    repeated: bool
    group: str | None
    default: Any  # of a scalar field (immutable: numbers, strings, bytes, enum members)


_FIELDS: dict[type[Message], tuple[_Field, ...]] = {}


def message_to_dict(message: Message) -> dict[str, Any]:
    """What pyasic's ``message.to_pydict()`` returns, with its default arguments."""
    output: dict[str, Any] = {}
    for field in _fields_of(message):
        try:
            value = getattr(message, field.name)
        except AttributeError:  # a oneof field another of its group was chosen over
            value = message._get_field_default(field.name)  # noqa: SLF001
        if field.proto_type == TYPE_MESSAGE:
            _put_message(output, message, field, value)
        elif field.proto_type == TYPE_MAP:
            for item in value:  # converted in place, as pyasic does
                if isinstance(value[item], Message):
                    value[item] = message_to_dict(value[item])
            if value:
                output[field.key] = value
        elif value != field.default or _chosen(message, field):
            output[field.key] = value
    return output


def _put_message(output: dict[str, Any], message: Message, field: _Field, value: Any) -> None:
    if isinstance(value, datetime):
        if value != DATETIME_ZERO or _chosen(message, field):
            output[field.key] = value
    elif isinstance(value, timedelta):
        if value != timedelta(0) or _chosen(message, field):
            output[field.key] = value
    elif field.wraps:
        if value is not None:
            output[field.key] = value
    elif field.repeated:
        if value:
            output[field.key] = [message_to_dict(item) for item in value]
    elif value is not None and (value._serialized_on_wire or _chosen(message, field)):  # noqa: SLF001
        output[field.key] = message_to_dict(value)


def _chosen(message: Message, field: _Field) -> bool:
    """Whether ``field`` is the chosen one of its oneof group (kept even at its default)."""
    return field.group is not None and message._group_current.get(field.group) == field.name  # noqa: SLF001


def _fields_of(message: Message) -> tuple[_Field, ...]:
    fields = _FIELDS.get(type(message))
    if fields is None:
        meta = message._betterproto  # type: ignore[arg-type]  # noqa: SLF001
        fields = tuple(
            _Field(
                name=name,
                key=Casing.CAMEL(name).rstrip("_"),
                proto_type=field_meta.proto_type,
                wraps=bool(field_meta.wraps),
                repeated=meta.default_gen[name] is list,
                group=field_meta.group,
                default=(
                    None
                    if field_meta.proto_type in (TYPE_MESSAGE, TYPE_MAP)
                    else message._get_field_default(name)  # noqa: SLF001
                ),
            )
            for name, field_meta in meta.meta_by_field_name.items()
        )
        _FIELDS[type(message)] = fields
    return fields
