"""Build the archive from the site: a polite crawler that saves pages to a mirror folder, then ingests it.

`pages.py` (what a page is), `http.py` (the polite client), `frontier.py` (the crawl's state, in the
database), `crawl.py` (the run). Knows nothing of Discord or the command line: problems come back as codes.
"""
from __future__ import annotations

from .crawl import Counts, Crawler, FetchOptions, FetchProgress, FetchReport
from .http import DEFAULT_DELAY, MIN_DELAY, FetchError, FetchProblem, is_loopback, user_agent
from .pages import PageKind

__all__ = ["DEFAULT_DELAY", "MIN_DELAY", "Counts", "Crawler", "FetchError", "FetchOptions", "FetchProblem",
           "FetchProgress", "FetchReport", "PageKind", "is_loopback", "user_agent"]
