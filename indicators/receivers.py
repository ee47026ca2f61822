"""Keep ``ReportingDue`` right when its sources are saved directly, not through a service.

The services re-read a figure into its rows after every status change they make (their
UPDATEs send no signal). Figures saved as models — the history load, the admin, fixtures,
tests' factories — reach the table through these receivers. Changes to what a department
leads arrive from ``targets/receivers.py``. Docs: docs/monitoring.md "Reporting completeness
and overdue".
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Department, Indicator, Observation, ReportingDue
from .services.reporting import reporting_due_refresh, reporting_due_sync_figure


@receiver([post_save, post_delete], sender=Observation)
def sync_reporting_due_with_figure(
    sender: object, *, instance: Observation, **kwargs: object
) -> None:
    # Fixtures (``raw``) too: a figure loaded after its targets must still count.
    reporting_due_sync_figure(instance)


@receiver(post_save, sender=Indicator)
def refresh_reporting_due_of_indicator(
    sender: object, *, instance: Indicator, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """Its frequency decides the periods owed (quarters or years): the departments that owe
    it are those with rows for it (this layer does not read targets' tables)."""
    if not created and not raw:
        owing = ReportingDue.objects.filter(indicator=instance).values_list(
            "department_id", flat=True
        )
        reporting_due_refresh(department_ids=set(owing))


@receiver(post_save, sender=Department)
def refresh_reporting_due_of_department(
    sender: object, *, instance: Department, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """Its region decides which of the targets it leads are its own to report."""
    if not created and not raw:
        reporting_due_refresh(department_ids=[instance.pk])
