"""The router of the API's viewsets: ids in paths are ASCII digits, nothing else."""

from rest_framework.routers import SimpleRouter


class IdRouter(SimpleRouter):
    """A SimpleRouter whose `{id}` matches `[0-9]+` only, as Django's `<int:…>` does.

    DRF's default (`[^/.]+`) let `16%20` and Arabic-Indic `١٦` through to `int()`, which reads
    both as 16: one record answered to many spellings of its URL. Anything else is a 404 now.
    """

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[0-9]+)"
