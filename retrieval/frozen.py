"""Frozen dataclasses made in bulk on the read path: every answer makes ten records, ten citations and ten hits.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__` (its own `__setattr__`
refuses): about 5 µs for a 12-field `Record` and 8 µs for a 17-field `Citation` on this machine, a tenth of a
search. `make` fills the instance's `__dict__` in one step instead, the same object `__init__` would make (equal,
same hash and repr: tests/retrieval/test_frozen.py). It is for plain frozen dataclasses only: no `__post_init__`,
no slots, and every field given (defaults are not applied: a missing or unknown field raises). `make_in_order`
takes the values in the fields' order, as `cls(*values)` does: no keyword dict to build and compare (a search
reads ten records and their citations so).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

_FIELDS: dict[type, tuple[str, ...]] = {}  # each class's field names in order, checked once
_NAMES: dict[type, frozenset[str]] = {}


def _order(cls: type) -> tuple[str, ...]:
    order = _FIELDS.get(cls)
    if order is None:
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen or hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
            raise TypeError(f"{cls.__name__} is not a plain frozen dataclass")
        order = _FIELDS[cls] = tuple(f.name for f in fields(cls))
        _NAMES[cls] = frozenset(order)
    return order


def _names(cls: type) -> frozenset[str]:
    _order(cls)
    return _NAMES[cls]


def make(cls: type[T], /, **values: Any) -> T:
    """`cls(**values)` for a plain frozen dataclass, every field given, without its per-field `__setattr__`."""
    names = _names(cls)
    if values.keys() != names:
        raise TypeError(f"{cls.__name__} needs exactly its fields: {sorted(names ^ values.keys())} differ")
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


def make_in_order(cls: type[T], /, values: Sequence[Any]) -> T:
    """`cls(*values)` for a plain frozen dataclass, a value for every field in the fields' order."""
    order = _order(cls)
    if len(values) != len(order):
        raise TypeError(f"{cls.__name__} needs {len(order)} values, not {len(values)}")
    made = object.__new__(cls)
    made.__dict__.update(zip(order, values, strict=True))
    return made
