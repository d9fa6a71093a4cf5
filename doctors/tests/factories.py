import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from doctors.models import DoctorDetail, DoctorSchedule
from users.models import Role
from users.tests.factories import UserFactory


class DoctorFactory(UserFactory):
    """A doctor user with verified details (pass `doctor_detail__is_verified=False` to unverify)."""

    role = Role.DOCTOR
    doctor_detail = factory.RelatedFactory(
        "doctors.tests.factories.DoctorDetailFactory", factory_related_name="doctor"
    )


class DoctorDetailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoctorDetail

    doctor = factory.SubFactory(UserFactory, role=Role.DOCTOR)
    license_number = factory.Sequence(lambda n: f"BMDC-{n:06d}")
    specialization = "Cardiology"
    experience_years = 10
    consultation_fee = Decimal("500.00")
    location = "Dhaka"
    bio = "Experienced physician."
    is_verified = True


class ScheduleFactory(factory.django.DjangoModelFactory):
    """A schedule tomorrow 09:00–12:00 (six slots) unless told otherwise."""

    class Meta:
        model = DoctorSchedule

    doctor = factory.SubFactory(DoctorFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1))
    start_time = dt.time(9, 0)
    end_time = dt.time(12, 0)
