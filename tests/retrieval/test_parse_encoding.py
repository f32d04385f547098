"""Decoding by the majority: a stray byte in a UTF-8 page is one U+FFFD, not a whole page of mojibake."""
from __future__ import annotations

import pytest

from retrieval.parse import open_page
from retrieval.parse.encoding import Decoding, choose_encoding
from retrieval.parse.html import decode_html

CLEAN = ("Documents\n\nAugust 22, 1952\n\nReport, Zhou Enlai to Chairman Mao \u2013 \u201cL\u00fcshun\u201d\n\n"
         "Zhou reports on the L\u00fcshun Port and the Charg\u00e9 d\u2019Affaires.\n\nSeptember 1, 1952\n\n"
         "Cable, Gromyko to Liu Xiao\n\nGromyko\u2019s note on the Port Arthur talks.\n\nPagination\n")


def with_stray_byte(text: str, after: str, byte: bytes = b"\x92") -> bytes:
    """The page in UTF-8 with one byte that is no UTF-8 (a Windows-1252 apostrophe) after `after`."""
    head, tail = text.split(after, 1)
    return (head + after).encode() + byte + tail.encode()


@pytest.mark.parametrize("chunks, expected", [
    ([CLEAN.encode()], Decoding("utf-8")),
    ([with_stray_byte(CLEAN, "Gromyko")], Decoding("utf-8", replaced=1)),
    ([with_stray_byte(CLEAN, "Gromyko", b"\xe2\x80")], Decoding("utf-8", replaced=2)),  # a cut-off ’
    ([CLEAN.encode("cp1252")], Decoding("cp1252")),
    ([CLEAN.encode("cp1252") + b"\x81"], Decoding("cp1252", replaced=1)),  # undefined in Windows-1252
    ([b"plain ascii"], Decoding("utf-8")),
    ([b"caf\xc3", b"\xa9 and L\xc3\xbc", b"shun \xe2\x80", b"\x99"], Decoding("utf-8")),  # split between reads
])
def test_the_majority_decides(chunks, expected):
    assert choose_encoding(chunks) == expected


@pytest.mark.parametrize("chunks, declared, expected", [
    ([with_stray_byte(CLEAN, "Gromyko")], "utf-8", Decoding("utf-8", replaced=1)),
    ([CLEAN.encode() + b"\xe2\x80"], "UTF8", Decoding("UTF8", replaced=2)),  # cut off at the end
    ([CLEAN.encode()], "utf-8-sig", Decoding("utf-8-sig")),
    ([CLEAN.encode("cp1252") + b"\x81\x8d"], "cp1252", Decoding("cp1252", replaced=2)),
    ([CLEAN.encode("cp1252") + b"\x81"], "windows-1252", Decoding("windows-1252")),  # another name: not counted
    ([CLEAN.encode("cp1252")], "latin-1", Decoding("latin-1")),
])
def test_a_declared_codec_decides(chunks, declared, expected):
    assert choose_encoding(chunks, declared) == expected


def test_a_text_page_with_one_stray_byte_stays_utf8_and_reports_it(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(with_stray_byte(CLEAN, "Gromyko"))
    reader = open_page(page)
    records = list(reader.records())
    assert reader.decoding == Decoding("utf-8", replaced=1)
    assert records[0].title == "Report, Zhou Enlai to Chairman Mao \u2013 \u201cL\u00fcshun\u201d"
    assert records[0].summary == "Zhou reports on the L\u00fcshun Port and the Charg\u00e9 d\u2019Affaires."
    assert records[1].title == "Cable, Gromyko\ufffd to Liu Xiao"


def test_a_windows_1252_text_page_is_still_windows_1252(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(CLEAN.encode("cp1252"))
    reader = open_page(page)
    records = list(reader.records())
    assert reader.decoding == Decoding("cp1252")
    assert records[1].summary == "Gromyko\u2019s note on the Port Arthur talks."


HTML = ('<html><head>{meta}<title>Search</title></head><body><ul><li><h3><a href="/document/1">Cable, '
        'Gromyko to Liu Xiao</a></h3><p>Gromyko\u2019s note on the L\u00fcshun talks.</p></li><li><h3><a '
        'href="/document/2">Report, Zhou Enlai \u2013 \u201cL\u00fcshun\u201d</a></h3><p>Zhou reports.</p></li>'
        '</ul></body></html>')


@pytest.mark.parametrize("meta", ["", '<meta charset="utf-8">'])
def test_an_html_page_with_one_stray_byte_stays_utf8_and_reports_it(tmp_path, meta):
    data = with_stray_byte(HTML.format(meta=meta), "Zhou reports")
    text, decoding = decode_html(data)
    assert decoding == Decoding("utf-8", replaced=1)
    assert "Gromyko\u2019s note on the L\u00fcshun talks." in text
    page = tmp_path / "page.html"
    page.write_bytes(data)
    reader = open_page(page)
    records = list(reader.records())
    assert reader.decoding == Decoding("utf-8", replaced=1)
    assert records[0].summary == "Gromyko\u2019s note on the L\u00fcshun talks."
    assert records[1].summary == "Zhou reports\ufffd."
