"""Keep a deleted communiqué's id retired, so its permalink answers 410 forever."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

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
