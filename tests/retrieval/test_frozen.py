"""`frozen.make` makes the same object as a frozen dataclass's own `__init__`, and refuses what it cannot make so."""
from __future__ import annotations

from dataclasses import dataclass, fields

import pytest

from retrieval.cite import Citation, LinkKind, cite
from retrieval.dates import ArchiveDate
from retrieval.frozen import make, make_in_order
from retrieval.records import DocumentInfo, EntityKind, Participant, Record, Role
from retrieval.search import Hit


def _record() -> Record:
    return Record(id=7, date=ArchiveDate(1958, 9, 27), date_text="September 27, 1958", title="Talk",
                  summary="Mao and Khrushchev", notes=("a note",), url="https://example.org/document/1",
                  participants=(Participant("Mao Zedong", Role.AUTHOR),), sources=("listing.html",),
                  summary_partial=True, mentioned=(Participant("UN", Role.MENTIONED, EntityKind.ORGANIZATION),),
                  info=DocumentInfo(record_id="1", authors=("Mao, Zedong",)))


@pytest.mark.parametrize("original", [_record(), cite(_record()), Hit(_record(), 1.5, cite(_record()), ("Mao",))])
def test_make_is_the_same_object_as_init(original: object) -> None:
    values = {f.name: getattr(original, f.name) for f in fields(original)}  # type: ignore[arg-type]
    made = make(type(original), **values)
    assert type(made) is type(original)
    assert made == original
    assert hash(made) == hash(original)
    assert repr(made) == repr(original)
    with pytest.raises(AttributeError):
        made.title = "changed"  # type: ignore[attr-defined]  # still frozen
    in_order = make_in_order(type(original), [getattr(original, f.name) for f in fields(original)])  # type: ignore[arg-type]
    assert type(in_order) is type(original) and in_order == original and repr(in_order) == repr(original)


def test_every_field_must_be_given() -> None:
    with pytest.raises(TypeError, match="link"):
        make(Citation, title="t", date="1958", participants=(), archive="a", url="https://x")  # defaults not applied
    values = {f.name: getattr(cite(_record()), f.name) for f in fields(Citation)}
    with pytest.raises(TypeError, match="extra"):
        make(Citation, **values, extra=1)
    assert make(Citation, **values).link is LinkKind.DOCUMENT
    with pytest.raises(TypeError, match="17 values, not 16"):
        make_in_order(Citation, list(values.values())[:-1])  # scan_url's default is not applied either


def test_only_plain_frozen_dataclasses() -> None:
    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError(self.a)

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    for cls in (Mutable, Checked, Slotted):
        with pytest.raises(TypeError, match="plain frozen"):
            make(cls, a=1)
