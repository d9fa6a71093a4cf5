"""Data for the cluster drill: verified doctors with schedules and patients with access tokens.

Run inside the cluster's environment (`ops/cluster/cluster.sh python ops/cluster/drill_data.py
DOCTORS PATIENTS`); prints JSON. Patients get access tokens minted with the cluster's signing key
instead of signing in: each password sign-in costs most of a second of PBKDF2, and the drill is
about booking, failover and reads (the smoke test signs in through the API).
"""

import datetime as dt
import json
import os
import secrets
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthcare.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from doctors.models import DoctorDetail, DoctorSchedule  # noqa: E402
from users.models import Role, User  # noqa: E402

DAYS = 7
OPENS, CLOSES = dt.time(8, 0), dt.time(20, 0)


def main(doctors: int, patients: int) -> dict:
    run = secrets.randbelow(10_000)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    def user(prefix: str, i: int, role: str) -> User:
        person = User(
            mobile_number=f"+8801{prefix}{run:04d}{i:04d}",
            full_name=f"Drill {role} {run}-{i}",
            role=role,
        )
        person.set_unusable_password()
        return person

    with transaction.atomic():
        doctor_users = User.objects.bulk_create([user("5", i, Role.DOCTOR) for i in range(doctors)])
        DoctorDetail.objects.bulk_create(
            DoctorDetail(
                doctor=doctor,
                specialization="Cardiology",
                experience_years=5 + i,
                consultation_fee=Decimal("500.00"),
                location="Dhaka",
                is_verified=True,
            )
            for i, doctor in enumerate(doctor_users)
        )
        schedules = DoctorSchedule.objects.bulk_create(
            DoctorSchedule(
                doctor=doctor,
                date=tomorrow + dt.timedelta(days=day),
                start_time=OPENS,
                end_time=CLOSES,
            )
            for doctor in doctor_users
            for day in range(DAYS)
        )
        patient_users = User.objects.bulk_create(
            [user("9", i, Role.PATIENT) for i in range(patients)]
        )
    slots_per_day = (CLOSES.hour - OPENS.hour) * 2
    return {
        "doctors": [
            {
                "id": doctor.id,
                "slots": [
                    {
                        "schedule": s.id,
                        "date": s.date.isoformat(),
                        "time": f"{OPENS.hour + k // 2:02d}:{30 * (k % 2):02d}",
                    }
                    for s in schedules
                    if s.doctor_id == doctor.id
                    for k in range(slots_per_day)
                ],
            }
            for doctor in doctor_users
        ],
        "patients": [{"id": p.id, "access": str(AccessToken.for_user(p))} for p in patient_users],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
