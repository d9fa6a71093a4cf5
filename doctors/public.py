"""Who the public sees and patients may book: an active, verified doctor.

The rule's one home, for the ORM (`PUBLIC_DOCTOR`, a condition on users) and for the few
hand-written queries (`public_doctor_sql`, the same three conditions on a user and a details
table alias). A test checks that both pick the same doctors.
"""

from django.db.models import Q

from users.models import Role

PUBLIC_DOCTOR = Q(role=Role.DOCTOR, is_active=True, doctor_detail__is_verified=True)


def public_doctor_sql(user: str, detail: str) -> tuple[str, list]:
    """`PUBLIC_DOCTOR` as SQL over a user and its details row (aliases or quoted tables)."""
    return f"{user}.role = %s AND {user}.is_active AND {detail}.is_verified", [Role.DOCTOR.value]
