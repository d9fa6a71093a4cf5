import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.models import DoctorDetail
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.tests.errors import detail_error
from users.models import Role, User
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/doctors/"


def names(response):
    return [row["full_name"] for row in response.json()["results"]]


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_anyone_lists_verified_doctors(api_client):
    doctor = DoctorFactory(full_name="Dr Ayesha")
    response = api_client.get(URL)
    assert response.status_code == 200
    assert ids(response) == [doctor.pk]


def test_list_rows_have_exactly_the_public_fields(api_client):
    DoctorFactory()
    row = api_client.get(URL).json()["results"][0]
    assert set(row) == {
        "id",
        "full_name",
        "specialization",
        "experience_years",
        "consultation_fee",
        "location",
        "bio",
    }
    assert row["consultation_fee"] == "500.00"


def test_list_is_paginated_in_contract_shape(api_client):
    DoctorFactory()
    assert set(api_client.get(URL).json()) == {"count", "next", "previous", "results"}


def test_unverified_doctor_is_absent(api_client):
    DoctorFactory(doctor_detail__is_verified=False)
    assert api_client.get(URL).json()["count"] == 0


def test_inactive_doctor_is_absent(api_client):
    DoctorFactory(is_active=False)
    assert api_client.get(URL).json()["count"] == 0


def test_patients_and_admins_are_absent(api_client, admin_user):
    PatientFactory()
    assert api_client.get(URL).json()["count"] == 0


def test_specialization_filter_is_case_insensitive_exact(api_client):
    cardio = DoctorFactory(doctor_detail__specialization="Cardiology")
    DoctorFactory(doctor_detail__specialization="Pediatric Cardiology")
    assert ids(api_client.get(URL, {"specialization": "cardiology"})) == [cardio.pk]


def test_location_filter_is_case_insensitive_contains(api_client):
    dhaka = DoctorFactory(doctor_detail__location="Dhanmondi, Dhaka")
    DoctorFactory(doctor_detail__location="Chittagong")
    assert ids(api_client.get(URL, {"location": "dhaka"})) == [dhaka.pk]


def test_search_needs_every_word_in_name_or_specialization(api_client):
    match = DoctorFactory(full_name="Rahim Uddin", doctor_detail__specialization="Cardiology")
    DoctorFactory(full_name="Rahim Khan", doctor_detail__specialization="Neurology")
    DoctorFactory(full_name="Karim Uddin", doctor_detail__specialization="Cardiology")
    assert ids(api_client.get(URL, {"search": "rahim CARDIO"})) == [match.pk]


@pytest.mark.parametrize("pattern", ["%", "_", "\\", "50%", "a_b"])
def test_like_wildcards_in_location_and_search_match_only_themselves(api_client, pattern):
    literal = DoctorFactory(
        full_name=f"Dr {pattern} Literal", doctor_detail__location=f"Block {pattern} Road"
    )
    DoctorFactory(full_name="Dr 50x Other", doctor_detail__location="Block aXb Road 50x")
    assert ids(api_client.get(URL, {"location": pattern})) == [literal.pk]
    assert ids(api_client.get(URL, {"search": pattern})) == [literal.pk]


