# The Celery app loads with Django, so `shared_task`s bind to it (healthcare/celery.py).
from healthcare.celery import app as celery_app

__all__ = ["celery_app"]
