"""Reads of patient records by admins, announced as a domain event for the audit trail."""

from healthcare.events import emit


class PatientRecordReadMixin:
    """Records one `patient_record_read` per admin request, lists included."""

    audit_endpoint = ""
    audit_object_type: str | None = None
    # The request methods recorded; None: every method.
    audit_methods: tuple[str, ...] | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Runs after authentication and permission checks: only admins' requests get here.
        if self.audit_methods is not None and request.method not in self.audit_methods:
            return
        pk = str(kwargs.get("pk", ""))
        emit(
            "patient_record_read",
            actor=request.user,
            object_type=self.audit_object_type,
            object_id=int(pk) if pk.isascii() and pk.isdigit() else None,
            details={"endpoint": self.audit_endpoint},
        )
