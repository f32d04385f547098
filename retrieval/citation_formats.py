"""A citation in the forms reference managers and style guides take: RIS, BibTeX, Chicago (notes-bibliography).

Each is plain text from a `Citation`. RIS and BibTeX are what Zotero, EndNote or JabRef import (RIS lines end in
CRLF as its specification asks); Chicago is the note and bibliography entry of an archival document read online.
A search link is no address of the document, so the exports leave it out: only a real link becomes a URL.
"""
from __future__ import annotations

import calendar
import hashlib
import re
from enum import StrEnum

from .cite import Citation, LinkKind
from .dates import ArchiveDate

RIS_TYPE = "MANSCPT"  # an unpublished (archival) document: Zotero reads it as a Manuscript
CRLF = "\r\n"
NOTE_AUTHORS = 3  # a Chicago note names up to three authors, then "et al."


class CitationFormat(StrEnum):
    CHICAGO = "chicago"
    BIBTEX = "bibtex"
    RIS = "ris"


def one_line(text: str) -> str:
    """Whitespace, line breaks included, as single spaces: every field of every format is one line."""
    return " ".join(text.split())


def real_url(citation: Citation) -> str | None:
    return None if citation.link is LinkKind.SEARCH else citation.url


# -- RIS ---------------------------------------------------------------------------------------------------

def ris_date(when: ArchiveDate) -> str | None:
    """RIS's DA form, YYYY/MM/DD/ with the unknown parts empty: "1958/02//", "1962///"."""
    if when.year is None:
        return None
    month = f"{when.month:02d}" if when.month is not None else ""
    day = f"{when.day:02d}" if when.day is not None else ""
    return f"{when.year:04d}/{month}/{day}/"


def ris(citation: Citation) -> str:
    """One RIS record: `TAG  - value` lines, TY first and ER last, each ended by CRLF."""
    lines: list[tuple[str, str]] = [("TY", RIS_TYPE), ("TI", citation.title)]
    lines += [("AU", author) for author in citation.authors]
    if (da := ris_date(citation.when)) is not None:
        lines += [("DA", da), ("PY", f"{citation.when.year:04d}")]
    lines += [("PB", citation.archive), ("DP", citation.archive)]
    optional = [("M3", citation.doc_type), ("DB", citation.original_archive), ("AN", citation.source),
                ("UR", real_url(citation) or ""), ("L1", citation.scan_url or ""), ("AB", citation.summary)]
    lines += [(tag, value) for tag, value in optional if value]
    lines += [("LA", language) for language in citation.languages]
    lines += [("KW", subject) for subject in citation.subjects]
    body = "".join(f"{tag}  - {one_line(value)}{CRLF}" for tag, value in lines if one_line(value))
    return f"{body}ER  - {CRLF}"


# -- BibTeX ------------------------------------------------------------------------------------------------

# Every character TeX or BibTeX reads as syntax, as the command that prints it. Braces become commands too,
# so a field's braces always balance, whatever the text: BibTeX counts every brace, escaped or not.
_TEX = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "%": r"\%", "&": r"\&",
        "_": r"\_", "#": r"\#", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_TEX_CHAR = re.compile("[" + re.escape("".join(_TEX)) + "]")
_AND = re.compile(r"\band\b", re.IGNORECASE)


def tex(text: str) -> str:
    """Text as a BibTeX field value shows it: one line, every special character escaped."""
    return _TEX_CHAR.sub(lambda m: _TEX[m.group(0)], one_line(text))


def bibtex_name(name: str) -> str:
    """A "Last, First" name as BibTeX reads it; any other (a body, a name whose order is not known) kept whole
    in braces. An "and" inside a name is braced, so it never splits the author list."""
    if "," in name:
        return _AND.sub("{and}", tex(name))
    return "{" + tex(name) + "}"


def bibtex_key(citation: Citation) -> str:
    """The same key for the same document in every archive: its Record ID, else its year and title."""
    if citation.record_id:
        return f"wcda{citation.record_id}"
    digest = hashlib.sha1(f"{citation.title}|{citation.when.iso()}".encode()).hexdigest()[:8]
    return f"wcda{citation.when.year or 'nd'}-{digest}"


def bibtex(citation: Citation) -> str:
    """One @misc entry (biblatex reads its `date`, BibTeX its `year` and `month`)."""
    fields: list[tuple[str, str]] = [("title", "{{" + tex(citation.title) + "}}")]  # inner braces: case kept
    if citation.authors:
        fields.append(("author", "{" + " and ".join(bibtex_name(a) for a in citation.authors) + "}"))
    when = citation.when
    if when.year is not None:
        fields += [("date", f"{{{when.iso()}}}"), ("year", f"{{{when.year}}}")]
        if when.month is not None:
            fields.append(("month", calendar.month_abbr[when.month].lower()))  # BibTeX's own month macros
    fields.append(("howpublished", "{" + tex(citation.archive) + "}"))
    optional = [("type", citation.doc_type), ("note", citation.source), ("organization", citation.original_archive),
                ("url", real_url(citation) or ""), ("language", ", ".join(citation.languages)),
                ("keywords", ", ".join(citation.subjects)), ("abstract", citation.summary)]
    fields += [(name, "{" + (value if name == "url" else tex(value)) + "}") for name, value in optional
               if one_line(value)]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{bibtex_key(citation)},\n{body}\n}}\n"


# -- Chicago -----------------------------------------------------------------------------------------------

def _quoted(title: str, closing: str) -> str:
    """A title in quotation marks, the punctuation after it inside them, unless the title ends in its own."""
    return f"\u201c{title}\u201d" if title.endswith(("?", "!")) else f"\u201c{title}{closing}\u201d"


def _listed(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _particulars(citation: Citation) -> list[str]:
    """Source, original archive (unless the source names it already), the archive, the link."""
    source = citation.source.rstrip(" .;,")
    parts = [source] if source else []
    if citation.original_archive and citation.original_archive.lower() not in source.lower():
        parts.append(citation.original_archive.rstrip(" ."))
    parts.append(citation.archive)
    if (url := real_url(citation)) is not None:
        parts.append(url)
    return parts


def chicago_note(citation: Citation) -> str:
    """The note: Authors, "Title," Date, Source, Original Archive, Wilson Center Digital Archive, URL."""
    names = list(citation.author_names)
    authors = _listed(names) if len(names) <= NOTE_AUTHORS else f"{names[0]} et al."
    head = f"{authors}, " if authors else ""
    return f"{head}{_quoted(citation.title, ',')} {', '.join([citation.date, *_particulars(citation)])}."


def chicago_bibliography(citation: Citation) -> str:
    """The bibliography entry: Last, First, and Second Author. "Title." Date. Source. ... URL."""
    names = list(citation.author_names)
    if citation.authors:
        names[0] = citation.authors[0]  # the first author inverted, for the alphabetical list
    parts = [_listed(names).rstrip(".")] if names else []
    parts += [_quoted(citation.title, "."), citation.date[:1].upper() + citation.date[1:], *_particulars(citation)]
    return " ".join(part if part.endswith(("\u201d", ".")) else part + "." for part in parts)


def chicago(citation: Citation) -> str:
    return f"Note: {chicago_note(citation)}\nBibliography: {chicago_bibliography(citation)}\n"


FORMATTERS = {CitationFormat.CHICAGO: chicago, CitationFormat.BIBTEX: bibtex, CitationFormat.RIS: ris}


def formatted(citation: Citation, form: CitationFormat) -> str:
    return FORMATTERS[form](citation)
