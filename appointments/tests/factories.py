import datetime as dt
from decimal import Decimal

import factory

from appointments.models import AppointmentBooking, AppointmentStatus
from doctors.tests.factories import ScheduleFactory
from users.tests.factories import PatientFactory


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A pending booking of the first slot (09:00) of a fresh schedule tomorrow."""

    class Meta:
        model = AppointmentBooking

    patient = factory.SubFactory(PatientFactory)
    schedule = factory.SubFactory(ScheduleFactory)
    doctor = factory.LazyAttribute(lambda a: a.schedule.doctor)
    appointment_date = factory.LazyAttribute(lambda a: a.schedule.date)
    appointment_time = dt.time(9, 0)
    status = AppointmentStatus.PENDING
    fee = Decimal("500.00")
