"""The project's routes plus the two floors the benchmark compares every endpoint with."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/floor/django/", views.floor_django, name="bench-floor-django"),
    path("bench/floor/drf/", views.FloorDRFView.as_view(), name="bench-floor-drf"),
    path("", include("healthcare.urls")),
]
