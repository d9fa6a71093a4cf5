"""Django admin for doctors' details and schedules; edits go through the doctors' services."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from doctors.models import ClinicClosure, DoctorDetail, DoctorSchedule, TimeOff, WorkingHours
from doctors.services import (
    DETAIL_FIELDS,
    doctor_detail_update,
    schedules_replace,
    working_hours_replace,
)
from doctors.time_off import (
    closure_create,
    closure_delete,
    closure_update,
    time_off_create,
    time_off_delete,
)
from healthcare.admin import ReadOnlyAdminMixin
from healthcare.errors import Refusal


class _DryRun(Exception):
    """Raised to roll back a service call made only to validate a form."""


def service_errors(call) -> list[str]:
    """Run a service in a savepoint that is always rolled back; return its refusals, if any.

    The admin validates a form by asking the very service that will save it, so each rule
    lives once and a refused edit shows as a form error instead of a 500.
    """
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        return []
    except Refusal as exc:
        return refusal_messages(exc)


def refusal_messages(exc: Refusal) -> list[str]:
    """A refusal's messages for a form; a conflict also names the appointments it is about."""
    messages = exc.messages()
    ids = exc.extra.get("appointments")
    if ids:
        listed = ", ".join(f"#{pk}" for pk in ids)
        more = exc.extra.get("appointments_count", len(ids)) - len(ids)
        messages.append(f"Appointments: {listed}" + (f" and {more} more" if more > 0 else "") + ".")
    return messages


def _appointment_ids(value: str) -> list[int] | None:
    """The optional 'cancel these appointments' field: ids separated by commas or spaces."""
    parts = value.replace(",", " ").replace("#", " ").split()
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise forms.ValidationError("List appointment ids separated by commas, e.g. 12, 15.")
    return [int(part) for part in parts] or None


class CancelAppointmentsField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_length=2000,
            help_text="To go ahead despite a conflict, list exactly the conflicting appointment "
            "ids: they are cancelled (reason doctor_unavailable).",
            **kwargs,
        )

    def clean(self, value):
        return _appointment_ids(super().clean(value))


class DoctorDetailInline(admin.StackedInline):
    model = DoctorDetail
    fk_name = "doctor"
    can_delete = False
    max_num = 1
    min_num = 1
    fields = [*DETAIL_FIELDS, "is_verified"]


class ServiceFormSet(forms.BaseInlineFormSet):
    """A doctor inline saved by one of the doctors' services (`apply`), never by `save()`.

    `clean` runs the same `apply` in a rolled-back savepoint, so a refusal shows as a form error.
    """

    def apply(self, *, actor=None) -> None:
        raise NotImplementedError

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        errors = service_errors(self.apply)
        if errors:
            raise forms.ValidationError(errors)


class ScheduleInlineFormSet(ServiceFormSet):
    """The doctor's upcoming schedules, validated and saved by `schedules_replace`."""

    def items(self) -> list[dict]:
        items = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            item = {key: form.cleaned_data[key] for key in ("date", "start_time", "end_time")}
            if form.instance.pk:
                item["id"] = form.instance.pk
            items.append(item)
        return items

    def apply(self, *, actor=None) -> None:
        schedules_replace(doctor=self.instance, items=self.items())


class DoctorScheduleInline(admin.TabularInline):
    model = DoctorSchedule
    formset = ScheduleInlineFormSet
    fields = ["date", "start_time", "end_time"]
    extra = 1
    verbose_name_plural = "upcoming schedules"

    def get_queryset(self, request):
        # Past schedules are history: never listed, changed or deleted here (as in the API).
        return super().get_queryset(request).filter(date__gte=timezone.localdate())


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class WorkingHoursForm(forms.ModelForm):
    # The blank first choice keeps the inline's spare row blank, so it is not posted as Monday.
    weekday = forms.TypedChoiceField(choices=[("", "---------"), *WEEKDAYS], coerce=int)

    class Meta:
        model = WorkingHours
        fields = ["weekday", "start_time", "end_time"]


class WorkingHoursInlineFormSet(ServiceFormSet):
    """The doctor's weekly hours, replaced as a whole by `working_hours_replace` (which
    regenerates the schedules); an unchanged formset is left alone."""

    def items(self) -> list[dict]:
        return [
            {key: form.cleaned_data[key] for key in ("weekday", "start_time", "end_time")}
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]

    def apply(self, *, actor=None) -> None:
        if self.has_changed():
            working_hours_replace(doctor=self.instance, items=self.items(), actor=actor)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    form = WorkingHoursForm
    formset = WorkingHoursInlineFormSet
    extra = 1
    verbose_name_plural = "weekly working hours (saving regenerates the generated schedules)"


class TimeOffForm(forms.ModelForm):
    cancel_appointments = CancelAppointmentsField()

    class Meta:
        model = TimeOff
        fields = ["date_from", "date_to", "start_time", "end_time", "reason"]


