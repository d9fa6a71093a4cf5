"""The account: one user model for patients, doctors and admins, signing in by mobile number."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from healthcare.db.constraints import choices_check
from users.phone import normalize_mobile_number


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    DOCTOR = "doctor", "Doctor"
    ADMIN = "admin", "Admin"


def one_row_per_user(related_name: str = "+") -> models.OneToOneField:
    """The primary key of a table with at most one row per user (a doctor's details, a user's
    preferences, per-user totals): the user's id, so the row goes when the user goes."""
    return models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name=related_name,
    )


class MobileNumberField(models.CharField):
    """A CharField that cleans any accepted form of a number to E.164."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return normalize_mobile_number(value)


class UserManager(BaseUserManager):
    """Creates users with a normalised mobile number; superusers get role `admin`."""

    use_in_migrations = True

    def get_by_natural_key(self, mobile_number):
        # Login and createsuperuser look accounts up here: accept the local form too, and treat a
        # malformed number exactly like an unknown one (no account enumeration).
        try:
            normalized = normalize_mobile_number(mobile_number)
        except ValidationError:
            raise self.model.DoesNotExist from None
        return self.get(mobile_number=normalized)

    def create_user(self, mobile_number, password=None, **extra_fields):
        user = self.model(mobile_number=normalize_mobile_number(mobile_number), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile_number, password=None, **extra_fields):
        extra_fields["role"] = Role.ADMIN
        extra_fields["is_superuser"] = True
        extra_fields.pop("is_staff", None)
        return self.create_user(mobile_number, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the system; `role` decides what they may do, `mobile_number` signs them in."""

    mobile_number = MobileNumberField(max_length=20, unique=True)
    full_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PATIENT)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "mobile_number"
    REQUIRED_FIELDS = ["full_name"]
    EMAIL_FIELD = "email"

    class Meta:
        ordering = ["id"]
        constraints = [
            choices_check("role", Role, "user_role_valid"),
        ]
        indexes = [models.Index(fields=["role", "full_name"], name="user_role_name_idx")]

    def __str__(self):
        return f"{self.full_name} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    # The Django admin site is for role `admin` only; patients and doctors never get in.
    is_staff = is_admin

    @property
    def is_doctor(self) -> bool:
        return self.role == Role.DOCTOR

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    def has_perm(self, perm, obj=None):
        # Every active admin runs the whole clinic; no per-model permission bookkeeping.
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)
