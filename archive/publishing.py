"""Publishing, unpublishing and revisions: the states a journalist may have cited.

Every published state of a communiqué is kept as a Revision, so a correction never erases
what someone read and cited; the page of an older revision links to the newest one.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from archive.models import Communique, Revision
from archive.models.communique import PUBLISHED_NOTE


def record_revision(communique: Communique, user=None, note: str = "") -> Revision | None:
    """Keep the current published state, unless it equals the latest revision."""
    if not communique.is_published:
        return None
    fresh = Communique.objects.with_structure().get(pk=communique.pk)
    data = fresh.snapshot()
    with transaction.atomic():
        latest = communique.revisions.select_for_update().order_by("-number").first()
        if latest is not None and latest.data == data:
            return None
        number = (communique.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        return Revision.objects.create(
            communique=communique, number=number, created_by=user, note=note, data=data
        )


def publish(communique: Communique, user=None, note: str = "") -> Communique:
    with transaction.atomic():
        communique.status = Communique.Status.PUBLISHED
        communique.save()
        record_revision(communique, user, note or PUBLISHED_NOTE)
    return communique


def unpublish(communique: Communique, user=None) -> Communique:
    communique.status = Communique.Status.DRAFT
    communique.save()
    return communique
