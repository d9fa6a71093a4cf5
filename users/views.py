"""Account endpoints: register, token pair, refresh, logout, profile."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from healthcare.api.inputs import validated
from healthcare.api.throttling import AnonRateThrottle
from users import services
from users.models import User
from users.selectors import profile_get
from users.serializers import (
    LoginInputSerializer,
    ProfileOutputSerializer,
    ProfileUpdateInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenPairSerializer,
)
from users.throttles import RegisterThrottle

# Sign-in and registration fail closed when the throttle cache is down (SECURITY.md).
THROTTLE_CACHE_DOWN = OpenApiResponse(description="The throttle cache is down: try again later")


def render_profile(user: User) -> dict:
    return ProfileOutputSerializer(profile_get(user=user)).data


class PublicAuthEndpoint(APIView):
    """Register, sign in and refresh ignore any Authorization header the client still sends.

    Why: a front end refreshes exactly when its access token has expired, and many keep sending
    the stale header; authenticating it would turn every such refresh into a 401. With no
    authenticator DRF would turn our 401s into 403s, so the Bearer challenge is named here.
    """

    authentication_classes = ()
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


@extend_schema(tags=["auth"])
class RegisterView(PublicAuthEndpoint):
    throttle_classes = [RegisterThrottle]

    @extend_schema(
        operation_id="auth_register",
        summary="Register a patient or doctor account",
        request=RegisterInputSerializer,
        responses={
            201: ProfileOutputSerializer,
            400: OpenApiResponse(description="Invalid input"),
            503: THROTTLE_CACHE_DOWN,
        },
    )
    def post(self, request):
        data = validated(RegisterInputSerializer, request.data)
        user = services.user_register(**data)
        return Response(render_profile(user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"])
class TokenObtainView(PublicAuthEndpoint):
    # The sign-in guards run inside `services.login` (users/signin.py), after the body is
    # parsed: the per-number one needs the number, and counts failures only.
    throttle_classes = ()

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in: an access and refresh token pair for a mobile number and password",
        request=LoginInputSerializer,
        responses={
            200: TokenPairSerializer,
            401: OpenApiResponse(description="Bad credentials"),
            503: THROTTLE_CACHE_DOWN,
        },
    )
    def post(self, request):
        data = validated(LoginInputSerializer, request.data)
        tokens = services.login(request=request, **data)
        return Response(tokens)


@extend_schema(tags=["auth"])
class TokenRefreshView(PublicAuthEndpoint):
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        operation_id="auth_token_refresh",
        summary="Trade a refresh token for a new token pair (refresh tokens rotate)",
        request=RefreshInputSerializer,
        responses={200: TokenPairSerializer, 401: OpenApiResponse(description="Used or invalid")},
    )
    def post(self, request):
        data = validated(RefreshInputSerializer, request.data)
        return Response(services.token_refresh(refresh=data["refresh"]))


@extend_schema(tags=["auth"])
class LogoutView(APIView):
    @extend_schema(
        operation_id="auth_logout",
        summary="Sign out: revoke a refresh token",
        request=RefreshInputSerializer,
        responses={205: OpenApiResponse(description="Revoked; empty body")},
    )
    def post(self, request):
        data = validated(RefreshInputSerializer, request.data)
        services.logout(user=request.user, refresh=data["refresh"])
        return Response(status=status.HTTP_205_RESET_CONTENT)


@extend_schema(tags=["profile"])
class ProfileView(APIView):
    @extend_schema(summary="Read your own account", responses=ProfileOutputSerializer)
    def get(self, request):
        return Response(render_profile(request.user))

    @extend_schema(
        summary="Replace your account's details (a doctor's schedules: the full upcoming list)",
        request=ProfileUpdateInputSerializer,
        responses=ProfileOutputSerializer,
    )
    def put(self, request):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of your account's details",
        request=ProfileUpdateInputSerializer,
        responses=ProfileOutputSerializer,
    )
    def patch(self, request):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        data = validated(ProfileUpdateInputSerializer, request.data, partial=partial)
        user = services.profile_update(user=request.user, data=data)
        return Response(render_profile(user))
