"""Screening keeps its counters right when the people registry changes under it.

A household deleted from the registry takes its visits with it (the foreign key
cascades); the campaign coverage counters those visits were counted in must
lose them in the same transaction, or the coverage page would show a
household that no longer exists as screened. A household moved to another
division (a corrected grid or community) takes its visits along: they count
where the household now is."""

from __future__ import annotations

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from fangkong.people.models import Household
from fangkong.people.signals import household_moved


@receiver(pre_delete, sender=Household, dispatch_uid="screening_household_deleted")
def household_deleted(sender, instance: Household, **kwargs) -> None:
    from .services import coverage_forget_household

    coverage_forget_household(household_id=instance.pk)


@receiver(household_moved, dispatch_uid="screening_household_moved")
def household_moved_visits(sender, household_id: int, from_code: str, to_code: str, **kwargs) -> None:
    from .services import coverage_move_household

    coverage_move_household(household_id=household_id, to_code=to_code)
