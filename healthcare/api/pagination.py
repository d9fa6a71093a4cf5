"""Pagination shared by every list: `?page=N&page_size=N`, sizes above 100 clamped, not refused."""

import functools

from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

TOTAL = "page_total_rows"
# A page number this large is past the end of any list here; it must not reach SQL as an OFFSET
# (SQLite refuses anything past a 64-bit integer).
MAX_PAGE_NUMBER = 10**9


class _KnownCountPaginator(DjangoPaginator):
    """A paginator told its total instead of running COUNT(*) over its queryset."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # shadows the cached_property


class StandardPagination(PageNumberPagination):
    """`count` may be given when the caller knows the total more cheaply than COUNT(*)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None, *, count: int | None = None):
        if count is not None:
            self.django_paginator_class = functools.partial(_KnownCountPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


class CountInPagePagination(StandardPagination):
    """The same pages, with the total carried by the page query (`COUNT(*) OVER ()`).

    One query instead of two (`COUNT(*)`, then the page): for a list whose filter is the costly
    part, such as the doctors directory's availability test, that halves the database work.
    Only for lists whose filtered rows are few: the window counts every filtered row before the
    LIMIT, where a plain `COUNT(*)` may scan an index alone. An empty page (no rows at all, or
    past the end) costs the usual count query.

    Pages a source with `page_with_total(offset, limit)` (rows, each carrying the total as
    `TOTAL`) and `count()`, such as `doctors.selectors.DoctorDirectory`.
    """

    def paginate_queryset(self, source, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw_number = request.query_params.get(self.page_query_param) or 1
        count = None
        if raw_number in self.last_page_strings:
            count = source.count()
            number = max(1, -(-count // page_size))
        else:
            try:
                number = int(raw_number)
            except (TypeError, ValueError):
                number = 0
            if number < 1:
                raise NotFound(self.invalid_page_message.format(page_number=raw_number, message=""))

        rows = []
        if number <= MAX_PAGE_NUMBER:
            rows = source.page_with_total((number - 1) * page_size, page_size)
        if rows:
            count = rows[0][TOTAL]
        elif count is None:
            count = source.count()
        paginator = _KnownCountPaginator(rows, page_size, count=count)
        if number > paginator.num_pages:
            raise NotFound(self.invalid_page_message.format(page_number=raw_number, message=""))
        self.page = paginator._get_page(rows, number, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows
