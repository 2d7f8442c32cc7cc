"""A small, realistic archive for the browser tests: the seed statement and a few more."""

from __future__ import annotations

import datetime as dt

from tests.pages.factories import CommuniqueFactory, add_revision, organization, seed_communique


def small_archive() -> dict:
    seed = seed_communique()
    add_revision(seed, 1)
    arabic = CommuniqueFactory(
        title="البيان الختامي للهيئة العامة",
        language="ar",
        issuer=organization("SOC"),
        date=seed.date,
        paragraphs=[
            "عقد الائتلاف الوطني السوري اجتماعاً طارئاً لبحث التصعيد العسكري في إدلب وريف حلب.",
            "ودعا مجلس الأمن الدولي إلى عقد جلسة طارئة لوقف القصف على المدنيين.",
        ],
    )
    other = CommuniqueFactory(
        title="Statement on the humanitarian situation in the north",
        issuer=organization("SNC"),
        issuer_body="Political Committee",
        date=dt.date(2023, 11, 2),
        paragraphs=[
            "The Commission calls for a ceasefire and for humanitarian access to Idlib.",
            "It urges the United Nations to renew cross-border aid.",
        ],
    )
    return {"seed": seed, "arabic": arabic, "other": other}