def test_every_filter_at_once_narrows_to_the_doctors_matching_all(api_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    match = DoctorFactory(
        full_name="Nadia Rahman",
        doctor_detail__specialization="Cardiology",
        doctor_detail__location="Gulshan, Dhaka",
    )
    ScheduleFactory(doctor=match, date=tomorrow)
    for name, spec, location, schedule in [
        ("Nadia Karim", "Cardiology", "Gulshan, Dhaka", False),  # no free slot
        ("Nadia Islam", "Neurology", "Gulshan, Dhaka", True),  # other specialization
        ("Nadia Hasan", "Cardiology", "Sylhet", True),  # other city
        ("Farhan Rahman", "Cardiology", "Gulshan, Dhaka", True),  # search misses "nadia"
    ]:
        other = DoctorFactory(
            full_name=name,
            doctor_detail__specialization=spec,
            doctor_detail__location=location,
        )
        if schedule:
            ScheduleFactory(doctor=other, date=tomorrow)
    params = {
        "specialization": "CARDIOLOGY",
        "location": "dhaka",
        "available": "true",
        "search": "nadia rah",
    }
    assert ids(api_client.get(URL, params)) == [match.pk]


def test_ordering_by_two_fields_sorts_by_the_first_then_the_second(api_client):
    a = DoctorFactory(doctor_detail__experience_years=5, doctor_detail__consultation_fee=100)
    b = DoctorFactory(doctor_detail__experience_years=5, doctor_detail__consultation_fee=900)
    c = DoctorFactory(doctor_detail__experience_years=1, doctor_detail__consultation_fee=500)
    response = api_client.get(URL, {"ordering": "-experience_years,-consultation_fee"})
    assert ids(response) == [b.pk, a.pk, c.pk]


def test_search_with_too_many_words_is_400(api_client):
    response = api_client.get(URL, {"search": " ".join(["a"] * 20)})
    assert response.status_code == 400
    assert "search" in response.json()


def test_search_that_is_too_long_is_400(api_client):
    response = api_client.get(URL, {"search": "x" * 500})
    assert response.status_code == 400


def test_default_order_is_by_full_name(api_client):
    DoctorFactory(full_name="Zaman")
    DoctorFactory(full_name="Alam")
    assert names(api_client.get(URL)) == ["Alam", "Zaman"]


def test_order_by_fee_descending(api_client):
    cheap = DoctorFactory(doctor_detail__consultation_fee=Decimal("300.00"))
    dear = DoctorFactory(doctor_detail__consultation_fee=Decimal("900.00"))
    assert ids(api_client.get(URL, {"ordering": "-consultation_fee"})) == [dear.pk, cheap.pk]


def test_order_by_experience(api_client):
    senior = DoctorFactory(doctor_detail__experience_years=30)
    junior = DoctorFactory(doctor_detail__experience_years=2)
    assert ids(api_client.get(URL, {"ordering": "experience_years"})) == [junior.pk, senior.pk]


def test_ties_are_broken_by_id(api_client):
    first = DoctorFactory(full_name="Same")
    second = DoctorFactory(full_name="Same")
    assert ids(api_client.get(URL, {"ordering": "-full_name"})) == [first.pk, second.pk]


def test_unknown_ordering_is_400(api_client):
    response = api_client.get(URL, {"ordering": "mobile_number"})
    assert response.status_code == 400


def test_ordering_by_two_comma_separated_keys_sorts_by_both(api_client):
    a = DoctorFactory(doctor_detail__consultation_fee=500, doctor_detail__experience_years=3)
    b = DoctorFactory(doctor_detail__consultation_fee=500, doctor_detail__experience_years=9)
    c = DoctorFactory(doctor_detail__consultation_fee=900, doctor_detail__experience_years=1)
    response = api_client.get(URL, {"ordering": "-consultation_fee,-experience_years"})
    assert ids(response) == [c.pk, b.pk, a.pk]


def test_ties_on_every_ordering_key_are_broken_by_id(api_client):
    first = DoctorFactory(full_name="Same", doctor_detail__consultation_fee=500)
    second = DoctorFactory(full_name="Same", doctor_detail__consultation_fee=500)
    response = api_client.get(URL, {"ordering": "-consultation_fee,-full_name"})
    assert ids(response) == [first.pk, second.pk]


def test_a_repeated_ordering_parameter_is_400_ordering_repeated(api_client):
    response = api_client.get(f"{URL}?ordering=-consultation_fee&ordering=-experience_years")
    assert response.status_code == 400
    assert response.data["ordering"][0].code == "ordering_repeated"


def test_an_unknown_key_among_comma_separated_ones_is_400(api_client):
    response = api_client.get(URL, {"ordering": "full_name,mobile_number"})
    assert response.status_code == 400
    assert "ordering" in response.json()


@pytest.mark.parametrize("ordering", ["full_name,", ",", "full_name,,experience_years"])
def test_an_empty_ordering_key_is_400_not_500(api_client, ordering):
    response = api_client.get(URL, {"ordering": ordering})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_an_ordering_key_named_twice_is_400(api_client):
    response = api_client.get(URL, {"ordering": "full_name,-full_name"})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_available_true_lists_a_doctor_with_a_free_future_slot(api_client):
    free = ScheduleFactory().doctor
    DoctorFactory()
    assert ids(api_client.get(URL, {"available": "true"})) == [free.pk]


def test_available_false_lists_a_doctor_without_schedules(api_client):
    ScheduleFactory()
    idle = DoctorFactory()
    assert ids(api_client.get(URL, {"available": "false"})) == [idle.pk]


def test_a_fully_booked_doctor_is_not_available(api_client):
    schedule = ScheduleFactory(end_time=dt.time(10, 0))
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(9, 0))
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(9, 30))
    assert api_client.get(URL, {"available": "true"}).json()["count"] == 0
    assert ids(api_client.get(URL, {"available": "false"})) == [schedule.doctor_id]


def test_a_cancelled_booking_leaves_the_doctor_available(api_client):
    schedule = ScheduleFactory(end_time=dt.time(9, 30))
    AppointmentFactory(schedule=schedule, status="cancelled")
    assert ids(api_client.get(URL, {"available": "true"})) == [schedule.doctor_id]


def test_doctor_whose_only_free_slot_was_earlier_today_is_not_available(api_client, monkeypatch):
    freeze_local_time(monkeypatch, 13, 0)
    ScheduleFactory(date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(12))
    assert api_client.get(URL, {"available": "true"}).json()["count"] == 0


