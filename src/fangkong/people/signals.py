"""Signals the people registry sends for apps that keep counts over it.

``household_moved``: a household (and its members) changed division, inside
the moving transaction. Arguments: ``household_id``, ``from_code``,
``to_code``. The screening app moves the household's visits with it so that
campaign coverage stays exact (screening.signals)."""

from django.dispatch import Signal

household_moved = Signal()
