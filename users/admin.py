"""Django admin for accounts: role admins only (see `User.is_staff`); accounts are created by
`users.services.user_create` and are deactivated, never deleted, so their history stays."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseRedirect
from rest_framework_simplejwt.token_blacklist.admin import BlacklistedTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from doctors.admin import (
    DoctorDetailInline,
    DoctorScheduleInline,
    TimeOffInline,
    WorkingHoursInline,
    save_doctor_formset,
)
from healthcare.errors import Refusal
from healthcare.events import emit
from users.forms import AdminSignInForm
from users.models import Role, User
from users.phone import normalize_mobile_number
from users.services import user_create, user_refresh_tokens_revoke

# The admin's login page checks passwords behind the sign-in throttles and writes the audit
# entries, like `/api/token/` (users/signin.py).
admin.site.login_form = AdminSignInForm


class _InlineRefused(Exception):
    """A doctor inline refused by its service at save time (args[0]: the messages)."""


class UserAdminCreationForm(BaseUserCreationForm):
    """New account: number, name, email, role and a password typed twice (validated, hashed)."""

    class Meta:
        model = User
        fields = ("mobile_number", "full_name", "email", "role")


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("mobile_number", "password", "full_name", "email", "role", "is_active")
        field_classes: dict = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    fieldsets = (
        (None, {"fields": ("mobile_number", "password")}),
        ("Personal", {"fields": ("full_name", "email")}),
        ("Access", {"fields": ("role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("mobile_number", "full_name", "email", "role", "password1", "password2"),
            },
        ),
    )
    list_display = ("id", "full_name", "mobile_number", "email", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("full_name", "mobile_number", "email")
    ordering = ("-id",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        # A role change would strand a doctor's details and bookings; roles are set at creation.
        if obj is not None:
            return (*self.readonly_fields, "role")
        return self.readonly_fields

    def get_inlines(self, request, obj):
        if obj is not None and obj.role == Role.DOCTOR:
            return [DoctorDetailInline, DoctorScheduleInline, WorkingHoursInline, TimeOffInline]
        return []

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # A number typed in local form (01712…) also finds its stored E.164 form.
        try:
            normalized = normalize_mobile_number(search_term)
        except DjangoValidationError:
            return queryset, may_have_duplicates
        return queryset | self.model.objects.filter(mobile_number=normalized), True

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: bookings and the audit trail refer to them.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = user_create(
                mobile_number=obj.mobile_number,
                password=form.cleaned_data["password1"],
                full_name=obj.full_name,
                email=obj.email,
                role=obj.role,
                is_active=obj.is_active,
                verified=True,
            )
            # The admin goes on with `obj` (log entry, redirect): make it the stored account.
            obj.pk = created.pk
            obj.password = created.password
            obj._state.adding = False
            obj._state.db = created._state.db
            emit("admin_created", actor=request.user, obj=obj, details={"role": obj.role})
            return
        super().save_model(request, obj, form, change)
        if "is_active" in form.changed_data and not obj.is_active:
            # As the admin-panel API's deactivation does: no session outlives the account.
            user_refresh_tokens_revoke(user=obj)
            emit("admin_deactivated", actor=request.user, obj=obj, details={"role": obj.role})
        elif form.changed_data:
            emit(
                "admin_updated",
                actor=request.user,
                obj=obj,
                details={"fields": sorted(form.changed_data)},
            )

    def save_formset(self, request, form, formset, change):
        try:
            saved = save_doctor_formset(doctor=form.instance, formset=formset, actor=request.user)
        except Refusal as exc:
            # Race: the inline was checked in a rolled-back trial during validation and a booking
            # (or another edit) landed before this save. Leaving the admin's transaction by an
            # exception rolls the whole page back; changeform_view shows why, instead of a 500.
            raise _InlineRefused(exc.messages()) from exc
        if not saved:
            super().save_formset(request, form, formset, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _InlineRefused as refused:
            for message in refused.args[0]:
                self.message_user(request, f"Not saved: {message}", messages.ERROR)
            return HttpResponseRedirect(request.path)


# Revoked-token records are evidence, not settings: deleting one would bring a revoked session
# back. SimpleJWT's own admin is read-only for outstanding tokens; the blacklist becomes so too.
admin.site.unregister(BlacklistedToken)


@admin.register(BlacklistedToken)
class ReadOnlyBlacklistedTokenAdmin(BlacklistedTokenAdmin):
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)
