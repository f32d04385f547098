"""Records, hits and answers as JSON-ready dicts: the shape scripts and `--json` output rely on."""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .cite import Citation
from .records import Record

if TYPE_CHECKING:  # only the shapes are needed: exporting must not load the search stack
    from .search import Answer, Hit, SearchResult


def record_to_dict(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.date.iso(),
        "date_text": record.date_text,
        "precision": record.date.precision,
        "title": record.title,
        "summary": record.summary,
        "summary_partial": record.summary_partial,
        "notes": list(record.notes),
        "participants": [p.name for p in record.participants],
        "roles": [{"name": p.name, "role": p.role, "kind": p.kind} for p in record.participants],
        "url": record.url,
        "sources": list(record.sources),
    }


def citation_to_dict(citation: Citation) -> dict[str, Any]:
    return {**asdict(citation), "text": citation.text}


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    r = hit.record
    return {
        "id": r.id,
        "score": round(hit.score, 4),
        "date": r.date.iso(),
        "date_text": r.date_text,
        "title": r.title,
        "summary": r.summary,
        "participants": [p.name for p in r.participants],
        "url": r.url,
        "citation": citation_to_dict(hit.citation),
    }


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    q = result.understood
    return {
        "query": result.query,
        "hits": [hit_to_dict(h) for h in result.hits],
        "notice": result.notice,
        "suggestions": result.suggestions,
        "understood": {
            "terms": list(q.terms),
            "dates": None if q.dates is None else {"from": q.dates.start.isoformat(), "to": q.dates.end.isoformat()},
            "people": list(q.people),
            "corrections": [{"typed": a, "corrected": b} for a, b in q.corrections],
            "relaxed_date": result.relaxed,
        },
    }


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    data = result_to_dict(answer.result)
    data["answer"] = None if answer.text is None else {
        "text": answer.text, "sentence": answer.sentence, "id": answer.record.id if answer.record else None,
    }
    return data
