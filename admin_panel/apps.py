from django.apps import AppConfig


class AdminPanelConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "admin_panel"
    verbose_name = "Admin panel and audit trail"

    def ready(self):
        # Connects the audit trail to `healthcare.events.domain_event`.
        from admin_panel import receivers  # noqa: F401
