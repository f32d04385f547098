"""The people directory: canonical names of the archive's people and bodies, their many written forms, and
finding them in titles and summaries.

`load` reads and checks the people file, `scan` finds names in text, `roles` reads authors and recipients
off a title, and `directory` ties them together behind `PeopleDirectory`.
"""
from .directory import Mention, PeopleDirectory
from .load import BUNDLED_FILE, Entity, PeopleFileError
from .scan import name_key

__all__ = ["BUNDLED_FILE", "Entity", "Mention", "PeopleDirectory", "PeopleFileError", "name_key"]
