"""Search results and answers as JSON for `--json`: the shape scripts rely on, worded for the command line."""
from __future__ import annotations

from typing import Any

from retrieval.search import Answer, Hit, PersonCard, SearchResult, Similar
from retrieval.serialize import citation_to_dict

from .wording import Front, hint_text, notice_text


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    r = hit.record
    return {
        "id": r.id,
        "score": round(hit.score, 4),
        "date": r.date.iso(),
        "date_text": r.date_text,
        "title": r.title,
        "summary": r.summary,
        "participants": [{"name": p.name, "role": p.role} for p in r.participants],
        "mentioned": [p.name for p in r.mentioned],
        "url": r.url,
        "citation": citation_to_dict(hit.citation),
    }


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    q = result.understood
    return {
        "query": result.query,
        "intent": str(result.intent),
        "total": result.total,  # a browse lists the first `len(hits)` of `total` documents in date order
        "hits": [hit_to_dict(h) for h in result.hits],
        "notice": None if result.notice is None else notice_text(result.notice),
        "notice_kind": None if result.notice is None else str(result.notice.kind),
        "suggestions": [hint_text(h, Front.CLI) for h in result.suggestions],
        "understood": {
            "terms": list(q.terms),
            "dates": None if q.dates is None else {"from": q.dates.start.isoformat(), "to": q.dates.end.isoformat()},
            "people": list(q.people),
            "corrections": [{"typed": a, "corrected": b} for a, b in q.corrections],
            "relaxed_date": result.relaxed,
            "absent": list(q.absent),  # real words no document uses: searched without
            "expansions": [{"terms": list(e.terms), "weight": e.weight} for e in q.expansions],
            "direction": None if q.direction is None else {"from": list(q.direction.authors),
                                                           "to": list(q.direction.recipients)},
        },
    }


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    data = result_to_dict(answer.result)
    data["intent"] = str(answer.intent)
    data["person"] = None if answer.person is None else person_to_dict(answer.person)
    data["answer"] = None if answer.text is None else {
        "text": answer.text, "sentence": answer.sentence, "id": answer.record.id if answer.record else None,
        "cut_off": answer.cut_off,  # the sentence is where a summary the archive cut short stops
    }
    return data


def person_to_dict(card: PersonCard) -> dict[str, Any]:
    years = card.documents.years
    return {
        "name": card.name,
        "typed": card.typed,
        "aliases": list(card.aliases),
        "note": card.note,
        "years": None if years is None else {"first": years[0], "last": years[1]},  # from those taken part in
        "took_part": len(card.documents.took_part),
        "mentioned": len(card.documents.mentioned),
    }


def similar_to_dict(found: Similar) -> dict[str, Any]:
    """`similar --json`: the document asked about, and the hits in search --json's shape."""
    return {"id": found.record.id, "title": found.record.title, "hits": [hit_to_dict(h) for h in found.hits]}
