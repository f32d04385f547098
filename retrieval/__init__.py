"""The archive core: parsing, people, storage, index and answers; nothing of Discord."""
from .compiled import from_source_if_asked

from_source_if_asked()
