"""The project's URLs (and error handlers) plus views that fail on purpose, for the error tests."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from healthcare.urls import *  # noqa: F403 (handler400/403/404/500 must come along)
from healthcare.urls import urlpatterns as project_urlpatterns


class BoomView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom: secret internals")


def plain_boom(request):
    raise RuntimeError("boom: secret internals")


urlpatterns = [
    path("api/test-boom/", BoomView.as_view()),
    path("api/test-plain-boom/", plain_boom),
    path("elsewhere/boom/", plain_boom),
    *project_urlpatterns,
]
