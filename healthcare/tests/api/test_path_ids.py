"""Ids in paths are ASCII digits (`[0-9]+`); any other spelling of a number is a 404."""

import pytest

from admin_panel.models import AuditLogEntry
from admin_panel.tests.factories import AppointmentFactory
from healthcare.events import emit
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def spellings(pk: int) -> list[str]:
    return [
        f"{pk}%20",
        f"%20{pk}",
        f"{pk}.0",
        f"+{pk}",
        f"0x{pk:x}",
        str(pk).translate(ARABIC_INDIC),
        str(pk).translate(FULLWIDTH),
    ]


@pytest.fixture
def admin(auth_client, admin_user):
    return auth_client(admin_user)


def test_the_plain_id_finds_the_patient(admin):
    patient = PatientFactory()
    assert admin.get(f"/api/admin-panel/patients/{patient.pk}/").status_code == 200


@pytest.mark.parametrize("collection", ["patients", "doctors", "appointments", "audit-log"])
def test_admin_panel_ids_in_other_spellings_are_404(admin, collection):
    booking = AppointmentFactory()
    emit("registered", obj=booking.patient)
    pk = {
        "patients": booking.patient_id,
        "doctors": booking.doctor_id,
        "appointments": booking.pk,
        "audit-log": AuditLogEntry.objects.get().pk,
    }[collection]
    assert admin.get(f"/api/admin-panel/{collection}/{pk}/").status_code == 200
    statuses = {
        spelling: admin.get(f"/api/admin-panel/{collection}/{spelling}/").status_code
        for spelling in spellings(pk)
    }
    assert set(statuses.values()) == {404}, statuses


def test_writes_to_an_id_in_another_spelling_are_404(admin):
    patient = PatientFactory()
    path = f"/api/admin-panel/patients/{str(patient.pk).translate(ARABIC_INDIC)}/"
    assert admin.patch(path, {"full_name": "Someone Else"}).status_code == 404
    assert admin.delete(path).status_code == 404
    patient.refresh_from_db()
    assert patient.full_name != "Someone Else"
    assert patient.is_active


@pytest.mark.parametrize(
    "template",
    ["/api/doctors/{}/", "/api/doctors/{}/slots/", "/api/appointments/{}/"],
)
def test_other_paths_refuse_other_spellings_too(auth_client, patient, template):
    booking = AppointmentFactory(patient=patient)
    client = auth_client(patient)
    pk = booking.pk if "appointments" in template else booking.doctor_id
    assert client.get(template.format(pk)).status_code == 200
    for spelling in spellings(pk):
        assert client.get(template.format(spelling)).status_code == 404, spelling
