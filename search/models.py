"""The durable queue of pending index updates.

A row is written in the same transaction as the change it reflects, so a process that dies
between the database write and the index write leaves the row behind, and the next drain
applies it. One writer at a time drains the queue (search.queue), which is what keeps
Whoosh's single-writer lock from ever surfacing as an error.
"""

from django.db import models


class IndexTask(models.Model):
    communique_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed rows belong to one drainer; a claim older than the lease is taken over, so a
    # killed drainer's work is redone rather than lost.
    claimed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"index communique {self.communique_id}"
