"""Django admin for bookings: every change goes through the booking services."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from appointments.models import AppointmentBooking
from appointments.services import (
    TRANSITIONS,
    appointment_book,
    appointment_cancel,
    appointment_transition,
    appointment_update,
)
from healthcare.errors import Refusal
from users.models import Role, User


class DoctorListFilter(admin.SimpleListFilter):
    """Doctors only (a plain FK filter would list every account); one query."""

    title = "doctor"
    parameter_name = "doctor"

    def lookups(self, request, model_admin):
        return list(
            User.objects.filter(role=Role.DOCTOR)
            .order_by("full_name", "id")
            .values_list("id", "full_name")
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value and str(value).isdigit():
            return queryset.filter(doctor_id=int(value))
        return queryset


def _run_once(call):
    """Run the service that saves an admin form, once, from the form's `clean()`.

    The admin's change view is one transaction, and these forms have no inlines: a refusal
    becomes the form's errors (nothing written), and success leaves `save_model` nothing to do
    but take the result. So each rule lives in the service and each booking runs once.
    """
    try:
        return call()
    except Refusal as exc:
        raise forms.ValidationError(exc.messages()) from exc


class AppointmentAdminForm(forms.ModelForm):
    """Status and notes, saved by `appointment_update` (slot re-checks included)."""

    class Meta:
        model = AppointmentBooking
        fields = ("status", "notes")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.request is not None and not self.errors:
            self.saved = _run_once(
                lambda: appointment_update(
                    appointment=self.instance, actor=self.request.user, data=self.service_data()
                )
            )
        return cleaned

    def service_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in self.changed_data if key in self.fields}


class AppointmentAdminAddForm(forms.ModelForm):
    """A booking made by an admin, saved by `appointment_book` (same slot rules)."""

    class Meta:
        model = AppointmentBooking
        fields = ("patient", "doctor", "schedule", "appointment_time", "status", "notes")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["schedule"].required = True
        self.fields["patient"].queryset = User.objects.filter(role=Role.PATIENT, is_active=True)
        self.fields["doctor"].queryset = User.objects.filter(role=Role.DOCTOR)

    def book(self) -> AppointmentBooking:
        data = self.cleaned_data
        return appointment_book(
            patient=data["patient"],
            doctor_id=data["doctor"].pk,
            schedule_id=data["schedule"].pk,
            appointment_time=data["appointment_time"],
            status=data["status"],
            notes=data.get("notes") or "",
            actor=self.request.user,
        )

    def _post_clean(self):
        # After the model's own validation (which would see a booking saved earlier as a clash
        # with itself), so the service's refusal is the one shown.
        super()._post_clean()
        if self.request is not None and not self.errors:
            try:
                self.saved = _run_once(self.book)
            except forms.ValidationError as exc:
                self.add_error(None, exc)


def _transition_action(action: str, description: str):
    """A bulk admin action: `appointment_transition(action=...)` on each selected booking; the
    message says the transition's own verb (`TRANSITIONS`), so the admin and the API agree."""

    @admin.action(description=description)
    def mark(modeladmin, request, queryset):
        modeladmin._apply(
            request,
            queryset,
            lambda a: appointment_transition(appointment=a, actor=request.user, action=action),
            TRANSITIONS[action].verb,
        )

    return mark


@admin.register(AppointmentBooking)
class AppointmentBookingAdmin(admin.ModelAdmin):
    form = AppointmentAdminForm
    list_display = (
        "id",
        "appointment_date",
        "appointment_time",
        "patient",
        "doctor",
        "status",
        "fee",
    )
    list_filter = ("status", DoctorListFilter, "appointment_date")
    date_hierarchy = "appointment_date"
    search_fields = ("patient__full_name", "patient__mobile_number", "doctor__full_name")
    list_select_related = ("patient", "doctor")
    ordering = ("-id",)
    readonly_fields = (
        "patient",
        "doctor",
        "schedule",
        "appointment_date",
        "appointment_time",
        "fee",
        "created_at",
        "updated_at",
        "cancellation_reason",
        "cancelled_by",
        "cancelled_at",
        "cancellation_note",
        "reschedule_chain",
    )
    fields = (*readonly_fields[:5], "status", "notes", *readonly_fields[5:])
    actions = (
        "mark_confirmed",
        "mark_checked_in",
        "mark_completed",
        "mark_no_show",
        "mark_declined",
        "mark_cancelled",
    )

    add_fields = ("patient", "doctor", "schedule", "appointment_time", "status", "notes")
    raw_id_fields = ("patient", "doctor", "schedule")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AppointmentAdminAddForm
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def has_delete_permission(self, request, obj=None):
        # Rows are never removed: cancel instead (the action below).
        return False

    def save_model(self, request, obj, form, change):
        # The form's clean() saved it through the service; the admin goes on with `obj` (log
        # entry, redirect): make it the stored row.
        saved = form.saved
        for field in AppointmentBooking._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def _apply(self, request, queryset, change, verb: str) -> None:
        done, refused = 0, []
        for appointment in queryset.select_related("patient", "doctor"):
            try:
                change(appointment)
                done += 1
            except Refusal as exc:
                refused.append(f"#{appointment.pk}: {'; '.join(exc.messages())}")
        if done:
            self.message_user(request, f"{done} appointment(s) {verb}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.display(description="reschedule chain")
    def reschedule_chain(self, obj):
        """Every appointment this one was rescheduled from or into, oldest first, as links."""
        chain = [obj]
        seen = {obj.pk}
        # Walk both ways; each link is one query, and chains are short (one per reschedule).
        while chain[0].rescheduled_from_id and chain[0].rescheduled_from_id not in seen:
            chain.insert(0, AppointmentBooking.objects.get(pk=chain[0].rescheduled_from_id))
            seen.add(chain[0].pk)
        while chain[-1].rescheduled_to_id and chain[-1].rescheduled_to_id not in seen:
            chain.append(AppointmentBooking.objects.get(pk=chain[-1].rescheduled_to_id))
            seen.add(chain[-1].pk)
        if len(chain) == 1:
            return "-"
        links = []
        for item in chain:
            label = f"#{item.pk} {item.appointment_date} {item.appointment_time:%H:%M}"
            if item.pk == obj.pk:
                links.append(format_html("<strong>{} (this one)</strong>", label))
            else:
                url = reverse("admin:appointments_appointmentbooking_change", args=[item.pk])
                links.append(format_html('<a href="{}">{}</a>', url, label))
        return format_html(" → ".join(["{}"] * len(links)), *links)

    mark_confirmed = _transition_action("confirm", "Confirm selected appointments")
    mark_checked_in = _transition_action(
        "check_in", "Check in selected appointments (on their date)"
    )
    mark_completed = _transition_action(
        "complete", "Complete selected appointments (at or after their start)"
    )
    mark_no_show = _transition_action(
        "no_show", "Mark selected appointments as no-show (at or after their start)"
    )
    mark_declined = _transition_action("decline", "Decline selected appointments")

    @admin.action(description="Cancel selected appointments")
    def mark_cancelled(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda a: appointment_cancel(appointment=a, actor=request.user),
            "cancelled",
        )
