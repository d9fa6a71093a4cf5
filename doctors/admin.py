"""Django admin for doctors' details and schedules; edits go through the doctors' services."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from doctors.models import DoctorDetail, DoctorSchedule
from doctors.services import DETAIL_FIELDS, doctor_detail_update, schedules_replace
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
        return exc.messages()


class DoctorDetailInline(admin.StackedInline):
    model = DoctorDetail
    fk_name = "doctor"
    can_delete = False
    max_num = 1
    min_num = 1
    fields = [*DETAIL_FIELDS, "is_verified"]


class ScheduleInlineFormSet(forms.BaseInlineFormSet):
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

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        errors = service_errors(lambda: schedules_replace(doctor=self.instance, items=self.items()))
        if errors:
            raise forms.ValidationError(errors)


class DoctorScheduleInline(admin.TabularInline):
    model = DoctorSchedule
    formset = ScheduleInlineFormSet
    fields = ["date", "start_time", "end_time"]
    extra = 1
    verbose_name_plural = "upcoming schedules"

    def get_queryset(self, request):
        # Past schedules are history: never listed, changed or deleted here (as in the API).
        return super().get_queryset(request).filter(date__gte=timezone.localdate())


def save_doctor_formset(*, doctor, formset) -> bool:
    """Save a doctor inline through the services; False if the formset is none of ours."""
    # The admin's change message reads these lists, which `formset.save()` would have set.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    if isinstance(formset, ScheduleInlineFormSet):
        schedules_replace(doctor=doctor, items=formset.items())
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
