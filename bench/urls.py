"""The project's routes plus the two floors the benchmark compares every endpoint with."""

from django.urls import include, path

from bench import views
from healthcare import urls as project_urls

urlpatterns = [
    path("bench/floor/django/", views.floor_django, name="bench-floor-django"),
    path("bench/floor/drf/", views.FloorDRFView.as_view(), name="bench-floor-drf"),
    path("", include("healthcare.urls")),
]

# Django reads error handlers from the root URLconf only: keep the project's JSON ones.
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(project_urls, _name):
        globals()[_name] = getattr(project_urls, _name)
