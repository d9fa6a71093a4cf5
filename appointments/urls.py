from django.urls import path

from appointments import views

urlpatterns = [
    path("appointments/book/", views.AppointmentBookView.as_view(), name="appointment-book"),
    path(
        "appointments/<int:pk>/", views.AppointmentDetailView.as_view(), name="appointment-detail"
    ),
    path(
        "appointments/<int:pk>/cancel/",
        views.AppointmentCancelView.as_view(),
        name="appointment-cancel",
    ),
    *(
        path(f"appointments/<int:pk>/{segment}/", view.as_view(), name=f"appointment-{segment}")
        for segment, view in (
            ("confirm", views.AppointmentConfirmView),
            ("decline", views.AppointmentDeclineView),
            ("check-in", views.AppointmentCheckInView),
            ("complete", views.AppointmentCompleteView),
            ("no-show", views.AppointmentNoShowView),
            ("reschedule", views.AppointmentRescheduleView),
        )
    ),
    path(
        "profile/appointments/",
        views.MyAppointmentListView.as_view(),
        name="my-appointments",
    ),
]
