"""A slot's instants are kept per (date, time, zone) (healthcare/clinic.py): never stale."""

import datetime as dt

from healthcare import clinic


def test_a_kept_instant_follows_a_change_of_the_clinics_zone(settings):
    day, time = dt.date(2027, 7, 1), dt.time(9, 0)
    settings.TIME_ZONE = "Asia/Dhaka"
    assert clinic.slot_starts_at(day, time).isoformat() == "2027-07-01T09:00:00+06:00"
    assert clinic.slot_instants_out(day, time) == (
        "2027-07-01T09:00:00+06:00",
        "2027-07-01T09:30:00+06:00",
    )
    settings.TIME_ZONE = "Europe/London"
    assert clinic.slot_starts_at(day, time).isoformat() == "2027-07-01T09:00:00+01:00"
    assert clinic.slot_instants_out(day, time) == (
        "2027-07-01T09:00:00+01:00",
        "2027-07-01T09:30:00+01:00",
    )


def test_the_second_of_two_repeated_wall_times_keeps_its_own_instant(settings):
    # Clocks go back at 02:00 BST on 2027-10-31: 01:30 happens twice. The kept answers are
    # keyed by date and time, which compare equal whatever their fold: a folded time must
    # not be answered with the first one's instant.
    settings.TIME_ZONE = "Europe/London"
    day = dt.date(2027, 10, 31)
    first, second = dt.time(1, 30), dt.time(1, 30, fold=1)
    assert clinic.slot_starts_at(day, first).isoformat() == "2027-10-31T01:30:00+01:00"
    assert clinic.slot_starts_at(day, second).isoformat() == "2027-10-31T01:30:00+00:00"
    assert clinic.slot_instants_out(day, first)[0] == "2027-10-31T01:30:00+01:00"
    assert clinic.slot_instants_out(day, second)[0] == "2027-10-31T01:30:00+00:00"
