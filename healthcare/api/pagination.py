"""Pagination shared by every list: `?page=N&page_size=N`, sizes above 100 clamped, not refused."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
