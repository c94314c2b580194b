from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class KnownCountPaginator(Paginator):
    """A paginator that takes the total from a maintained roll-up when the list is
    unfiltered, so the first page of a 300,000-person county does not COUNT(*)."""

    def __init__(self, object_list, per_page, *, known_count: int | None = None, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = known_count
        self._cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        """The roll-up count if given; else COUNT(*), stopped at ``cap`` + 1 rows
        when a cap is set (a search matching 30,000 people shows "1,000+", and
        the user narrows it rather than paging)."""
        if self._known_count is not None:
            return self._known_count
        if self._cap is not None:
            n = self.object_list[: self._cap + 1].count()
            self.capped = n > self._cap
            return n
        return super().count


def querystring_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
