from django.urls import path, re_path

from notifications import views

urlpatterns = [
    path(
        "profile/notifications/",
        views.NotificationPreferencesView.as_view(),
        name="profile-notifications",
    ),
    path("profile/calendar/", views.CalendarUrlView.as_view(), name="profile-calendar"),
    path(
        "profile/calendar/rotate/",
        views.CalendarRotateView.as_view(),
        name="profile-calendar-rotate",
    ),
    # `<user id>.<secret>`: ASCII digits, then the URL-safe base64 of 32 random bytes.
    re_path(
        r"^calendar/(?P<token>[0-9]+\.[A-Za-z0-9_-]{1,64})\.ics$",
        views.CalendarFeedView.as_view(),
        name="calendar-feed",
    ),
]
