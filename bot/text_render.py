"""Replies as plain text for a terminal: the console and the command line show the same thing."""
from __future__ import annotations

import textwrap

from retrieval.cite import cite
from retrieval.search import Answer, Hit, SearchResult
from retrieval.store import Record

WIDTH = 100


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def understood_line(result: SearchResult) -> str | None:
    """What the bot made of the question, when it changed it: corrected words, a date, a pseudonym."""
    q = result.understood
    parts = []
    if q.corrections:
        parts.append("searched for " + ", ".join(f"“{b}” instead of “{a}”" for a, b in q.corrections))
    if q.dates is not None and not result.relaxed:
        parts.append(f"dated {q.dates.describe()}")
    if parts:
        return "(" + "; ".join(parts) + ")"
    return None


def render_hit(number: int, hit: Hit) -> str:
    r = hit.record
    meta = [r.date.human()]
    if r.participants:
        meta.append(", ".join(p.name for p in r.participants[:6]))
    meta.append(f"#{r.id}")
    lines = [f"{number:>2}. {r.title}", _wrap(" · ".join(meta))]
    if r.summary:
        lines.append(_wrap(textwrap.shorten(r.summary, 400, placeholder=" …")))
    lines.append("    " + hit.citation.text)  # never wrapped: a terminal must keep the link clickable
    return "\n".join(lines)


def render_result(result: SearchResult) -> str:
    lines = []
    if result.notice:
        lines.append(result.notice)
    understood = understood_line(result)
    if result.hits:
        head = f"{len(result.hits)} document{'s' if len(result.hits) != 1 else ''}"
        lines.append(f"{head} {understood}" if understood else head + ":")
        lines += [render_hit(i, h) for i, h in enumerate(result.hits, 1)]
    elif understood:
        lines.append(understood)
    if result.suggestions:
        lines.append("Try: " + "; ".join(result.suggestions) + ".")
    return "\n\n".join(lines)


def render_answer(answer: Answer) -> str:
    if answer.text is None:
        return render_result(answer.result)
    record = answer.record
    assert record is not None
    lines = [_wrap(answer.text, ""), f"— from “{record.title}” (#{record.id})"]
    if answer.result.notice:
        lines.insert(0, answer.result.notice)
    sources = "\n\n".join(render_hit(i, h) for i, h in enumerate(answer.result.hits, 1))
    return "\n".join(lines) + "\n\nSources:\n\n" + sources


def render_record(record: Record) -> str:
    lines = [f"#{record.id} {record.title}", f"Date: {record.date.human()}"
             + (f" (written “{record.date_text}”)" if record.date_text and record.date.precision != "none" else "")]
    if record.participants:
        lines.append("Participants: " + "; ".join(
            p.name if p.role == "participant" else f"{p.name} ({p.role})" for p in record.participants))
    if record.summary:
        lines += ["", textwrap.fill(record.summary, WIDTH)]
        if record.summary_partial:
            lines.append("(the summary was cut off in every page this record was seen in)")
    for note in record.notes:
        lines += ["", textwrap.fill(f"Note: {note}", WIDTH)]
    lines += ["", "Cite as: " + cite(record).text]
    return "\n".join(lines)
