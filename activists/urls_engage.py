"""The guided "engage locally" flow: public steps and results, and the actions on the results."""

from django.urls import path

from activists.views import engage

app_name = "engage"
urlpatterns = [
    path("", engage.step, {"number": 1}, name="start"),
    path("delta/", engage.step, {"number": 2}, name="modes"),
    path("tid/", engage.step, {"number": 3}, name="time"),
    path("tema/", engage.step, {"number": 4}, name="themes"),
    path("familie/", engage.step, {"number": 5}, name="family"),
    path("forslag/", engage.results, name="results"),
    path("forslag/bli-med/<int:pk>/", engage.join_group, name="join_group"),
    path("forslag/meld-pa/", engage.sign_up, name="sign_up"),
    path("forslag/moteplass/", engage.meeting_place, name="meeting_place"),
]
