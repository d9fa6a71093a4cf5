"""The two floor routes live only in the bench URLconf, never in the project's."""

import pytest
from django.urls import Resolver404, resolve


@pytest.fixture
def bench_urls(settings, db):
    settings.ROOT_URLCONF = "bench.urls"


def test_bare_floor_answers_json_without_a_query(bench_urls, api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/bench/floor/django/")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_drf_floor_refuses_an_anonymous_caller(bench_urls, api_client):
    response = api_client.get("/bench/floor/drf/")
    assert response.status_code == 401


def test_drf_floor_costs_only_the_user_lookup(
    bench_urls, patient, auth_client, django_assert_num_queries
):
    client = auth_client(patient)
    with django_assert_num_queries(1):
        response = client.get("/bench/floor/drf/")
    assert response.status_code == 200
    assert response.json()["user"] == patient.pk


def test_bench_urls_still_serve_the_project(bench_urls, api_client):
    response = api_client.get("/api/doctors/")
    assert response.status_code == 200


def test_project_urls_have_no_bench_route():
    with pytest.raises(Resolver404):
        resolve("/bench/floor/django/", urlconf="healthcare.urls")


def test_bench_urls_keep_the_projects_json_404(bench_urls, api_client):
    response = api_client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
