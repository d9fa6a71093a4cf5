import pytest

from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory
from healthcare.events import domain_event
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(appointment):
    return f"/api/appointments/{appointment.pk}/"


@pytest.fixture
def events():
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    domain_event.connect(receiver, weak=False)
    yield seen
    domain_event.disconnect(receiver)


def test_patient_reads_their_own_appointment(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).get(url(appointment))
    assert response.status_code == 200
    assert response.json()["id"] == appointment.pk
    assert response.json()["patient_name"] == appointment.patient.full_name


def test_doctor_reads_an_appointment_with_them(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.doctor).get(url(appointment))
    assert response.status_code == 200


def test_admin_reads_any_appointment(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).get(url(appointment))
    assert response.status_code == 200


def test_anonymous_read_is_401(api_client):
    response = api_client.get(url(AppointmentFactory()))
    assert response.status_code == 401


def test_another_patient_gets_404(auth_client):
    response = auth_client(PatientFactory()).get(url(AppointmentFactory()))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_another_doctor_gets_404(auth_client):
    response = auth_client(DoctorFactory()).get(url(AppointmentFactory()))
    assert response.status_code == 404


def test_unknown_appointment_is_404(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).get(f"/api/appointments/{appointment.pk + 999}/")
    assert response.status_code == 404


def test_admin_read_is_recorded_as_patient_record_read(auth_client, admin_user, events):
    appointment = AppointmentFactory()
    auth_client(admin_user).get(url(appointment))
    reads = [e for e in events if e["action"] == "patient_record_read"]
    assert len(reads) == 1
    assert (reads[0]["actor"], reads[0]["object_id"]) == (admin_user, appointment.pk)


def test_patient_read_is_not_recorded_as_patient_record_read(auth_client, events):
    appointment = AppointmentFactory()
    auth_client(appointment.patient).get(url(appointment))
    assert not [e for e in events if e["action"] == "patient_record_read"]
