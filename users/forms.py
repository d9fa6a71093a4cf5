"""The session sign-in pages (`/admin/login/`, `/api-auth/login/`) through `password_sign_in`."""

from functools import wraps

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from rest_framework.exceptions import APIException, Throttled

from healthcare.api.throttling import CacheUnavailable
from users.signin import password_sign_in

THROTTLED_MESSAGE = "Too many sign-in attempts. Try again in %(wait)d seconds."
UNAVAILABLE_MESSAGE = "Signing in is briefly unavailable. Try again shortly."


class SignInFormMixin:
    """Checks the password through the shared sign-in guards and audit instead of `authenticate`.

    A refused attempt (throttled, or the cache down) keeps its exception in `refusal`, so the page
    can answer with its status (429 or 503) and Retry-After; see `sign_in_page`.
    """

    via = ""
    refusal: APIException | None = None

    def clean(self):
        number = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if number is not None and password:
            try:
                self.user_cache = password_sign_in(
                    request=self.request,
                    mobile_number=number,
                    password=password,
                    via=self.via,
                    allowed=self._may_sign_in,
                )
            except Throttled as exc:
                self.refusal = exc
                raise forms.ValidationError(
                    THROTTLED_MESSAGE, code="throttled", params={"wait": exc.wait}
                ) from exc
            except CacheUnavailable as exc:
                self.refusal = exc
                raise forms.ValidationError(UNAVAILABLE_MESSAGE, code="unavailable") from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
        return self.cleaned_data

    def _may_sign_in(self, user) -> bool:
        # Each form's own rule (active; the admin's also staff), judged as a failed sign-in:
        # the same message as a wrong password, so it tells nothing about the account.
        try:
            self.confirm_login_allowed(user)
        except forms.ValidationError:
            return False
        return True


class AdminSignInForm(SignInFormMixin, AdminAuthenticationForm):
    via = "admin"


class BrowsableAPISignInForm(SignInFormMixin, AuthenticationForm):
    via = "browsable_api"


def sign_in_page(view):
    """Gives a sign-in page refused by its guards the status of the refusal (429/503)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        refusal = getattr(form, "refusal", None)
        if refusal is not None:
            response.status_code = refusal.status_code
            response["Retry-After"] = str(int(refusal.wait))
        return response

    return wrapped


browsable_api_login = sign_in_page(
    LoginView.as_view(
        template_name="rest_framework/login.html", authentication_form=BrowsableAPISignInForm
    )
)
