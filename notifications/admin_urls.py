"""The notification paths under /api/admin-panel/ (included by the root URLconf)."""

from healthcare.api.routers import IdRouter
from notifications import views

router = IdRouter()
router.register(
    "notifications", views.NotificationAdminViewSet, basename="admin-panel-notification"
)
router.register("webhooks", views.WebhookAdminViewSet, basename="admin-panel-webhook")

urlpatterns = router.urls
