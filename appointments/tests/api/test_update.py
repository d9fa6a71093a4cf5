import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from appointments.models import AppointmentBooking
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(appointment):
    return f"/api/appointments/{appointment.pk}/"


def stored_status(appointment):
    return AppointmentBooking.objects.get(pk=appointment.pk).status


def test_admin_confirms_an_appointment(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(url(appointment), {"status": "confirmed"})
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert stored_status(appointment) == "confirmed"


def test_admin_edits_notes(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).patch(url(appointment), {"notes": "Bring reports"})
    assert AppointmentBooking.objects.get(pk=appointment.pk).notes == "Bring reports"


def test_admin_patch_ignores_other_fields(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(
        url(appointment), {"fee": "1.00", "appointment_time": "10:00"}
    )
    assert response.status_code == 200
    stored = AppointmentBooking.objects.get(pk=appointment.pk)
    assert (str(stored.fee), stored.appointment_time.hour) == ("500.00", 9)


def test_admin_may_mark_a_future_appointment_completed(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(url(appointment), {"status": "completed"})
    assert response.status_code == 200
    assert stored_status(appointment) == "completed"


def test_unknown_status_is_400(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(url(appointment), {"status": "done"})
    assert response.status_code == 400
    assert "status" in response.json()
    assert stored_status(appointment) == "pending"


def test_its_patient_gets_403(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).patch(url(appointment), {"status": "confirmed"})
    assert response.status_code == 403
    assert stored_status(appointment) == "pending"


def test_its_doctor_gets_403(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.doctor).patch(url(appointment), {"status": "confirmed"})
    assert response.status_code == 403


def test_an_outsider_gets_404(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(PatientFactory()).patch(url(appointment), {"status": "confirmed"})
    assert response.status_code == 404


def test_anonymous_patch_is_401(api_client):
    response = api_client.patch(url(AppointmentFactory()), {"status": "confirmed"})
    assert response.status_code == 401


def test_reactivating_into_a_taken_slot_is_400(auth_client, admin_user):
    cancelled = AppointmentFactory(status="cancelled")
    AppointmentFactory(schedule=cancelled.schedule)
    response = auth_client(admin_user).patch(url(cancelled), {"status": "pending"})
    assert response.status_code == 400
    assert stored_status(cancelled) == "cancelled"


def test_reactivating_when_the_patient_is_busy_elsewhere_is_400(auth_client, admin_user):
    cancelled = AppointmentFactory(status="cancelled")
    elsewhere = ScheduleFactory(date=cancelled.appointment_date)
    AppointmentFactory(schedule=elsewhere, patient=cancelled.patient)
    response = auth_client(admin_user).patch(url(cancelled), {"status": "confirmed"})
    assert response.status_code == 400
    assert stored_status(cancelled) == "cancelled"


def test_reactivating_a_free_slot_succeeds(auth_client, admin_user):
    cancelled = AppointmentFactory(status="no_show")
    response = auth_client(admin_user).patch(url(cancelled), {"status": "confirmed"})
    assert response.status_code == 200
    assert stored_status(cancelled) == "confirmed"


def test_pending_to_confirmed_does_not_collide_with_itself(auth_client, admin_user):
    appointment = AppointmentFactory(status="pending")
    response = auth_client(admin_user).patch(url(appointment), {"status": "confirmed"})
    assert response.status_code == 200


def test_admin_cannot_reactivate_onto_a_doctor_time_taken_through_another_schedule(
    auth_client, admin_user
):
    # The hole: A's schedule moved to the next day after A cancelled; the doctor's new schedule
    # on A's date was booked at A's time by B. Reactivating A would give the doctor two visits.
    a = AppointmentFactory(status="cancelled")
    old = a.schedule
    old.date = old.date + dt.timedelta(days=1)
    old.save()
    new = ScheduleFactory(doctor=a.doctor, date=a.appointment_date)
    AppointmentFactory(schedule=new, doctor=a.doctor, appointment_date=new.date)
    response = auth_client(admin_user).patch(url(a), {"status": "confirmed"})
    assert response.status_code == 400
    assert stored_status(a) == "cancelled"


def test_admin_cannot_reactivate_when_its_schedule_moved_to_another_date(auth_client, admin_user):
    a = AppointmentFactory(status="cancelled")
    a.schedule.date = a.schedule.date + dt.timedelta(days=1)
    a.schedule.save()
    response = auth_client(admin_user).patch(url(a), {"status": "pending"})
    assert response.status_code == 400
    assert response.json()["code"] == "schedule_invalid"
    assert stored_status(a) == "cancelled"


def test_admin_cannot_reactivate_when_its_time_left_the_schedule(auth_client, admin_user):
    a = AppointmentFactory(status="cancelled")
    a.schedule.start_time = dt.time(9, 15)
    a.schedule.save()
    response = auth_client(admin_user).patch(url(a), {"status": "confirmed"})
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_slot"
    assert stored_status(a) == "cancelled"


def test_database_refuses_two_active_visits_of_a_doctor_at_one_time():
    a = AppointmentFactory()
    other = ScheduleFactory(doctor=a.doctor, date=a.appointment_date, start_time=dt.time(9, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(schedule=other, doctor=a.doctor, appointment_date=a.appointment_date)


def test_admin_patch_to_cancelled_records_reason_admin(auth_client, admin_user):
    appointment = AppointmentFactory()
    body = auth_client(admin_user).patch(url(appointment), {"status": "cancelled"}).json()
    assert (body["cancellation_reason"], body["cancelled_by"]) == ("admin", admin_user.pk)


def test_admin_moving_a_cancelled_appointment_back_clears_the_cancellation(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(appointment.doctor).post(
        f"/api/appointments/{appointment.pk}/decline/", {"reason": "Away"}, format="json"
    )
    body = auth_client(admin_user).patch(url(appointment), {"status": "pending"}).json()
    assert body["status"] == "pending"
    assert [
        body[k]
        for k in ("cancellation_reason", "cancelled_by", "cancelled_at", "cancellation_note")
    ] == [None, None, None, None]


def test_admin_may_set_checked_in(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(url(appointment), {"status": "checked_in"})
    assert response.status_code == 200
    assert stored_status(appointment) == "checked_in"


def test_admin_reactivating_into_checked_in_rechecks_the_slot(auth_client, admin_user):
    cancelled = AppointmentFactory(status="cancelled")
    AppointmentFactory(schedule=cancelled.schedule, status="checked_in")
    response = auth_client(admin_user).patch(url(cancelled), {"status": "checked_in"})
    assert response.json()["code"] == "slot_taken"
