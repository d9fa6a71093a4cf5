"""CSV rendering of the report's per-doctor rows (`?format=csv`)."""

import csv
import io

from rest_framework.renderers import BaseRenderer

REPORT_CSV_HEADER = [
    "doctor_id",
    "doctor_name",
    "total_appointments",
    "completed_appointments",
    "revenue",
]


def _safe_cell(value) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class ReportCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(REPORT_CSV_HEADER)
        for row in (data or {}).get("appointments_per_doctor", []):
            writer.writerow([_safe_cell(row.get(column)) for column in REPORT_CSV_HEADER])
        return buffer.getvalue().encode(self.charset)
