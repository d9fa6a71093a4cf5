"""GET /api/admin-panel/reports/: totals, per-doctor and per-patient figures, JSON and CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from admin_panel.tests.factories import AppointmentFactory
from appointments.services import appointment_book, appointment_update
from doctors.models import DoctorDetail
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/reports/"


def day(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def data_set(admin_user):
    """Two doctors, two patients, bookings in days 2–3 and one outside the range (day 1).

    Alpha's fee is 400 when Bob books, then raised to 900 before the visit is completed: the
    report must count the booking-time 400.
    """
    alpha = DoctorFactory(full_name="Alpha Doctor", doctor_detail__consultation_fee=400)
    beta = DoctorFactory(full_name="Beta Doctor", doctor_detail__consultation_fee=300)
    anna = PatientFactory(full_name="Anna Patient")
    bob = PatientFactory(full_name="Bob Patient")
    alpha_day2 = ScheduleFactory(doctor=alpha, date=day(2))
    alpha_day3 = ScheduleFactory(doctor=alpha, date=day(3))
    beta_day3 = ScheduleFactory(doctor=beta, date=day(3))
    a1 = AppointmentFactory(
        patient=anna, doctor=alpha, schedule=alpha_day2, status="completed", fee=Decimal(500)
    )
    a2 = AppointmentFactory(
        patient=anna,
        doctor=alpha,
        schedule=alpha_day2,
        appointment_time=dt.time(9, 30),
        status="cancelled",
        fee=Decimal(500),
    )
    a3 = appointment_book(
        patient=bob, doctor_id=alpha.pk, schedule_id=alpha_day3.pk, appointment_time=dt.time(10)
    )
    DoctorDetail.objects.filter(pk=alpha.pk).update(consultation_fee=Decimal(900))
    appointment_update(appointment=a3, actor=admin_user, data={"status": "completed"})
    a4 = AppointmentFactory(patient=bob, doctor=beta, schedule=beta_day3, fee=Decimal(300))
    outside = AppointmentFactory(
        patient=anna, doctor=beta, schedule__date=day(1), status="completed", fee=Decimal(300)
    )
    return {"alpha": alpha, "beta": beta, "anna": anna, "bob": bob, "a1": a1, "a2": a2,
            "a3": a3, "a4": a4, "outside": outside}  # fmt: skip


def in_range(**extra):
    return {"date_from": day(2).isoformat(), "date_to": day(3).isoformat(), **extra}


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_non_admins_get_403(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert auth_client(user).get(URL).status_code == 403


def test_report_has_exactly_the_contracts_keys(auth_client, admin_user):
    data = auth_client(admin_user).get(URL).json()
    assert set(data) == {
        "total_appointments",
        "total_revenue",
        "appointments_per_doctor",
        "patients",
        "patients_count",
        "patients_next",
        "patients_previous",
    }


def test_an_empty_report_has_zero_money_strings(auth_client, admin_user):
    data = auth_client(admin_user).get(URL).json()
    assert (data["total_appointments"], data["total_revenue"], data["patients_count"]) == (
        0,
        "0.00",
        0,
    )


def test_an_empty_report_lists_no_doctors(auth_client, admin_user):
    response = auth_client(admin_user).get(URL)
    assert b'"appointments_per_doctor":[]' in response.content


def test_totals_exclude_cancelled_and_sum_booking_time_fees_of_completed(
    auth_client, admin_user, data_set
):
    data = auth_client(admin_user).get(URL, in_range()).json()
    assert (data["total_appointments"], data["total_revenue"]) == (3, "900.00")


def test_no_range_means_all_time(auth_client, admin_user, data_set):
    data = auth_client(admin_user).get(URL).json()
    assert (data["total_appointments"], data["total_revenue"]) == (4, "1200.00")


def test_per_doctor_rows_are_by_name_with_counts_and_revenue(auth_client, admin_user, data_set):
    rows = auth_client(admin_user).get(URL, in_range()).json()["appointments_per_doctor"]
    assert rows == [
        {
            "doctor_id": data_set["alpha"].pk,
            "doctor_name": "Alpha Doctor",
            "total_appointments": 2,
            "completed_appointments": 2,
            "no_show_appointments": 0,
            "declined_appointments": 0,
            "revenue": "900.00",
        },
        {
            "doctor_id": data_set["beta"].pk,
            "doctor_name": "Beta Doctor",
            "total_appointments": 1,
            "completed_appointments": 0,
            "no_show_appointments": 0,
            "declined_appointments": 0,
            "revenue": "0.00",
        },
    ]


def test_patients_are_by_name_with_non_cancelled_counts(auth_client, admin_user, data_set):
    patients = auth_client(admin_user).get(URL, in_range()).json()["patients"]
    assert [(p["patient_id"], p["patient_name"], p["total_appointments"]) for p in patients] == [
        (data_set["anna"].pk, "Anna Patient", 1),
        (data_set["bob"].pk, "Bob Patient", 2),
    ]


def test_a_patients_appointments_include_cancelled_ones_in_date_and_time_order(
    auth_client, admin_user, data_set
):
    patients = auth_client(admin_user).get(URL, in_range()).json()["patients"]
    anna, bob = patients
    assert [a["id"] for a in anna["appointments"]] == [data_set["a1"].pk, data_set["a2"].pk]
    assert [a["id"] for a in bob["appointments"]] == [data_set["a4"].pk, data_set["a3"].pk]


def test_a_report_appointment_has_the_contracts_fields(auth_client, admin_user, data_set):
    appointment = (
        auth_client(admin_user).get(URL, in_range()).json()["patients"][1]["appointments"][1]
    )
    assert appointment == {
        "id": data_set["a3"].pk,
        "doctor_id": data_set["alpha"].pk,
        "doctor_name": "Alpha Doctor",
        "appointment_date": day(3).isoformat(),
        "appointment_time": "10:00",
        "status": "completed",
        "fee": "400.00",
    }


def test_patients_are_paged_with_links(auth_client, admin_user, data_set):
    PatientFactory(full_name="Cara Patient")
    AppointmentFactory(patient=PatientFactory(full_name="Cara Patient"), schedule__date=day(2))
    client = auth_client(admin_user)
    first = client.get(URL, in_range(page_size=2)).json()
    second = client.get(first["patients_next"]).json()
    assert (first["patients_count"], len(first["patients"]), first["patients_previous"]) == (
        3,
        2,
        None,
    )
    assert [p["patient_name"] for p in second["patients"]] == ["Cara Patient"]
    assert second["patients_previous"] is not None


def test_paging_keeps_the_per_doctor_rows_whole(auth_client, admin_user, data_set):
    data = auth_client(admin_user).get(URL, in_range(page_size=1)).json()
    assert len(data["patients"]) == 1
    assert len(data["appointments_per_doctor"]) == 2


def test_page_size_above_100_is_clamped(auth_client, admin_user, data_set):
    assert auth_client(admin_user).get(URL, {"page_size": 1000}).status_code == 200


def test_a_page_past_the_end_is_a_json_404(auth_client, admin_user, data_set):
    response = auth_client(admin_user).get(URL, {"page": 50})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "params",
    [{"date_from": "2026-02-30"}, {"date_to": "tomorrow"}, {"date_from": "2026-05-02",
                                                            "date_to": "2026-05-01"}],
)  # fmt: skip
def test_malformed_or_reversed_dates_are_a_400(auth_client, admin_user, params):
    response = auth_client(admin_user).get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_csv_is_served_with_its_content_type(auth_client, admin_user, data_set):
    response = auth_client(admin_user).get(URL, in_range(format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_parses_back_to_the_per_doctor_rows(auth_client, admin_user, data_set):
    response = auth_client(admin_user).get(URL, in_range(format="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [
        ["doctor_id", "doctor_name", "total_appointments", "completed_appointments", "revenue"],
        [str(data_set["alpha"].pk), "Alpha Doctor", "2", "2", "900.00"],
        [str(data_set["beta"].pk), "Beta Doctor", "1", "0", "0.00"],
    ]


def test_csv_errors_stay_json(auth_client, admin_user):
    response = auth_client(admin_user).get(URL, {"format": "csv", "date_from": "bad"})
    assert response.status_code == 400
    assert "date_from" in response.json()


def test_csv_neutralises_a_formula_in_a_doctors_name(auth_client, admin_user):
    AppointmentFactory(doctor=DoctorFactory(full_name="=HYPERLINK(1)"))
    response = auth_client(admin_user).get(URL, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[1][1] == "'=HYPERLINK(1)"


def _bookings(count: int) -> None:
    patients = PatientFactory.create_batch(min(count, 10))
    for index in range(count):
        AppointmentFactory(
            patient=patients[index % len(patients)],
            status="completed" if index % 2 else "pending",
            schedule__date=day(2 + index % 5),
            # A patient's bookings on one date get distinct slots (their unique constraint).
            appointment_time=dt.time(9 + index // 20, 30 * (index // 10 % 2)),
        )


def test_report_runs_a_fixed_number_of_queries(auth_client, admin_user, django_assert_num_queries):
    client = auth_client(admin_user)
    _bookings(1)
    # Admin, audit row, per doctor (names included; totals summed from it, or on PostgreSQL
    # with it), patient count, patient page, their appointments.
    with django_assert_num_queries(6):
        client.get(URL, {"page_size": 100})
    _bookings(49)
    with django_assert_num_queries(6):
        data = client.get(URL, {"page_size": 100}).json()
    assert data["total_appointments"] == 50


def test_a_ranged_report_runs_the_same_fixed_number_of_queries(
    auth_client, admin_user, django_assert_num_queries
):
    client = auth_client(admin_user)
    params = {"page_size": 100, "date_from": "2000-01-01", "date_to": "2100-12-31"}
    _bookings(1)
    with django_assert_num_queries(6):
        client.get(URL, params)
    _bookings(49)
    with django_assert_num_queries(6):
        data = client.get(URL, params).json()
    assert data["patients_count"] == len(data["patients"]) > 1


def test_the_all_time_report_shows_a_renamed_doctor_under_the_new_name(auth_client, admin_user):
    booking = AppointmentFactory(status="completed")
    booking.doctor.full_name = "Dr Renamed"
    booking.doctor.save()
    rows = auth_client(admin_user).get(URL).json()["appointments_per_doctor"]
    assert [row["doctor_name"] for row in rows] == ["Dr Renamed"]


def test_the_browsable_api_shows_the_per_doctor_rows(auth_client, admin_user, data_set):
    response = auth_client(admin_user).get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "Alpha Doctor" in response.content.decode()


def test_an_indented_json_report_has_the_same_rows(auth_client, admin_user, data_set):
    client = auth_client(admin_user)
    indented = client.get(URL, HTTP_ACCEPT="application/json; indent=2")
    assert b'\n  "appointments_per_doctor": [' in indented.content
    assert indented.json() == client.get(URL).json()


# Names that JSON must escape: quotes, backslashes, control characters (written \b \t \n \f
# \r or \u00XX), U+2028/U+2029 (escaped by the renderer), DEL and non-ASCII (written as is).
AWKWARD_NAMES = [
    'Dr. Zoë "Ann" O\'Brien',
    "Back\\slash \\u0041 </script>",
    "Tab\tNew\nline\rFeed\fBell\bx\x01y\x1fz\x7f",
    "Line\u2028Para\u2029end",
    "Dr 医生 😀 Ünïcode",
]


@pytest.fixture
def awkward_data_set():
    """Doctors with awkward names, zero and large revenue, a cancelled-only doctor, a name tie."""
    doctors = [DoctorFactory(full_name=name) for name in AWKWARD_NAMES]
    for hour, doctor in enumerate(doctors, start=9):
        AppointmentFactory(doctor=doctor, schedule__date=day(2), status="completed",
                           fee=Decimal("1234.56"), appointment_time=dt.time(hour))  # fmt: skip
    rich = DoctorFactory(full_name="Rich Doctor")
    for offset in range(3):
        AppointmentFactory(doctor=rich, schedule__date=day(2 + offset), status="completed",
                           fee=Decimal("99999999.99"))  # fmt: skip
    AppointmentFactory(doctor=DoctorFactory(full_name="Zero Revenue"), schedule__date=day(3))
    AppointmentFactory(doctor=DoctorFactory(full_name="Only Cancelled"), status="cancelled",
                       schedule__date=day(3))  # fmt: skip
    for _ in range(2):
        AppointmentFactory(doctor=DoctorFactory(full_name="Same Name"), status="no_show",
                           schedule__date=day(4))  # fmt: skip
    AppointmentFactory(doctor=DoctorFactory(full_name="Outside Range"), schedule__date=day(9))


def test_awkward_names_and_large_sums_come_out_as_valid_json(
    auth_client, admin_user, awkward_data_set
):
    body = auth_client(admin_user).get(URL).json()
    names = [row["doctor_name"] for row in body["appointments_per_doctor"]]
    assert set(AWKWARD_NAMES) <= set(names)
    rich = next(r for r in body["appointments_per_doctor"] if r["doctor_name"] == "Rich Doctor")
    assert rich["revenue"] == "299999999.97"


def test_per_doctor_rows_count_no_shows_and_declines(auth_client, admin_user):
    doctor = DoctorFactory(full_name="Counted Doctor")
    schedule = ScheduleFactory(doctor=doctor, date=day(-1))
    AppointmentFactory(schedule=schedule, doctor=doctor, status="no_show")
    AppointmentFactory(
        schedule=schedule,
        doctor=doctor,
        appointment_time=dt.time(9, 30),
        status="cancelled",
        cancellation_reason="declined",
    )
    AppointmentFactory(
        schedule=schedule,
        doctor=doctor,
        appointment_time=dt.time(10),
        status="cancelled",
        cancellation_reason="patient",
    )
    row = auth_client(admin_user).get(URL).json()["appointments_per_doctor"][0]
    assert (row["no_show_appointments"], row["declined_appointments"]) == (1, 1)
