"""python manage.py generate_corpus --count N --seed S [--draft] [--no-progress] | --delete

Synthetic communiqués for benchmarks (archive.synthetic), written through the models in bulk:
entity pools once (with their aliases), then batches of communiqués with their paragraphs,
participations, demands and addressees, places, resolutions and a first revision, one
transaction per batch. Every communiqué is `is_synthetic=True` and every entity the generator
creates carries `archive.synthetic.SYNTHETIC_MARK`, so `--delete` removes exactly them.

bulk_create sends no signals, so the index updates are queued here (search.models.IndexTask
rows, in the same transaction); `manage.py drain_index` then applies them.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError
from django.db import models, reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from archive import planner
from archive.models import (
    Communique,
    Demand,
    Organization,
    OrganizationAlias,
    Paragraph,
    Participation,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Resolution,
    Revision,
    Tombstone,
)
from archive.models.communique import _ID_ALPHABET, _ID_LENGTH, PUBLISHED_NOTE
from archive.models.entities import alias_key
from archive.synthetic import SYNTHETIC_MARK, CorpusGenerator, Pools, SyntheticCommunique

CHUNK = 500  # ids per IN (...) clause


def chunks(items: Iterable, size: int):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = "Generate (or --delete) synthetic communiqués for benchmarks; never real records."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="communiqués to create")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same corpus")
        parser.add_argument("--batch-size", type=int, default=1000, help="per transaction")
        state = parser.add_mutually_exclusive_group()
        state.add_argument(
            "--publish", dest="publish", action="store_true", default=True, help="(default)"
        )
        state.add_argument("--draft", dest="publish", action="store_false", help="as drafts")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--delete",
            action="store_true",
            help="remove every synthetic communiqué, and the entities only they use",
        )

    def handle(self, *, count, seed, batch_size, publish, no_progress, delete, **options):
        if delete:
            return self.delete(no_progress)
        if count < 1 or batch_size < 1:
            raise CommandError("--count and --batch-size must be positive.")
        started = time.monotonic()
        generator = CorpusGenerator(seed)
        with transaction.atomic():
            entities = EntityIds.ensure(generator.pools)
        writer = BatchWriter(entities, publish)
        bar = tqdm(total=count, unit="doc", disable=no_progress, file=self.stderr._out)
        for batch in chunks(generator.generate(count), batch_size):
            with transaction.atomic():
                writer.write(batch)
            reset_queries()  # with DEBUG on, the query log would hold the whole corpus
            bar.update(len(batch))
        bar.close()
        planner.refresh()  # bulk_create sends no signal that would
        elapsed = time.monotonic() - started
        state = "published" if publish else "draft"
        self.stdout.write(
            f"Created {count} synthetic {state} communiqués (seed {seed}) with "
            f"{writer.counts['paragraphs']} paragraphs, {writer.counts['participations']} "
            f"participations, {writer.counts['demands']} demands; "
            f"{entities.created} new entities. {elapsed:.1f} s, {count / elapsed:.0f} docs/s."
        )
        if writer.counts["index_tasks"]:
            self.stdout.write(
                f"{writer.counts['index_tasks']} index updates queued: "
                "run `manage.py drain_index` to apply them."
            )

    # -- removal

    def delete(self, no_progress: bool) -> None:
        from search.models import IndexTask

        started = time.monotonic()
        rows = list(Communique.objects.filter(is_synthetic=True).values_list("pk", "status"))
        bar = tqdm(total=len(rows), unit="doc", disable=no_progress, file=self.stderr._out)
        queued = 0
        for batch in chunks(rows, 1000):
            ids = [pk for pk, _ in batch]
            published = [pk for pk, status in batch if status == Communique.Status.PUBLISHED]
            with transaction.atomic():
                delete_communiques(ids)
                # The deleted published ones leave the index when the queue is drained.
                IndexTask.objects.bulk_create([IndexTask(communique_id=pk) for pk in published])
            queued += len(published)
            reset_queries()
            bar.update(len(batch))
        bar.close()
        with transaction.atomic():
            removed = delete_synthetic_entities()
        planner.refresh()
        elapsed = time.monotonic() - started
        entity_counts = ", ".join(f"{n} {label}" for label, n in removed.items())
        self.stdout.write(
            f"Deleted {len(rows)} synthetic communiqués and {entity_counts} "
            f"in {elapsed:.1f} s; {queued} index removals queued."
        )


def delete_communiques(ids: list[int]) -> None:
    """Remove these communiqués and what hangs off them, without per-row signals.

    Synthetic records get no tombstone: they were never real, so nobody cites them, and a
    100,000-row benchmark should not leave 100,000 retired ids behind.
    """
    for field in (Communique.places.field, Communique.resolutions.field):
        field.remote_field.through._base_manager.filter(communique_id__in=ids).delete()
    Demand.addressees.through._base_manager.filter(demand__communique_id__in=ids).delete()
    for rel in Communique._meta.related_objects:
        model = rel.related_model
        related = model._base_manager.filter(**{f"{rel.field.name}__in": ids})
        if model in (Paragraph, Participation, Demand, Revision):
            # No per-row signals: each would queue one more index update for a deleted record.
            related._raw_delete(related.db)
        elif rel.many_to_many:
            through = rel.through._base_manager
            through.filter(**{f"{rel.field.m2m_reverse_field_name()}__in": ids}).delete()
        # Whatever else points here (models added later) is handled by its on_delete.
        elif rel.on_delete is models.CASCADE:
            related.delete()
        elif rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
    query = Communique.objects.filter(pk__in=ids)
    query._raw_delete(query.db)


def delete_synthetic_entities() -> dict[str, int]:
    """Entities the generator created that nothing left points to; the others lose the mark."""
    removed = {}
    for model, label in (
        (Organization, "organizations"),
        (Person, "persons"),
        (Place, "places"),
        (Resolution, "resolutions"),
    ):
        marked = model.objects.filter(**{_mark_field(model): SYNTHETIC_MARK})
        unused = marked
        for rel in model._meta.related_objects:
            if rel.related_model.__name__.endswith("Alias"):
                continue
            if rel.many_to_many:
                users = rel.through._base_manager.values(rel.field.m2m_reverse_field_name())
            else:
                users = rel.related_model._base_manager.filter(
                    **{f"{rel.field.name}__isnull": False}
                ).values(rel.field.attname)
            unused = unused.exclude(pk__in=users)
        unused_ids = list(unused.values_list("pk", flat=True))
        for ids in chunks(unused_ids, CHUNK):
            model.objects.filter(pk__in=ids).delete()
        removed[label] = len(unused_ids)
        # Still used by a real record: it is real now, so it loses the mark.
        marked.update(**{_mark_field(model): ""})
    return removed


def _mark_field(model) -> str:
    return "title" if model is Resolution else "description"


# -- entities ----------------------------------------------------------------------------------


class EntityIds:
    """Name -> id of every pool entity, reusing existing records that share an alias."""

    def __init__(self):
        self.orgs: dict[str, int] = {}
        self.persons: dict[str, int] = {}
        self.places: dict[str, int] = {}
        self.resolutions: dict[tuple[str, str], int] = {}
        # id -> canonical name, for the revision snapshot (a reused record keeps its name)
        self.org_names: dict[int, str] = {}
        self.person_names: dict[int, str] = {}
        self.place_names: dict[int, str] = {}
        self.resolution_labels: dict[int, str] = {}
        self.created = 0

    @classmethod
    def ensure(cls, pools: Pools) -> EntityIds:
        ids = cls()
        orgs = {}
        for spec in pools.all_organizations():
            orgs.setdefault(spec.name, spec)
        ids.orgs, ids.org_names = ids._ensure(
            Organization,
            OrganizationAlias,
            [
                (s.name, {"acronym": s.acronym, "kind": s.kind}, [s.acronym] if s.acronym else [])
                for s in orgs.values()
            ],
        )
        ids.persons, ids.person_names = ids._ensure(
            Person, PersonAlias, [(s.name, {}, []) for s in pools.persons]
        )
        ids.places, ids.place_names = ids._ensure(
            Place,
            PlaceAlias,
            [
                (
                    s.name,
                    {
                        "kind": s.kind,
                        "country_code": s.country_code,
                        "geonameid": s.geonameid,
                        "latitude": s.latitude,
                        "longitude": s.longitude,
                    },
                    [],
                )
                for s in pools.places
            ],
        )
        ids._ensure_resolutions(pools)
        return ids

    def _ensure(self, model, alias_model, specs):
        """specs: (name, defaults, extra aliases). Returns name -> id and id -> name."""
        fk = alias_model._meta.get_field(model._meta.model_name).attname
        keys = {}
        for name, _, _ in specs:
            keys.setdefault(alias_key(name), name)
        existing: dict[str, int] = {}
        for chunk in chunks(list(keys), CHUNK):
            existing.update(alias_model.objects.filter(key__in=chunk).values_list("key", fk))
        new = [
            (name, defaults, extra)
            for name, defaults, extra in specs
            if (key := alias_key(name)) not in existing and keys.get(key) == name
        ]
        slugs = _free_slugs(model, [name for name, _, _ in new])
        created = model.objects.bulk_create(
            [
                model(name=name, slug=slug, description=SYNTHETIC_MARK, **defaults)
                for (name, defaults, _), slug in zip(new, slugs, strict=True)
            ]
        )
        self.created += len(created)
        aliases, extra_keys, taken = [], [], set(existing)
        for obj, (name, _, extra) in zip(created, new, strict=True):
            for spelling in [name, *extra]:
                key = alias_key(spelling)
                if key and key not in taken:
                    taken.add(key)
                    aliases.append(alias_model(name=spelling, key=key, **{fk: obj.pk}))
                    if spelling != name:
                        extra_keys.append(key)
        # An extra spelling (an acronym) already held by a real record stays with it.
        held = set()
        for chunk in chunks(extra_keys, CHUNK):
            held.update(alias_model.objects.filter(key__in=chunk).values_list("key", flat=True))
        alias_model.objects.bulk_create([a for a in aliases if a.key not in held])

        by_key = {**existing, **{alias_key(obj.name): obj.pk for obj in created}}
        names = dict(
            itertools.chain.from_iterable(
                model.objects.filter(pk__in=chunk).values_list("pk", "name")
                for chunk in chunks(set(existing.values()), CHUNK)
            )
        )
        names.update((obj.pk, obj.name) for obj in created)
        return {name: by_key[alias_key(name)] for name, _, _ in specs}, names

    def _ensure_resolutions(self, pools: Pools) -> None:
        wanted = {(r.body, r.number): r for r in pools.resolutions}
        existing = {}
        for body in {b for b, _ in wanted}:
            numbers = [n for b, n in wanted if b == body]
            for chunk in chunks(numbers, CHUNK):
                for res in Resolution.objects.filter(body=body, number__in=chunk):
                    existing[(res.body, res.number)] = res
        new = [spec for key, spec in wanted.items() if key not in existing]
        slugs = _free_slugs(Resolution, [f"{s.body}-{s.number}" for s in new], unicode=False)
        created = Resolution.objects.bulk_create(
            [
                Resolution(
                    body=s.body, number=s.number, year=s.year, title=SYNTHETIC_MARK, slug=slug
                )
                for s, slug in zip(new, slugs, strict=True)
            ]
        )
        self.created += len(created)
        for res in [*existing.values(), *created]:
            self.resolutions[(res.body, res.number)] = res.pk
            self.resolution_labels[res.pk] = str(res)


def _free_slugs(model, names: list[str], unicode: bool = True, max_length: int = 80) -> list:
    """Unique slugs for new records, as archive.models.entities.unique_slug would give them."""
    bases = [slugify(n, allow_unicode=unicode)[:max_length].strip("-") or "entity" for n in names]
    slugs = list(bases)
    attempt = [1] * len(names)
    pending = list(range(len(names)))
    used: set[str] = set()
    while pending:
        candidates = {slugs[i] for i in pending}
        taken = set()
        for chunk in chunks(candidates, 2000):
            found = model._default_manager.filter(slug__in=chunk).values_list("slug", flat=True)
            taken.update(found)
        still = []
        for i in pending:
            if slugs[i] in taken or slugs[i] in used:
                attempt[i] += 1
                slugs[i] = f"{bases[i][: max_length - 6]}-{attempt[i]}"
                still.append(i)
            else:
                used.add(slugs[i])
        pending = still
    return slugs


# -- communiqués -------------------------------------------------------------------------------


class BatchWriter:
    def __init__(self, entities: EntityIds, publish: bool):
        from search.models import IndexTask

        self.IndexTask = IndexTask
        self.e = entities
        self.publish = publish
        self.counts = dict.fromkeys(("paragraphs", "participations", "demands", "index_tasks"), 0)

    def write(self, docs: list[SyntheticCommunique]) -> None:
        e = self.e
        now = timezone.now()
        status = Communique.Status.PUBLISHED if self.publish else Communique.Status.DRAFT
        communiques = Communique.objects.bulk_create(
            [
                Communique(
                    public_id=public_id,
                    title=doc.title,
                    slug=slugify(doc.title, allow_unicode=True)[:120],
                    language=doc.language,
                    status=status,
                    published_at=now if self.publish else None,
                    issuer_id=e.orgs[doc.issuer],
                    issuer_body=doc.issuer_body,
                    date=doc.date,
                    meeting_date=doc.meeting_date,
                    meeting_place_id=e.places[doc.meeting_place],
                    is_synthetic=True,
                )
                for doc, public_id in zip(docs, free_public_ids(len(docs)), strict=True)
            ]
        )
        paragraphs, participations, demands, addressees = [], [], [], []
        places, resolutions, revisions = [], [], []
        PlaceLink = Communique.places.through
        ResolutionLink = Communique.resolutions.through
        for c, doc in zip(communiques, docs, strict=True):
            paragraphs += [
                Paragraph(communique_id=c.pk, number=n, text=text)
                for n, text in enumerate(doc.paragraphs, start=1)
            ]
            participations += [
                Participation(
                    communique_id=c.pk,
                    position=n,
                    person_id=e.persons[p.person],
                    role=p.role[:200],
                    rank=p.rank,
                    organization_id=e.orgs[p.organization],
                )
                for n, p in enumerate(doc.participants)
            ]
            for n, d in enumerate(doc.demands):
                demands.append(
                    Demand(
                        communique_id=c.pk,
                        position=n,
                        text=d.text,
                        paragraph=d.paragraph,
                        verb=d.verb,
                        speaker_id=e.persons[d.speaker] if d.speaker else None,
                    )
                )
                addressees.append([e.orgs[a] for a in d.addressees])
            place_ids = list(dict.fromkeys(e.places[p] for p in doc.places))
            places += [PlaceLink(communique_id=c.pk, place_id=pk) for pk in place_ids]
            res_ids = list(dict.fromkeys(e.resolutions[r] for r in doc.resolutions))
            resolutions += [ResolutionLink(communique_id=c.pk, resolution_id=pk) for pk in res_ids]
            if self.publish:
                revisions.append(
                    Revision(
                        communique_id=c.pk,
                        number=1,
                        created_at=now,
                        note=PUBLISHED_NOTE,
                        data=self.snapshot(c, doc, place_ids, res_ids),
                    )
                )
        Paragraph.objects.bulk_create(paragraphs)
        Participation.objects.bulk_create(participations)
        Demand.objects.bulk_create(demands)
        AddresseeLink = Demand.addressees.through
        AddresseeLink.objects.bulk_create(
            AddresseeLink(demand_id=d.pk, organization_id=org)
            for d, orgs in zip(demands, addressees, strict=True)
            for org in dict.fromkeys(orgs)
        )
        PlaceLink.objects.bulk_create(places)
        ResolutionLink.objects.bulk_create(resolutions)
        Revision.objects.bulk_create(revisions)
        if self.publish:
            # bulk_create sends no post_save: queue the index updates ourselves.
            self.IndexTask.objects.bulk_create(
                [self.IndexTask(communique_id=c.pk) for c in communiques]
            )
            self.counts["index_tasks"] += len(communiques)
        self.counts["paragraphs"] += len(paragraphs)
        self.counts["participations"] += len(participations)
        self.counts["demands"] += len(demands)

    def snapshot(self, c: Communique, doc: SyntheticCommunique, place_ids, res_ids) -> dict:
        """What Communique.snapshot() gives for this record, without reading it back."""
        e = self.e
        org = e.org_names
        return {
            "title": doc.title,
            "language": doc.language,
            "issuer": org[c.issuer_id],
            "issuer_body": doc.issuer_body,
            "date": doc.date.isoformat(),
            "meeting_date": doc.meeting_date.isoformat(),
            "meeting_place": e.place_names[c.meeting_place_id],
            "paragraphs": doc.paragraphs,
            "participants": [
                {
                    "name": e.person_names[e.persons[p.person]],
                    "role": p.role[:200],
                    "organization": org[e.orgs[p.organization]],
                }
                for p in doc.participants
            ],
            "demands": [
                {
                    "text": d.text,
                    "paragraph": d.paragraph,
                    "addressee": sorted(org[e.orgs[a]] for a in dict.fromkeys(d.addressees)),
                }
                for d in doc.demands
            ],
            "places": sorted(e.place_names[pk] for pk in place_ids),
            "resolutions": sorted(e.resolution_labels[pk] for pk in res_ids),
        }


def free_public_ids(n: int) -> list[str]:
    """n new public ids that no communiqué, live or deleted, has had: one query per round."""
    found: list[str] = []
    while len(found) < n:
        wanted = n - len(found)
        candidates = list(
            dict.fromkeys(
                "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
                for _ in range(wanted)
            )
        )
        already = set(found)
        candidates = [c for c in candidates if c not in already]
        taken = set()
        for chunk in chunks(candidates, 2000):
            live = Communique.objects.filter(public_id__in=chunk).order_by()
            dead = Tombstone.objects.filter(public_id__in=chunk).order_by()
            taken.update(
                live.values_list("public_id", flat=True).union(dead.values_list("public_id"))
            )
        found += [c for c in candidates if c not in taken]
    return found
