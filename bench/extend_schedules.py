"""Time `manage.py extend_schedules` for 2,000 doctors with weekly hours (Mon–Sat 09–13, 14–17).

Run against a migrated PostgreSQL database (not the test one), e.g.:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/hc_wt12 DJANGO_DEBUG=1 \\
        python manage.py shell < bench/extend_schedules.py
Creates the doctors once (mobile numbers +8801990000000…), then runs the command twice: the first
run fills the horizon, the second finds nothing to do (idempotent).
"""

import datetime as dt
import time

from django.core.management import call_command

from doctors.models import DoctorDetail, DoctorSchedule, WorkingHours
from users.models import Role, User

existing = User.objects.filter(mobile_number__startswith="+88019900").count()
if existing < 2000:
    users = User.objects.bulk_create(
        [
            User(
                mobile_number=f"+8801990{n:06d}",
                full_name=f"Bench Dr {n}",
                role=Role.DOCTOR,
                password="!",  # noqa: S106 (an unusable password: no sign-in)
            )
            for n in range(existing, 2000)
        ]
    )
    DoctorDetail.objects.bulk_create(
        [DoctorDetail(doctor=u, is_verified=True, license_number=f"BENCH-{u.pk}") for u in users]
    )
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(doctor=u, weekday=d, start_time=s, end_time=e)
            for u in users
            for d in range(6)
            for s, e in ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(17)))
        ]
    )
print("doctors with hours:", WorkingHours.objects.values("doctor").distinct().count())
for label in ("first run (empty horizon)", "second run (nothing to do)"):
    t = time.perf_counter()
    call_command("extend_schedules")
    print(label, f"{time.perf_counter() - t:.1f} s")
print("generated schedules:", DoctorSchedule.objects.filter(source="weekly").count())
