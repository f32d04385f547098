"""The pure identity rules: which stored document an incoming record is, and how their fields merge."""
from __future__ import annotations

import random
from dataclasses import fields

import pytest

from retrieval.dates import ArchiveDate
from retrieval.identity import (
    Incoming,
    OccurrenceCounter,
    StoredRow,
    choose_row,
    merge_incoming,
    merge_summary,
    new_key,
    plan_upsert,
    record_key,
    summaries_agree,
    title_pattern,
)
from retrieval.records import Participant, RawRecord, Role

DAY = ArchiveDate(1952, 9, 6)


def item(title: str = "Report", summary: str = "", partial: bool = False, occurrence: int = 1,
         date: ArchiveDate = DAY, people: tuple[Participant, ...] = (), **kw) -> Incoming:
    raw = RawRecord(date_text="", date=date, title=title, summary=summary, summary_partial=partial, **kw)
    return Incoming(raw, people, occurrence)


def row(id: int, summary: str, key: str = "report|1952-09-06", partial: bool = False, **kw) -> StoredRow:
    return StoredRow(id, key, summary, partial, **kw)


# -- keys ---------------------------------------------------------------------------------------------------
def test_keys_fold_case_accents_quotes_and_spacing():
    plain = record_key('Letter, "Zhou Enlai" to Molotov', DAY)
    assert record_key("LETTER,  “Zhou Énlai”   to molotov ", DAY) == plain
    assert record_key("Letter from Zhou Enlai to Molotov", DAY) != plain


def test_an_ascii_title_keys_as_the_rule_for_every_title_says():
    """ASCII titles take a path of their own (a translate, no pattern): their keys must be those the archive
    stored by the one rule (fold, then each run of non-word characters one space), or stored records would
    come in again as new ones."""
    import re

    from retrieval.text import fold
    from testing.listing_gen import generate_records

    titles = [f" {ch}A{ch}b_{ch}{ch}9 z{ch}" for ch in map(chr, range(128))]
    titles += [title for _, title, _ in generate_records(300)] + ["", "   ", "--", "Mao's `Talk`\t(1958)\x0c"]
    for title in titles:
        assert title.isascii()
        expected = re.sub(r"[^\w]+", " ", fold(title)).strip()
        assert record_key(title, DAY) == f"{expected}|{DAY.iso()}", repr(title)


def test_keys_keep_the_dates_precision():
    keys = {record_key("Report", date) for date in (ArchiveDate(1952), ArchiveDate(1952, 9), DAY, ArchiveDate())}
    assert len(keys) == 4
    assert record_key("Report", ArchiveDate(1952, 9, 6)) == record_key("Report", DAY)


# -- summaries ---------------------------------------------------------------------------------------------
def test_summaries_agree_when_equal_one_is_a_prefix_or_one_is_missing():
    assert summaries_agree("Zhou reports on the port.", "Zhou reports on the port.")
    assert summaries_agree("Zhou reports", "Zhou reports on the port.")
    assert summaries_agree("Zhou reports on the port.", "Zhou  reports\non")  # spacing does not count
    assert summaries_agree("", "Zhou reports on the port.")
    assert not summaries_agree("Zhou reports on the port.", "Mao writes to Stalin.")


def test_a_cut_off_summary_never_replaces_a_whole_or_longer_one():
    whole = "Zhou reports on the port and the railway."
    assert merge_summary(whole, False, "Zhou reports on the", True) == (whole, False)
    assert merge_summary(whole, False, "Something else entirely", True) == (whole, False)
    assert merge_summary(whole, False, "", False) == (whole, False)
    assert merge_summary("Zhou reports on the", True, "Zhou reports", True) == ("Zhou reports on the", True)


def test_a_whole_summary_completes_or_replaces_the_stored_one():
    whole = "Zhou reports on the port and the railway."
    assert merge_summary("Zhou reports on the ", True, whole, False) == (whole, False)
    assert merge_summary(whole, False, "A corrected summary.", False) == ("A corrected summary.", False)
    assert merge_summary("Zhou reports", True, "Zhou reports", False) == ("Zhou reports", False)


