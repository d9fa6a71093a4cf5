from django.urls import path

from notifications import views

urlpatterns = [
    path(
        "profile/notifications/",
        views.NotificationPreferencesView.as_view(),
        name="profile-notifications",
    ),
]
