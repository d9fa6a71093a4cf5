"""Every action the apps announce is one the API's `AuditAction` enum (and filter) names."""

import re
from pathlib import Path

from admin_panel.models import AuditAction

PROJECT = Path(__file__).resolve().parents[2]
APPS = ("users", "doctors", "appointments", "admin_panel", "healthcare")
EMIT = re.compile(r"""\bemit\(\s*["']([a-z_]+)["']""")


def emitted_actions() -> set[str]:
    return {
        action
        for app in APPS
        for source in (PROJECT / app).rglob("*.py")
        if "tests" not in source.parts and "migrations" not in source.parts
        for action in EMIT.findall(source.read_text(encoding="utf-8"))
    }


def test_every_emitted_action_is_in_the_audit_action_enum():
    assert emitted_actions() - set(AuditAction.values) == set()


def test_the_emitted_action_finder_sees_the_v1_actions():
    # The check above would pass on any code if the finder saw nothing.
    assert {"login_succeeded", "appointment_booked", "patient_record_read"} <= emitted_actions()