# -- occurrences -------------------------------------------------------------------------------------------
def test_same_title_and_date_documents_are_numbered_by_their_summaries():
    counter = OccurrenceCounter()
    key = record_key("Proposal", DAY)
    assert counter.number(key, "The CPSU CC agrees.") == 1
    assert counter.number(key, "A Presidium entry.") == 2
    assert counter.number(key, "The CPSU CC agrees.") == 1  # a repeat
    assert counter.number(key, "A Presidium") == 2  # a cut-off repeat
    assert counter.number(record_key("Other", DAY), "A Presidium entry.") == 1


def test_the_longest_summary_seen_is_what_later_ones_are_matched_against():
    counter = OccurrenceCounter()
    assert counter.number("k", "Zhou") == 1
    assert counter.number("k", "Zhou reports on the port.") == 1
    assert counter.number("k", "Zhou writes to Mao.") == 2  # "Zhou" would agree; the longer text does not


def test_occurrences_are_forgotten_beyond_the_window():
    counter = OccurrenceCounter(window=1)
    assert counter.number("a", "First.") == 1
    assert counter.number("a", "Second.") == 2
    counter.number("b", "Elsewhere.")
    assert counter.number("a", "Second.") == 1


# -- matching stored rows ----------------------------------------------------------------------------------
def test_an_incoming_record_matches_the_row_whose_summary_agrees():
    rows = [row(1, "The CPSU CC agrees."), row(2, "A Presidium entry.", key="report|1952-09-06#2")]
    assert choose_row(rows, "A Presidium", 1) is rows[1]
    assert choose_row(rows, "The CPSU CC agrees.", 2) is rows[0]


def test_an_empty_summary_takes_the_row_of_its_occurrence():
    rows = [row(1, "The CPSU CC agrees."), row(2, "A Presidium entry.", key="report|1952-09-06#2")]
    assert choose_row(rows, "", 2) is rows[1]
    assert choose_row(rows, "", 5) is rows[1]


def test_a_changed_summary_matches_only_the_one_known_document():
    only = [row(1, "Old summary.")]
    assert choose_row(only, "New summary.", 1) is only[0]
    assert choose_row(only, "New summary.", 2) is None
    two = [row(1, "Old summary."), row(2, "Another.", key="report|1952-09-06#2")]
    assert choose_row(two, "New summary.", 1) is None
    assert choose_row([], "New summary.", 1) is None


def test_new_keys_number_the_later_documents():
    assert new_key("k", 1, set()) == "k"
    assert new_key("k", 1, {"k"}) == "k#2"
    assert new_key("k", 2, set()) == "k#2"
    assert new_key("k", 3, set()) == "k#3"
    assert new_key("k", 2, {"k", "k#2", "k#3"}) == "k#4"


# -- merging -----------------------------------------------------------------------------------------------
def test_a_repeat_in_one_batch_keeps_the_whole_summary_and_the_latest_notes():
    a = item(summary="Zhou reports on the port.", notes=("First note.",),
             people=(Participant("Zhou Enlai", Role.AUTHOR),))
    b = item(summary="Zhou reports", partial=True, notes=("Second note.",), url="https://x/1",
             people=(Participant("Mao Zedong"),))
    merged = merge_incoming(a, b)
    assert (merged.raw.summary, merged.raw.summary_partial) == ("Zhou reports on the port.", False)
    assert merged.raw.notes == ("Second note.",) and merged.raw.url == "https://x/1"
    assert merged.participants == a.participants  # the people found in the summary that was kept


