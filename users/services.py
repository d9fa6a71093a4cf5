"""Writes of accounts: registration, profile updates, sign-in tokens and their revocation."""

from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from doctors.services import doctor_detail_create, doctor_detail_update, schedules_replace
from healthcare.errors import NotSignedIn, Refusal
from healthcare.events import emit
from users.models import Role, User
from users.signin import password_sign_in
from users.tokens import (
    PresentedRefreshToken,
    family_of,
    family_revoke,
    refresh_token_issue,
    reuse_is_past_grace,
)

NUMBER_TAKEN = "An account with this mobile number already exists."
LOGIN_FAILED = "No active account found with the given credentials"
TOKEN_INVALID = "Token is invalid, expired or already used."  # noqa: S105 (a message, not a secret)


def _check_number_free(*, mobile_number: str, exclude_pk=None) -> None:
    taken = User.objects.filter(mobile_number=mobile_number)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Refusal.of("mobile_number", "unique", NUMBER_TAKEN)


def _check_password(*, password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise Refusal.from_django("password", exc) from exc


def user_fields_set(*, user: User, data: dict, fields) -> list[str]:
    """Set the given account fields of a locked user from `data`; the names of those changed.

    The one place account fields are edited (profile and admin panel): a new mobile number must
    be free. Save them with `user_fields_save`.
    """
    if "mobile_number" in fields and data.get("mobile_number") not in (None, user.mobile_number):
        _check_number_free(mobile_number=data["mobile_number"], exclude_pk=user.pk)
    changed = []
    for field in fields:
        if field in data and getattr(user, field) != data[field]:
            setattr(user, field, data[field])
            changed.append(field)
    return changed


def user_fields_save(*, user: User, fields: list[str]) -> None:
    """Save the named fields of a user; a number taken meanwhile is the checks' 400."""
    if not fields:
        return
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError as exc:
        # Race: another account took this number between the check and the update.
        raise Refusal.of("mobile_number", "unique", NUMBER_TAKEN) from exc


@transaction.atomic
def user_create(
    *,
    mobile_number: str,
    password: str,
    full_name: str,
    email: str = "",
    role: str = Role.PATIENT,
    is_active: bool = True,
    doctor_detail: dict | None = None,
    verified: bool = False,
) -> User:
    """Create an account (any role); a doctor gets a details row, verified only if `verified`."""
    user = User(mobile_number=mobile_number, full_name=full_name, email=email, role=role)
    user.is_active = is_active
    # Both checks run so that one response names every problem (number taken and weak password).
    errors: dict = {}
    for check in (
        lambda: _check_number_free(mobile_number=mobile_number),
        lambda: _check_password(password=password, user=user),
    ):
        try:
            check()
        except Refusal as exc:
            errors.update(exc.detail)
    if errors:
        raise Refusal(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Race: two registrations of one number; the unique index lets one through.
        raise Refusal.of("mobile_number", "unique", NUMBER_TAKEN) from exc
    if role == Role.DOCTOR:
        doctor_detail_create(doctor=user, is_verified=verified, **(doctor_detail or {}))
    return user


def user_register(
    *, mobile_number: str, password: str, full_name: str, email: str = "", role: str = Role.PATIENT
) -> User:
    """Self-registration as patient or doctor (a doctor starts unverified); never as admin."""
    if role not in (Role.PATIENT, Role.DOCTOR):
        raise Refusal.of(
            "role", "invalid_choice", "Only patient or doctor accounts can be registered."
        )
    user = user_create(
        mobile_number=mobile_number,
        password=password,
        full_name=full_name,
        email=email,
        role=role,
    )
    emit("registered", actor=user, obj=user, details={"role": role})
    return user


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    """Update the caller's own profile; a doctor's details and schedules in the same transaction."""
    # NO KEY UPDATE, not UPDATE: a booking inserting a row that references this user takes
    # FOR KEY SHARE on it, which FOR UPDATE would block. Race: doctor PATCHes schedules while
    # a patient books one of them; the patient holds the schedule row and waits on the user
    # row, the doctor holds the user row and waits on the schedule row → deadlock.
    user = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    changed = user_fields_set(user=user, data=data, fields=("full_name", "email", "mobile_number"))
    user_fields = list(changed)
    if user.role == Role.DOCTOR:
        if "doctor_detail" in data:
            try:
                doctor_detail_update(doctor=user, data=data["doctor_detail"])
            except Refusal as exc:
                # Errors point where the client sent the value: inside the nested object.
                raise Refusal({"doctor_detail": exc.detail}) from exc
            changed.append("doctor_detail")
        if "schedules" in data:
            # The service reports item errors under "schedules" itself.
            schedules_replace(doctor=user, items=data["schedules"])
            changed.append("schedules")
    # Last, once the schedule rows are ours: changing `mobile_number` (a unique key) takes a full
    # row lock that a concurrent booking's FOR KEY SHARE would wait on while holding the schedule
    # row we need (the same deadlock as above).
    user_fields_save(user=user, fields=user_fields)
    emit("profile_updated", actor=user, obj=user, details={"fields": changed})
    return user


def login(*, request, mobile_number: str, password: str) -> dict:
    """Check credentials (behind the sign-in throttles) and issue a token pair; every failure
    is the same 401."""
    user = password_sign_in(
        request=request, mobile_number=mobile_number, password=password, via="api"
    )
    if user is None:
        raise NotSignedIn(LOGIN_FAILED, "no_active_account")
    refresh = refresh_token_issue(user=user)
    update_last_login(None, user)
    return _pair(refresh)


def _presented(token: str) -> PresentedRefreshToken:
    try:
        return PresentedRefreshToken(token)
    except TokenError as exc:
        raise NotSignedIn(TOKEN_INVALID, "token_not_valid") from exc


def _lock_user(user_id) -> User | None:
    # One rotation or logout per user at a time, so a family revoked after a reuse can't gain
    # a member from a rotation running alongside. NO KEY UPDATE: a booking's FOR KEY SHARE on
    # the user row (its foreign key) is not blocked.
    return User.objects.select_for_update(no_key=True).filter(pk=user_id).first()


def _spend(token: PresentedRefreshToken, *, user_id) -> bool:
    """Revoke a refresh token once: True if this call spent it, False if it can't be spent.

    A token spent already is a reuse: past `JWT_REUSE_GRACE_SECONDS` its whole family is
    revoked (kept even though the caller answers 401). Race: the same token sent by many
    clients at once; they take turns on the user's row lock, and the blacklist row is unique
    per token, so exactly one INSERT wins and the others are reuses within the grace window.
    """
    outstanding = OutstandingToken.objects.filter(jti=token[jwt_settings.JTI_CLAIM]).first()
    if outstanding is None:
        return False
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        revoked = BlacklistedToken.objects.get(token=outstanding)
        if reuse_is_past_grace(revoked):
            count = family_revoke(user_id=user_id, family=family_of(token))
            emit(
                "refresh_token_reused",
                object_type="user",
                object_id=user_id,
                details={"revoked": count},
            )
        return False
    return True


def _pair(refresh: RefreshToken) -> dict:
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_refresh(*, refresh: str) -> dict:
    """Rotate a refresh token: the old one is spent, a new pair of the same family is issued."""
    old = _presented(refresh)
    pair = None
    with transaction.atomic():
        user = _lock_user(old.get(jwt_settings.USER_ID_CLAIM))
        if user is not None and _spend(old, user_id=user.pk) and user.is_active:
            pair = _pair(refresh_token_issue(user=user, family=family_of(old)))
    # Raised after the block: a family revoked on reuse stays revoked.
    if pair is None:
        raise NotSignedIn(TOKEN_INVALID, "token_not_valid")
    return pair


def logout(*, user: User, refresh: str) -> None:
    """Revoke the caller's own refresh token and the rest of its family (the whole session);
    anyone else's token is refused like an invalid one."""
    token = _presented(refresh)
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise NotSignedIn(TOKEN_INVALID, "token_not_valid")
    with transaction.atomic():
        _lock_user(user.pk)
        spent = _spend(token, user_id=user.pk)
        if spent:
            family_revoke(user_id=user.pk, family=family_of(token))
            emit("logout", actor=user, obj=user)
    if not spent:
        raise NotSignedIn(TOKEN_INVALID, "token_not_valid")


def user_refresh_tokens_revoke(*, user: User) -> None:
    """Revoke every refresh token `user` still holds (on deactivation, whoever deactivates).

    Access tokens die with `is_active` (SimpleJWT checks it on every request); refresh tokens
    are blacklisted outright, so reactivating the account doesn't bring old sessions back.
    """
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
