"""Screening keeps its counters right when the people registry changes under it.

A household deleted from the registry takes its visits with it (the foreign key
cascades); the campaign coverage counters those visits were counted in must
lose them in the same transaction, or the coverage page would show a
household that no longer exists as screened."""

from __future__ import annotations

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from fangkong.people.models import Household


@receiver(pre_delete, sender=Household, dispatch_uid="screening_household_deleted")
def household_deleted(sender, instance: Household, **kwargs) -> None:
    from .services import coverage_forget_household

    coverage_forget_household(household_id=instance.pk)
