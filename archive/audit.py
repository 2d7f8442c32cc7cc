"""The audit log: who added, changed, published, unpublished or deleted what, and when.

Entries come from model signals, so every door is covered the same way: the admin (its
forms, actions and upload), the importer and other management commands, the shell. The
actor is the signed-in user of the current request (AuditActorMiddleware), or the command
that runs ("manage.py import_communiques"), or "system"; `acting_as()` names it explicitly.

Recorded: communiqués added, changed (with the fields that changed), published, unpublished
and deleted; entities (organizations, people, places, resolutions) changed or deleted. A new
entity is not recorded: imports create them all the time, and they are public only through a
published communiqué, whose publication is recorded. Raw saves (loading a backup) are not
recorded one by one; import_archive writes one "restored" entry.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from archive.models import AuditEntry, Communique, Organization, Person, Place, Resolution

Action = AuditEntry.Action
ENTITY_MODELS = (Organization, Person, Place, Resolution)
# Saves that follow an "added" or "changed" entry by the same actor within this time are one
# edit (an import saves a record several times while it fills it in).
COALESCE = timedelta(seconds=5)
_IGNORED_FIELDS = {"updated_at", "created_at", "published_at"}

_actor: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("audit_actor", default=None)


def _default_label() -> str:
    argv = sys.argv or [""]
    if Path(argv[0]).name == "manage.py" and len(argv) > 1:
        return f"manage.py {argv[1]}"
    return "system"


def current_actor() -> tuple:
    """(user or None, label)."""
    value = _actor.get()
    if value is not None:
        return value
    return None, _default_label()


@contextmanager
def acting_as(user=None, label: str = "") -> Iterator[None]:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    label = label or (user.get_username() if user is not None else _default_label())
    token = _actor.set((user, label))
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """Makes the signed-in user the actor of whatever the request changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with acting_as(user):
                return self.get_response(request)
        return self.get_response(request)


def record(action: str, obj, detail: dict | None = None, *, user=None, label: str = ""):
    actor, actor_label = (user, label or user.get_username()) if user else current_actor()
    if label:
        actor_label = label
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label[:200],
        action=action,
        object_type=type(obj)._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        public_id=getattr(obj, "public_id", "") or "",
        detail=detail or {},
    )


def _changed_fields(old, new) -> list[str]:
    return [
        f.name
        for f in new._meta.concrete_fields
        if f.name not in _IGNORED_FIELDS and getattr(old, f.attname) != getattr(new, f.attname)
    ]


@receiver(pre_save, sender=Communique)
@receiver(pre_save, sender=Organization)
@receiver(pre_save, sender=Person)
@receiver(pre_save, sender=Place)
@receiver(pre_save, sender=Resolution)
def _before(sender, instance, raw=False, **kwargs) -> None:
    if raw or not instance.pk:
        instance._audit_before = None
        return
    instance._audit_before = sender._default_manager.filter(pk=instance.pk).first()


def _recent(instance, actions: list[str]) -> bool:
    _user, label = current_actor()
    return AuditEntry.objects.filter(
        object_type=type(instance)._meta.model_name,
        object_id=str(instance.pk),
        action__in=actions,
        actor_label=label[:200],
        at__gte=timezone.now() - COALESCE,
    ).exists()


@receiver(post_save, sender=Communique)
def _communique_saved(sender, instance: Communique, created: bool, raw=False, **kwargs) -> None:
    if raw:
        return
    old = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if created or old is None:
        detail = {"status": instance.status}
        if instance.original_name:
            detail["file"] = instance.original_name
        record(Action.ADDED, instance, detail)
        if instance.status == Communique.Status.PUBLISHED:
            record(Action.PUBLISHED, instance)
        return
    fields = _changed_fields(old, instance)
    if old.status != instance.status:
        action = (
            Action.PUBLISHED
            if instance.status == Communique.Status.PUBLISHED
            else Action.UNPUBLISHED
        )
        record(action, instance, {"fields": [f for f in fields if f != "status"]})
        return
    if not fields and _recent(instance, [Action.ADDED, Action.CHANGED, Action.PUBLISHED]):
        return
    if _recent(instance, [Action.ADDED]):
        return  # still being filled in by the import that added it
    record(Action.CHANGED, instance, {"fields": fields})


@receiver(post_save, sender=Organization)
@receiver(post_save, sender=Person)
@receiver(post_save, sender=Place)
@receiver(post_save, sender=Resolution)
def _entity_saved(sender, instance, created: bool, raw=False, **kwargs) -> None:
    old = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if raw or created or old is None:
        return
    fields = _changed_fields(old, instance)
    if fields:
        record(Action.CHANGED, instance, {"fields": fields})


@receiver(post_delete, sender=Communique)
@receiver(post_delete, sender=Organization)
@receiver(post_delete, sender=Person)
@receiver(post_delete, sender=Place)
@receiver(post_delete, sender=Resolution)
def _deleted(sender, instance, **kwargs) -> None:
    record(Action.DELETED, instance)
