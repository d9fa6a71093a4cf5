"""Rate limits of booking (`THROTTLE_BOOK`)."""

from healthcare.api.throttling import UserRateThrottle


class BookRateThrottle(UserRateThrottle):
    """Bookings per patient: one account can't sweep a clinic's free slots in seconds."""

    scope = "book"
