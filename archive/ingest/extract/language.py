"""Language of the text as an ISO 639-1 code.

Rules:
- SCRIPT: a text mostly in Arabic script is Arabic ("ar"); script is certain where a
  statistical guess on a short text is not.
- LANGDETECT: otherwise langdetect, seeded for deterministic answers, on the first few
  thousand characters; too little text gives "".
"""

from __future__ import annotations

import pycountry
from langdetect import DetectorFactory, LangDetectException, detect

DetectorFactory.seed = 0  # langdetect is randomised; a fixed seed makes it repeatable

_MIN_LETTERS = 20
_MIN_WORDS = 3
_ARABIC_SHARE = 0.3
_SAMPLE = 3000


def detect_language(text: str) -> str:
    letters = [char for char in text[:_SAMPLE] if char.isalpha()]
    # Too little text, or one word repeated ("aaaa…"), gives a guess, not a language.
    if len(letters) < _MIN_LETTERS or len(set(text[:_SAMPLE].lower().split())) < _MIN_WORDS:
        return ""
    arabic = sum(1 for char in letters if "\u0600" <= char <= "\u06ff")
    if arabic / len(letters) >= _ARABIC_SHARE:
        return "ar"
    try:
        code = detect(text[:_SAMPLE]).split("-")[0]
    except LangDetectException:
        return ""
    return code if pycountry.languages.get(alpha_2=code) else ""
