"""The Celery app: `celery -A healthcare worker --beat` from the project root.

Configured from Django's settings (`CELERY_*`); the broker is `CELERY_BROKER_URL` (default
`REDIS_URL`). With no broker at all, notifications are delivered in-process instead
(notifications/queue.py), so `make run` needs nothing installed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthcare.settings")

app = Celery("healthcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
