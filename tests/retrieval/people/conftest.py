"""The bundled people directory, loaded once: every test here reads it and none changes it."""
from __future__ import annotations

import pytest

from retrieval.people import PeopleDirectory


@pytest.fixture(scope="session")
def people() -> PeopleDirectory:
    return PeopleDirectory.load()
