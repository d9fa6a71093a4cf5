import datetime as dt

import pytest
from django.utils import timezone

from doctors.tests.factories import ScheduleFactory
from notifications.tests.sinks import http_server, smtp_server


@pytest.fixture
def smtp_sink(settings):
    """Email goes to a real SMTP server on a free local port (EMAIL_URL=smtp://…)."""
    with smtp_server() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield sink


@pytest.fixture
def sms_gateway(settings):
    """SMS go to a real HTTP server (SMS_URL=http://…, SMS_TOKEN as the Bearer token)."""
    with http_server() as sink:
        settings.SMS_URL = sink.url
        settings.SMS_TOKEN = "gateway-token-123"
        yield sink


@pytest.fixture
def far_schedule(doctor):
    """A schedule of `doctor` three days ahead: every reminder is still in the future."""
    return ScheduleFactory(doctor=doctor, date=timezone.localdate() + dt.timedelta(days=3))