def test_a_slot_starting_now_does_not_make_a_doctor_available(api_client, monkeypatch):
    freeze_local_time(monkeypatch, 9, 0)
    ScheduleFactory(date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(9, 30))
    assert api_client.get(URL, {"available": "true"}).json()["count"] == 0


def test_a_later_free_slot_today_makes_a_doctor_available(api_client, monkeypatch):
    freeze_local_time(monkeypatch, 10, 10)
    schedule = ScheduleFactory(
        date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(11)
    )
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(9, 0))
    assert ids(api_client.get(URL, {"available": "true"})) == [schedule.doctor_id]


def test_past_bookings_today_do_not_hide_a_taken_last_slot(api_client, monkeypatch):
    freeze_local_time(monkeypatch, 10, 10)
    schedule = ScheduleFactory(
        date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(11)
    )
    # 09:00–10:00 are gone and 10:30, the only future slot, is taken: nothing is free.
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(10, 30))
    assert api_client.get(URL, {"available": "true"}).json()["count"] == 0


def test_a_past_schedule_does_not_make_a_doctor_available(api_client):
    ScheduleFactory(date=timezone.localdate() - dt.timedelta(days=1))
    assert api_client.get(URL, {"available": "true"}).json()["count"] == 0


def bulk_doctors(n, *, with_schedule=True):
    users = User.objects.bulk_create(
        User(mobile_number=f"+88017990{i:05d}", full_name=f"Bulk {i:03d}", role=Role.DOCTOR)
        for i in range(n)
    )
    DoctorDetail.objects.bulk_create(
        DoctorDetail(doctor=u, license_number=f"BULK-{u.pk}", is_verified=True) for u in users
    )
    if with_schedule:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        for user in users:
            ScheduleFactory(doctor=user, date=tomorrow)
    return users


def count_queries(client, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, {"page_size": 100, **params})
    assert response.status_code == 200
    return len(context.captured_queries), response.json()["count"]


@pytest.mark.parametrize("params", [{}, {"available": "true"}, {"search": "bulk 0"}])
def test_list_costs_the_same_queries_for_1_and_50_doctors(api_client, params):
    bulk_doctors(1)
    one = count_queries(api_client, params)
    User.objects.filter(role=Role.DOCTOR).delete()
    bulk_doctors(50)
    many = count_queries(api_client, params)
    assert (one[1], many[1]) == (1, 50)
    # One query: the page with its details joined, availability an EXISTS, the total a window.
    assert one[0] == many[0] == 1


def test_malformed_available_is_400(api_client):
    response = api_client.get(URL, {"available": "maybe"})
    assert response.status_code == 400
    assert "available" in response.json()


def test_page_past_the_end_is_404_json(api_client):
    DoctorFactory()
    response = api_client.get(URL, {"page": 3})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_an_empty_directory_answers_an_empty_first_page(api_client):
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_last_page_carries_the_total_and_a_previous_link(api_client):
    bulk_doctors(3, with_schedule=False)
    body = api_client.get(URL, {"page": 2, "page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 1
    assert body["next"] is None
    assert "page_size=2" in body["previous"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2.0", "1" + "0" * 30])
def test_a_malformed_or_huge_page_number_is_404_json(api_client, page):
    DoctorFactory()
    response = api_client.get(URL, {"page": page})
    assert response.status_code == 404
    assert response.json() == detail_error("Invalid page.", "not_found")


def test_page_last_costs_a_count_and_the_page(api_client):
    bulk_doctors(3, with_schedule=False)
    with CaptureQueriesContext(connection) as context:
        response = api_client.get(URL, {"page": "last", "page_size": 2})
    assert [row["full_name"] for row in response.json()["results"]] == ["Bulk 002"]
    assert len(context.captured_queries) == 2


def test_page_last_of_an_empty_directory_is_an_empty_first_page(api_client):
    with CaptureQueriesContext(connection) as context:
        body = api_client.get(URL, {"page": "last"}).json()
    assert (body["count"], body["results"]) == (0, [])
    assert len(context.captured_queries) == 2


def test_page_last_names_the_last_page(api_client):
    bulk_doctors(3, with_schedule=False)
    body = api_client.get(URL, {"page": "last", "page_size": 2}).json()
    assert [row["full_name"] for row in body["results"]] == ["Bulk 002"]


def test_the_browsable_api_lists_the_filtered_doctors_with_the_filter_form(api_client):
    DoctorFactory(full_name="Dr Cardio", doctor_detail__specialization="Cardiology")
    DoctorFactory(full_name="Dr Neuro", doctor_detail__specialization="Neurology")
    response = api_client.get(URL, {"specialization": "cardiology"}, HTTP_ACCEPT="text/html")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dr Cardio" in page
    assert "Dr Neuro" not in page
    assert 'name="specialization"' in page
