"""The public-doctor rule's ORM and SQL forms pick the same doctors (doctors/public.py)."""

import pytest
from django.db import connection

from doctors.models import DoctorDetail
from doctors.public import PUBLIC_DOCTOR, public_doctor_sql
from doctors.tests.factories import DoctorFactory
from healthcare.db.raw import table
from users.models import User
from users.tests.factories import AdminFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_the_sql_and_orm_forms_of_the_public_doctor_rule_agree():
    public = DoctorFactory()
    DoctorFactory(doctor_detail__is_verified=False)
    DoctorFactory(is_active=False)
    PatientFactory()
    AdminFactory()
    condition, params = public_doctor_sql("u", "d")
    sql = (
        f"SELECT u.id FROM {table(User)} u "  # noqa: S608 (quoted table names only)
        f"INNER JOIN {table(DoctorDetail)} d ON d.doctor_id = u.id WHERE {condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        from_sql = {row[0] for row in cursor.fetchall()}
    from_orm = set(User.objects.filter(PUBLIC_DOCTOR).values_list("id", flat=True))
    assert from_sql == from_orm == {public.pk}
