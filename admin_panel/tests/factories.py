import datetime as dt
from decimal import Decimal

import factory

from appointments.models import AppointmentBooking, AppointmentStatus
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A stored booking for read-side tests (reports, lists); writes go through the services."""

    class Meta:
        model = AppointmentBooking

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    schedule = factory.SubFactory(ScheduleFactory, doctor=factory.SelfAttribute("..doctor"))
    appointment_date = factory.SelfAttribute("schedule.date")
    appointment_time = dt.time(9, 0)
    status = AppointmentStatus.PENDING
    fee = Decimal("500.00")
