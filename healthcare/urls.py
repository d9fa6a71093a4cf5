from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from healthcare.api import views as api_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("api/", include("users.urls")),
    path("api/", include("doctors.urls")),
    path("api/", include("appointments.urls")),
    path("api/admin-panel/", include("admin_panel.urls")),
    path("api/health/", api_views.HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_views.SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", api_views.RedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/redoc.standalone.js", api_views.redoc_script, name="redoc-script"),
]

# JSON, not HTML, for errors under /api/ (Django's own pages elsewhere).
handler400 = api_views.bad_request
handler403 = api_views.permission_denied
handler404 = api_views.page_not_found
handler500 = api_views.server_error
