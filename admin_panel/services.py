"""Writes of the admin panel: the audit trail, and accounts managed by admins."""

import ipaddress

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from admin_panel.models import AuditLogEntry
from doctors.services import doctor_detail_update
from healthcare.errors import Refusal
from healthcare.events import emit
from users.models import Role, User
from users.phone import mask_mobile_number
from users.services import (
    user_create,
    user_fields_save,
    user_fields_set,
    user_refresh_tokens_revoke,
)

# Keys whose values must never reach the trail, whatever a caller passes in `details`.
SECRET_KEY_PARTS = ("password", "token", "refresh", "access", "secret")
USER_FIELDS = ("full_name", "email", "mobile_number", "is_active")
# The contract names objects `appointment` and `schedule`; the models' own names are longer.
BIGINT_LIMIT = 2**63
OBJECT_TYPES = {"appointmentbooking": "appointment", "doctorschedule": "schedule"}


def _scrub(value):
    if isinstance(value, dict):
        clean = {}
        for key, item in value.items():
            name = str(key).lower()
            if any(part in name for part in SECRET_KEY_PARTS):
                continue
            if "mobile" in name and isinstance(item, str) and "*" not in item:
                item = mask_mobile_number(item)
            clean[str(key)] = _scrub(item)
        return clean
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _valid_ip(ip) -> str | None:
    # The IP can come from a header: store it only if it really is an address.
    try:
        return str(ipaddress.ip_address(str(ip).strip())) if ip else None
    except ValueError:
        return None


def audit_entry_create(
    *,
    action: str,
    actor=None,
    object_type: str | None = None,
    object_id=None,
    details: dict | None = None,
    ip: str | None = None,
) -> AuditLogEntry:
    """Append one entry to the trail; secrets are dropped and mobile numbers masked."""
    actor_id = getattr(actor, "pk", None)
    object_type = OBJECT_TYPES.get(object_type, object_type)
    try:
        object_id = int(object_id) if object_id is not None else None
    except (TypeError, ValueError):
        object_id = None
    if object_id is not None and not -BIGINT_LIMIT <= object_id < BIGINT_LIMIT:
        # An id from a URL can be any length; the column is a 64-bit integer.
        object_id = None
    return AuditLogEntry.objects.create(
        actor_id=actor_id,
        actor_role=getattr(actor, "role", "") if actor_id else "",
        action=action[:40],
        object_type=str(object_type)[:40] if object_type else None,
        object_id=object_id,
        ip=_valid_ip(ip),
        details=_scrub(details or {}),
    )


@transaction.atomic
def admin_user_create(*, actor: User, role: str, data: dict) -> User:
    """An admin creates a patient or doctor account; an admin-created doctor is verified."""
    if role not in (Role.PATIENT, Role.DOCTOR):
        raise Refusal.of(
            "role", "invalid_choice", "Only patient or doctor accounts are managed here."
        )
    user = user_create(
        mobile_number=data["mobile_number"],
        password=data["password"],
        full_name=data["full_name"],
        email=data.get("email", ""),
        role=role,
        is_active=data.get("is_active", True),
        doctor_detail=_detail_fields(data.get("doctor_detail")) if role == Role.DOCTOR else None,
        verified=True,
    )
    emit("admin_created", actor=actor, obj=user, details={"role": role})
    return user


def _detail_fields(detail: dict | None) -> dict:
    detail = dict(detail or {})
    detail.pop("is_verified", None)
    if "license_number" in detail:
        detail["license_number"] = detail["license_number"] or None
    return detail


@transaction.atomic
def admin_user_update(*, actor: User, user: User, data: dict) -> User:
    """An admin edits an account: user fields, password, and a doctor's details incl. verifying."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = user_fields_set(user=user, data=data, fields=USER_FIELDS)
    if data.get("password"):
        try:
            validate_password(data["password"], user=user)
        except DjangoValidationError as exc:
            raise Refusal.from_django("password", exc) from exc
        user.set_password(data["password"])
        changed.append("password")
    user_fields_save(user=user, fields=changed)
    if "is_active" in changed and not user.is_active:
        user_refresh_tokens_revoke(user=user)
    if user.role == Role.DOCTOR and data.get("doctor_detail"):
        doctor_detail_update(doctor=user, data=data["doctor_detail"], allow_verify=True)
        changed.append("doctor_detail")
    emit("admin_updated", actor=actor, obj=user, details={"fields": changed})
    return user


@transaction.atomic
def admin_user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate an account (history and appointments kept); its refresh tokens are revoked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_refresh_tokens_revoke(user=user)
    emit("admin_deactivated", actor=actor, obj=user, details={"role": user.role})
    return user
