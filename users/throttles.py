"""Brute-force guards for login and registration (rates from THROTTLE_* settings)."""

import hashlib

from django.core.exceptions import ValidationError
from rest_framework.throttling import SimpleRateThrottle

from users.phone import normalize_mobile_number


class LoginIPThrottle(SimpleRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginNumberThrottle(SimpleRateThrottle):
    """Attempts per mobile number, whatever form or IP they come from."""

    scope = "login_number"

    def get_cache_key(self, request, view):
        raw = request.data.get("mobile_number") if hasattr(request.data, "get") else None
        if not isinstance(raw, str) or not raw:
            return None
        try:
            number = normalize_mobile_number(raw)
        except ValidationError:
            number = raw[:64]
        # Hashed: the cache never holds a readable phone number.
        ident = hashlib.sha256(number.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RegisterThrottle(SimpleRateThrottle):
    scope = "register"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
