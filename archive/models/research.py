"""Links between records that researchers draw by hand: a demand repeating an earlier one."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from archive.models.communique import Demand


class DemandRepeat(models.Model):
    """`demand` repeats `earlier`: the same call, made again (to the same addressees, often).

    Following `earlier` from link to link leads to the first time the call was made, which
    tells a reader for how long, and to whom, it has been made.
    """

    demand = models.OneToOneField(Demand, on_delete=models.CASCADE, related_name="repeat")
    earlier = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="repeated_by")
    similarity = models.FloatField(
        null=True, blank=True, help_text="Text similarity when it was marked (0–1)"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-marked_at"]
        verbose_name = "repeated demand"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(demand=models.F("earlier")), name="repeat_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.demand_id} repeats #{self.earlier_id}"

    def clean(self) -> None:
        if self.demand_id and self.demand_id == self.earlier_id:
            raise ValidationError("A demand cannot repeat itself.")
        # No cycles: the earlier demand must not (indirectly) repeat this one.
        seen, current = {self.demand_id}, self.earlier_id
        while current is not None:
            if current in seen:
                raise ValidationError("This link would make a loop of repeats.")
            seen.add(current)
            current = (
                DemandRepeat.objects.filter(demand_id=current)
                .values_list("earlier_id", flat=True)
                .first()
            )
