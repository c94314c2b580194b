from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

if TYPE_CHECKING:  # Paginator is generic only in django-stubs
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class KnownCountPaginator(_Paginator):
    """A paginator that takes the total from a maintained roll-up when the list is
    unfiltered, so the first page of a 300,000-person county does not COUNT(*)."""

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        *,
        known_count: int | None = None,
        cap: int | None = None,
        **kwargs: Any,
    ) -> None:
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
            n = cast("QuerySet[Any]", self.object_list)[: self._cap + 1].count()  # a cap is given with a queryset
            self.capped = n > self._cap
            return n
        return super().count


def querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
