"""Rate limits of booking (`THROTTLE_BOOK`)."""

from rest_framework.throttling import UserRateThrottle

from healthcare.api.throttling import FailOpenMixin


class BookRateThrottle(FailOpenMixin, UserRateThrottle):
    """Bookings per patient: one account can't sweep a clinic's free slots in seconds."""

    scope = "book"
