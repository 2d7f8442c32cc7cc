"""What follows a communiqué's creation or deletion: a deleted one's id stays retired, so
its permalink answers 410 forever; a new one may call for fresh planner statistics."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive import planner
from archive.models import Communique, Tombstone


@receiver(post_delete, sender=Communique)
def retire_public_id(sender, instance: Communique, **kwargs) -> None:
    Tombstone.objects.get_or_create(
        public_id=instance.public_id,
        defaults={
            "title": instance.title,
            "issuer": instance.issuer.name if instance.issuer_id else "",
            "date": instance.date,
        },
    )


@receiver(post_save, sender=Communique)
def keep_statistics_current(sender, instance: Communique, created: bool, raw: bool, **kwargs):
    # After the commit: gathering statistics must not hold the writer's transaction open,
    # and, being only an aid to the planner, must not fail a save that succeeded (robust:
    # an error is logged). A restore saves raw records and gathers them once at its end.
    if created and not raw:
        transaction.on_commit(planner.keep_current, robust=True)
