from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Connects the outbox to `healthcare.events.domain_event`.
        from notifications import receivers, scheduler  # noqa: F401

        scheduler.start_if_wanted()
