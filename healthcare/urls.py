from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from healthcare.api import views as api_views
from users.forms import browsable_api_login, sign_in_page

# DRF's `rest_framework.urls`, with the login page behind the shared sign-in guards and audit.
browsable_api_auth = (
    [
        path("login/", browsable_api_login, name="login"),
        path("logout/", LogoutView.as_view(), name="logout"),
    ],
    "rest_framework",
)

urlpatterns = [
    # Before the admin's own URLs: its login page with the guards' 429/503 (users/forms.py).
    path("admin/login/", sign_in_page(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api-auth/", include(browsable_api_auth)),
    path("api/", include("users.urls")),
    path("api/", include("doctors.urls")),
    path("api/", include("appointments.urls")),
    path("api/", include("notifications.urls")),
    path("api/admin-panel/", include("admin_panel.urls")),
    path("api/admin-panel/", include("notifications.admin_urls")),
    path("api/health/", api_views.HealthView.as_view(), name="health"),
    path("api/clinic/", api_views.ClinicView.as_view(), name="clinic"),
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
