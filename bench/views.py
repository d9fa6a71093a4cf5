"""Floors: the cheapest responses this stack can give, measured on the same server as the API."""

from django.http import JsonResponse
from rest_framework.response import Response
from rest_framework.views import APIView


def floor_django(request):
    """A bare Django view: no middleware work beyond the project's, no query."""
    return JsonResponse({"ok": True})


class FloorDRFView(APIView):
    """DRF with the project's defaults (JWT auth, IsAuthenticated, throttles) and no view query.

    JWT authentication itself loads the user, so this floor costs exactly that one query.
    """

    def get(self, request):
        return Response({"ok": True, "user": request.user.pk})
