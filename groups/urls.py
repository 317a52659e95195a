from django.urls import path

from groups.views import follow_up, membership, pages, registration, reports, review

app_name = "groups"
urlpatterns = [
    path("", pages.group_list, name="list"),
    path("finn/", pages.group_directory, name="directory"),
    path("ny/", registration.register, name="register"),
    path("til-godkjenning/", registration.registrations, name="registrations"),
    path("oppfolging/", review.review, name="review"),
    path("invitasjon/<str:token>/", registration.invitation, name="invitation"),
    path("<int:pk>/", pages.group_detail, name="detail"),
    path("<int:pk>/godkjenn/", registration.approve, name="approve"),
    path("<int:pk>/avvis/", registration.reject, name="reject"),
    path("<int:pk>/rediger/", membership.edit, name="edit"),
    path("<int:pk>/vedtekter/", membership.accept_statutes, name="accept_statutes"),
    path("<int:pk>/verv/", membership.offices, name="offices"),
    path("<int:pk>/bli-med/", membership.join, name="join"),
    path("<int:pk>/forlat/", membership.leave, name="leave"),
    path("<int:pk>/legger-ned/", membership.report_stopping, name="report_stopping"),
    path("<int:pk>/advarsel/", review.warn, name="warn"),
    path("<int:pk>/legg-ned/", review.close, name="close"),
    path("<int:pk>/gjenapne/", review.reopen, name="reopen"),
    path("verv/<int:pk>/avslutt/", membership.end_office, name="end_office"),
    path("foresporsler/<int:pk>/svar/", membership.answer_join_request, name="answer_join_request"),
    path("foresporsler/<int:pk>/trekk/", membership.withdraw_join_request, name="withdraw_join_request"),
    path("oppfolgingspunkt/<int:pk>/utfort/", review.complete_follow_up, name="complete_follow_up"),
    # --- Quarterly reports (the group's contact and officers) ---
    path("<int:pk>/rapporter/", reports.report_list, name="reports"),
    path("<int:pk>/rapporter/<str:quarter>/", reports.report, name="report"),
    path("<int:pk>/rapporter/<str:quarter>/versjon/<int:number>/", reports.report_version, name="report_version"),
    # --- Review, contact log and exports (regional staff and the secretariat) ---
    path("rapporter/<int:pk>/gjennomgang/", follow_up.review_report, name="review_report"),
    path("<int:pk>/kontaktlogg/", follow_up.group_contacts, name="contacts"),
    path("region/<slug:slug>/oppfolging/", follow_up.region_follow_up, name="region_follow_up"),
    path("region/<slug:slug>/kontaktlogg/", follow_up.region_contacts, name="region_contacts"),
    path("region/<slug:slug>/eksport/", follow_up.export, name="export"),
]
