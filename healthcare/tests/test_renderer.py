"""The orjson-backed renderer writes the same bytes as DRF's JSONRenderer."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from healthcare.api.renderers import FastJSONRenderer

SAMPLES = [
    {"count": 0, "next": None, "previous": None, "results": []},
    {"name": "Dr Ünïcode — 医生", "line": "a\u2028b\u2029c", "quote": '"\\/<>&'},
    {"detail": ErrorDetail("Invalid page.", code="not_found")},
    {"field": [ErrorDetail("This field is required.", code="required")]},
    {"lazy": gettext_lazy("Not found.")},
    {"when": dt.datetime(2026, 11, 28, 9, 30, 1, 123456, tzinfo=dt.UTC)},
    {"when": dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=6)))},
    {"day": dt.date(2026, 2, 28), "time": dt.time(9, 30), "fee": Decimal("500.00")},
    {"id": uuid.UUID(int=7), "ints": [0, -1, 2**63 - 1], "flag": True, "nested": {"a": [1]}},
    {1: "int key", "tuple": (1, 2)},
    {"huge": 2**70},
    [],
    "plain",
]


@pytest.mark.parametrize("data", SAMPLES)
def test_fast_renderer_writes_the_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_fast_renderer_honours_an_indent_request_like_drf():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert FastJSONRenderer().render(data, media) == JSONRenderer().render(data, media)


def test_none_renders_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_the_api_answers_through_the_fast_renderer(api_client):
    response = api_client.get("/api/doctors/")
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
