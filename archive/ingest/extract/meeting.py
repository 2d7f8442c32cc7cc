"""Where the meeting took place.

Rules:
- MEETING_PLACE: a capitalised place right after a meeting word, within a few words
  ("held its periodic meeting in Geneva", "met in Elmau", "se sont réunis dimanche à
  Nouakchott", "meeting of the North Atlantic Council in Brussels"). Farther places are where
  things happened, not where the meeting was ("convened … on Monday to address … in Idlib").
- DATELINE: otherwise the place of a header dateline ("(Münster, 4 novembre 2022)").
The place is the gazetteer's name when it has one, else the text's ("Elmau").
"""

from __future__ import annotations

import re

from .dates import Meeting
from .places import lookup_place

_NEAR = 60  # characters after the meeting word
_PLACE_AFTER = re.compile(
    r"\b(?:in|at|à)\s+(?P<place>[A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+){0,2})"
)


def meeting_place(meeting: Meeting | None, dateline_place: str = "") -> str:
    if meeting is not None:
        window = meeting.sentence[meeting.after : meeting.after + _NEAR]
        window = re.split(r"\s+to\s+[a-z]|\.\s", window)[0]  # the purpose clause is elsewhere
        for match in _PLACE_AFTER.finditer(window):
            words = match.group("place").split()
            # "in the Council of …" is not a place; try the longest gazetteer match first
            for size in range(len(words), 0, -1):
                place = lookup_place(" ".join(words[:size]))
                if place and place.kind == "city":
                    return place.name
            if not match.group("place").startswith(("The", "Le", "La")):
                return words[0]
    return dateline_place