def test_a_plan_inserts_numbered_documents_and_merges_into_stored_ones():
    base = record_key("Report", DAY)
    stored = {base: [row(7, "Zhou reports on the port.", key=base)]}
    batch = [
        item(summary="Zhou reports on the port.", occurrence=1),
        item(summary="A second document.", occurrence=2),
        item(title="Cable", summary="New."),
    ]
    plan = plan_upsert(batch, stored)
    assert [(i.key, i.base_key) for i in plan.inserts] == [
        (f"{base}#2", base), (record_key("Cable", DAY), record_key("Cable", DAY))]
    assert plan.updates == []
    assert (plan.counts.new, plan.counts.updated, plan.counts.unchanged) == (2, 0, 1)
    assert plan.landed[base] is None  # matched, unchanged: keeps its participants, gains the source
    assert plan.landed[f"{base}#2"] is batch[1]


def test_a_plan_knows_the_ids_of_the_stored_rows_it_lands_on():
    """The store reads back only the new rows' ids: every other key the batch lands on is a stored row's."""
    base, cable = record_key("Report", DAY), record_key("Cable", DAY)
    stored = {base: [row(7, "Zhou reports", key=base, partial=True)], cable: [row(9, "Same.", key=cable)]}
    batch = [item(summary="Zhou reports on the port."), item(title="Cable", summary="Same."),
             item(title="Note", summary="New."), item(title="Note", summary="New, and whole.")]
    plan = plan_upsert(batch, stored)
    assert plan.ids == {base: 7, cable: 9}
    assert set(plan.landed) == set(plan.ids) | {i.key for i in plan.inserts}


def test_a_plan_updates_a_stored_row_and_leaves_the_callers_rows_alone():
    base = record_key("Report", DAY)
    stored = {base: [row(7, "Zhou reports", key=base, partial=True, notes=("Old.",))]}
    incoming = item(summary="Zhou reports on the port.", url="https://x/7")
    plan = plan_upsert([incoming], stored)
    assert len(plan.updates) == 1
    update = plan.updates[0]
    assert (update.row_id, update.summary, update.summary_partial) == (7, "Zhou reports on the port.", False)
    assert (update.notes, update.url) == (("Old.",), "https://x/7")  # no notes incoming: the stored ones stay
    assert plan.landed[base] is incoming
    assert stored[base][0].summary == "Zhou reports"


def test_new_participants_alone_are_an_update():
    base = record_key("Report", DAY)
    stored = {base: [row(7, "Same.", key=base, participants=(Participant("Mao Zedong"),))]}
    same = plan_upsert([item(summary="Same.", people=(Participant("Mao Zedong"),))], stored)
    assert (same.counts.unchanged, same.updates) == (1, [])
    changed = plan_upsert([item(summary="Same.", people=(Participant("Zhou Enlai"),))], stored)
    assert changed.counts.updated == 1


# -- damaged text: a U+FFFD where a byte did not decode, mojibake where UTF-8 was read as Windows-1252 -------
CLEAN = "Gromyko\u2019s note on the L\u00fcshun talks."
REPLACED = "Gromyko\ufffds note on the L\ufffdshun talks."
MOJIBAKE = CLEAN.encode("utf-8").decode("cp1252")  # 'Gromykoâ€™s note on the LÃ¼shun talks.'


def test_a_damaged_summary_never_replaces_the_clean_one():
    for damaged in (REPLACED, MOJIBAKE):
        assert summaries_agree(CLEAN, damaged)
        assert merge_summary(CLEAN, False, damaged, False) == (CLEAN, False)
    assert merge_summary(REPLACED, False, CLEAN, False) == (CLEAN, False)  # the clean one repairs it
    assert merge_summary(MOJIBAKE, False, CLEAN, False) == (CLEAN, False)
    assert not summaries_agree(CLEAN, "Gromyko\ufffds note on the Port Arthur talks.")


def test_a_plan_keeps_the_clean_stored_summary():
    stored = {"report|1952-09-06": [row(1, CLEAN)]}
    for damaged in (REPLACED, MOJIBAKE):
        plan = plan_upsert([item(summary=damaged)], stored)
        assert (plan.updates, plan.inserts, plan.counts.unchanged) == ([], [], 1)


def mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252 the way a page is decoded: its five undefined bytes as U+FFFD."""
    return text.encode().decode("cp1252", errors="replace")


def test_a_mojibake_title_has_the_clean_titles_key():
    clean = "Report, Zhou Enlai to Chairman Mao \u2013 \u2018L\u00fcshun\u2019"
    assert record_key(mojibake(clean), DAY) == record_key(clean, DAY)
    quoted = "Report, Zhou Enlai to Chairman Mao \u2013 \u201cL\u00fcshun\u201d"  # '”' has a byte cp1252 lacks
    pattern = title_pattern(mojibake(quoted), DAY)
    assert pattern is not None and pattern.pick([record_key(quoted, DAY)]) == record_key(quoted, DAY)
    assert record_key("Caf\u00e9 \u00c3 la carte", DAY) == "cafe a la carte|1952-09-06"  # no mojibake there


def test_a_title_with_a_replaced_character_matches_the_clean_key_it_stands_for():
    pattern = title_pattern("Cable, Gromyko to Liu Xiao on L\ufffdshun", DAY)
    assert pattern is not None
    clean = record_key("Cable, Gromyko to Liu Xiao on L\u00fcshun", DAY)
    assert pattern.pick(["cable gromyko to liu xiao on port arthur|1952-09-06", clean]) == clean
    assert pattern.pick([record_key("Cable, Gromyko to Liu Xiao on Lushun", ArchiveDate(1952))]) is None
    assert pattern.pick([record_key("Cable, Gromyko to Liu Xiao on Lu Shun Port", DAY)]) is None
    quoted = title_pattern("Report \ufffdL\u00fcshun\ufffd", DAY)
    assert quoted is not None and quoted.pick([record_key("Report \u201cL\u00fcshun\u201d", DAY)])
    assert title_pattern("Cable, Gromyko to Liu Xiao", DAY) is None


# -- document links (issue 11) -----------------------------------------------------------------------------
def test_links_name_a_document_by_record_id_and_slug_and_conflict_only_within_a_kind():
    from retrieval.identity import document_links, links_conflict
    from retrieval.records import DocumentInfo

    site = "https://digitalarchive.wilsoncenter.org/document/"
    page = document_links(site + "cable-x", DocumentInfo(record_id="116969", canonical_url=site + "Cable-X"))
    assert page == frozenset({"id:116969", "slug:cable-x"})
    assert document_links(site + "116969", None) == frozenset({"id:116969"})
    assert document_links("https://example.org/search?q=x", None) == frozenset()
    assert not links_conflict(page, frozenset({"slug:cable-x"}))
    assert not links_conflict(frozenset({"id:116969"}), frozenset({"slug:other"}))  # different kinds: unknown
    assert links_conflict(page, frozenset({"id:999"}))


def test_a_row_never_erases_what_a_page_said_and_a_page_fills_a_row_in():
    from retrieval.records import DocumentInfo

    info = DocumentInfo(record_id="7", source="AVP RF", authors=("Stalin, Joseph",))
    site = "https://digitalarchive.wilsoncenter.org/document/report"
    page_row = row(1, "The page's summary.", info=info, links=frozenset({"id:7", "slug:report"}), url=site)
    listing = item(summary="A listing's other summary.", url=site)
    plan = plan_upsert([listing], {"report|1952-09-06": [page_row]}, linked={"slug:report": ("report|1952-09-06",
                                                                                            "report|1952-09-06")})
    assert plan.counts.unchanged == 1 and not plan.updates and not plan.documents
    page = item(summary="The page's summary.", url=site, info=info)
    plan = plan_upsert([page], {"report|1952-09-06": [row(1, "A listing's summary.", url=site)]})
    assert plan.updates[0].summary == "The page's summary." and plan.documents == {"report|1952-09-06": info}
    assert plan.links == {"report|1952-09-06": frozenset({"id:7", "slug:report"})}


class _Everything:
    """Every base key shared: `_plan` decides each record the general way."""

    def __contains__(self, _: object) -> bool:
        return True


def _in_order(plan: object) -> list[tuple[str, object]]:
    """A plan's fields, its dicts as lists (a dict's order is the order rows are written in)."""
    return [(f.name, list(value.items()) if isinstance(value := getattr(plan, f.name), dict) else value)
            for f in fields(plan)]  # type: ignore[arg-type]


def _random_case(rng: random.Random) -> tuple[list[Incoming], dict[str, list[StoredRow]], dict[str, str],
                                              dict[str, tuple[str, str]]]:
    """A batch drawn from a few titles, dates, summaries and links, with stored rows, aliases and links found:
    repeats, prefixes, numbered documents, damaged titles and pages, as often as lone new records."""
    from retrieval.records import DocumentInfo

    site = "https://digitalarchive.wilsoncenter.org/document/"
    titles = ["Report", "Cable", "Letter \ufffd Mao", "Letter to Mao", *(f"Note {n}" for n in range(8))]
    dates = [DAY, ArchiveDate(1952, 9), ArchiveDate()]
    summaries = ["", "The two sides met.", "The two sides", "Another talk.", "The two sides met\ufffd"]
    batch = []
    for _ in range(rng.randint(1, 12)):
        links = rng.random() < 0.2
        info = DocumentInfo(record_id=str(rng.randint(1, 3)), source="AVP RF") if rng.random() < 0.1 else None
        raw = RawRecord(date_text="", date=rng.choice(dates), title=rng.choice(titles),
                        summary=rng.choice(summaries), summary_partial=rng.random() < 0.2,
                        notes=rng.choice([(), ("A note.",)]), url=site + rng.choice("123ab") if links else None,
                        info=info)
        batch.append(Incoming(raw, rng.choice([(), (Participant("Mao Zedong"),)]), rng.choice([1, 1, 1, 2]),
                              rng.choice([None, b"a", b"b"])))
    bases = sorted({i.base_key for i in batch})
    stored: dict[str, list[StoredRow]] = {}
    linked: dict[str, tuple[str, str]] = {}
    for number, base in enumerate(bases):
        if rng.random() < 0.3:
            key = base if rng.random() < 0.8 else f"{base}#2"
            links = frozenset({f"id:{number}"}) if rng.random() < 0.5 else frozenset()
            stored[base] = [row(100 + number, rng.choice(summaries), key=key, links=links,
                                people_input=rng.choice([None, b"a"]))]
            linked.update({link: (base, key) for link in links})
        elif rng.random() < 0.1:  # a link to the row an earlier record of the batch inserts
            linked[f"id:{rng.randint(1, 3)}"] = (base, base)
    aliases = {base: rng.choice(bases) for base in bases if rng.random() < 0.1}
    return batch, stored, aliases, linked


def test_the_way_for_lone_new_records_plans_what_the_general_way_does():
    from retrieval.identity import _plan

    rng = random.Random(12)
    fast = 0
    for _ in range(3000):
        batch, stored, aliases, linked = _random_case(rng)
        plan = plan_upsert(batch, stored, aliases, linked)
        assert _in_order(plan) == _in_order(_plan(batch, stored, aliases, linked, _Everything()))
        fast += plan.counts.new
    assert fast > 3000  # the lone new records, the common case, were among them


def test_an_incoming_record_is_frozen_and_keys_and_links_itself_once():
    from dataclasses import FrozenInstanceError, replace

    from retrieval.records import DocumentInfo

    raw = RawRecord(date_text="", date=DAY, title="Report", url="https://x.org/document/cable-x",
                    info=DocumentInfo(record_id="7"))
    made = Incoming(raw, (Participant("Mao Zedong"),), 2, b"a")
    assert (made.base_key, made.links, made.occurrence) == ("report|1952-09-06", {"id:7", "slug:cable-x"}, 2)
    assert Incoming(raw, base_key="given").base_key == "given" and Incoming(raw).links == made.links
    again = replace(made, occurrence=3)
    assert again == Incoming(raw, made.participants, 3, b"a") and again.links == made.links
    assert made == Incoming(raw, made.participants, 2, b"a") and hash(made) == hash(replace(made))
    with pytest.raises(FrozenInstanceError):
        made.occurrence = 1  # type: ignore[misc]