class TimeOffInlineFormSet(ServiceFormSet):
    """Time off is added by `time_off_create` and removed by `time_off_delete`, never changed
    (as in the API); both are tried first in a rolled-back savepoint, so a refusal such as
    `time_off_conflict` shows as a form error."""

    def apply(self, *, actor=None) -> None:
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            if form.instance.pk:
                if data.get("DELETE"):
                    time_off_delete(time_off=form.instance, actor=actor)
            elif form.has_changed() and not data.get("DELETE"):
                time_off_create(
                    doctor=self.instance,
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    start_time=data.get("start_time"),
                    end_time=data.get("end_time"),
                    reason=data.get("reason") or "",
                    cancel_appointments=data.get("cancel_appointments"),
                    actor=actor,
                )


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    form = TimeOffForm
    formset = TimeOffInlineFormSet
    fields = ["date_from", "date_to", "start_time", "end_time", "reason", "cancel_appointments"]
    extra = 1
    verbose_name_plural = "time off (current and upcoming)"

    def get_queryset(self, request):
        # Time off that has ended is history, as past schedules are.
        return super().get_queryset(request).filter(date_to__gte=timezone.localdate())

    def has_change_permission(self, request, obj=None):
        # No service changes a time off: existing rows are read-only (delete and add again).
        return False


def save_doctor_formset(*, doctor, formset, actor=None) -> bool:
    """Save a doctor inline through the services; False if the formset is none of ours."""
    # The admin's change message reads these lists, which `formset.save()` would have set.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    if isinstance(formset, ServiceFormSet):
        formset.apply(actor=actor)
        return True
    if formset.model is DoctorDetail:
        for form in formset.forms:
            if form.has_changed() and form.cleaned_data:
                data = {
                    key: form.cleaned_data[key]
                    for key in (*DETAIL_FIELDS, "is_verified")
                    if key in form.cleaned_data
                }
                doctor_detail_update(doctor=doctor, data=data, allow_verify=True)
        return True
    return False


@admin.register(DoctorDetail)
class DoctorDetailAdmin(admin.ModelAdmin):
    list_display = [
        "doctor",
        "license_number",
        "specialization",
        "consultation_fee",
        "location",
        "is_verified",
    ]
    list_filter = ["is_verified", "specialization"]
    search_fields = ["doctor__full_name", "doctor__mobile_number", "license_number"]
    list_select_related = ["doctor"]
    readonly_fields = ["doctor"]
    fields = ["doctor", *DETAIL_FIELDS, "is_verified"]
    ordering = ["doctor__full_name", "doctor_id"]

    def has_add_permission(self, request):
        # A details row comes with the doctor's account (users admin or the API).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {key: form.cleaned_data[key] for key in form.changed_data if key in form.fields}
        doctor_detail_update(doctor=obj.doctor, data=data, allow_verify=True)


@admin.register(DoctorSchedule)
class DoctorScheduleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-mostly view of all schedules; edit them on the doctor's page (validated there)."""

    list_display = ["id", "doctor", "date", "start_time", "end_time"]
    list_filter = ["date"]
    date_hierarchy = "date"
    search_fields = ["doctor__full_name", "doctor__mobile_number"]
    list_select_related = ["doctor"]
    ordering = ["-date", "start_time", "id"]


class ClinicClosureForm(forms.ModelForm):
    """A closure saved by `closure_create` / `closure_update` from `_post_clean`, once: a
    refusal (a past date, `time_off_conflict`) is the form's error and nothing is written."""

    cancel_appointments = CancelAppointmentsField()

    class Meta:
        model = ClinicClosure
        fields = ["date", "reason", "cancel_appointments"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def save_through_service(self) -> ClinicClosure:
        data = self.cleaned_data
        actor = self.request.user
        if self.instance.pk is None:
            closure, _ = closure_create(
                date=data["date"],
                reason=data.get("reason") or "",
                cancel_appointments=data.get("cancel_appointments"),
                actor=actor,
            )
            return closure
        # `self.instance` already carries the new values: the service compares with the stored.
        stored = ClinicClosure.objects.get(pk=self.instance.pk)
        closure, _ = closure_update(
            closure=stored,
            date=data["date"],
            reason=data.get("reason") or "",
            cancel_appointments=data.get("cancel_appointments"),
            actor=actor,
        )
        return closure

    def _post_clean(self):
        super()._post_clean()
        if self.request is None or self.errors:
            return
        try:
            # The admin's `form.save(commit=False)` then hands the stored closure on.
            self.instance = self.save_through_service()
        except Refusal as exc:
            self.add_error(None, refusal_messages(exc))


@admin.register(ClinicClosure)
class ClinicClosureAdmin(admin.ModelAdmin):
    """The clinic's closed dates: every write goes through the closure services, which take
    the date's slots away from every doctor (or give them back)."""

    form = ClinicClosureForm
    list_display = ["date", "reason", "created_at"]
    date_hierarchy = "date"
    search_fields = ["reason"]
    ordering = ["-date", "-id"]
    readonly_fields = ["created_at"]

    def get_fields(self, request, obj=None):
        return ["date", "reason", "cancel_appointments", *(["created_at"] if obj else [])]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def save_model(self, request, obj, form, change):
        # Saved already by the form's service call (see ClinicClosureForm).
        pass

    def delete_model(self, request, obj):
        closure_delete(closure=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for closure in queryset.order_by("date"):
            closure_delete(closure=closure, actor=request.user)
