"""Records and citations as JSON-ready dicts: the shape export, scripts and `--json` output rely on."""
from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from .cite import Citation
from .records import DocumentInfo, Record

DOCUMENT_KEYS = tuple(f.name for f in fields(DocumentInfo))  # what a document's own page adds, same names
LIST_KEYS = tuple(f.name for f in fields(DocumentInfo) if f.type == "tuple[str, ...]")


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
        "mentioned": [p.name for p in record.mentioned],
        "url": record.url,
        "sources": list(record.sources),
        **document_to_dict(record.info),
    }


def document_to_dict(info: DocumentInfo | None) -> dict[str, Any]:
    """Every DocumentInfo field under its own name (lists as lists); empty ones when the page was not seen."""
    values = asdict(info or DocumentInfo())
    return {key: list(values[key]) if key in LIST_KEYS else values[key] for key in DOCUMENT_KEYS}


def citation_to_dict(citation: Citation) -> dict[str, Any]:
    return {
        "title": citation.title,
        "date": citation.date,
        "participants": list(citation.participants),
        "archive": citation.archive,
        "url": citation.url,
        "link": str(citation.link),  # document, page or search: a search is no address of the document
        "link_is_search": citation.link_is_search,
        "authors": list(citation.authors),
        "source": citation.source,
        "original_archive": citation.original_archive,
        "record_id": citation.record_id,
        "scan_url": citation.scan_url,
        "text": citation.text,
    }
