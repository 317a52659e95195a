from django.urls import path

from activists.views import individual, own_data, people

app_name = "activists"
urlpatterns = [
    path("", people.person_list, name="person_list"),
    path("<int:pk>/", people.person_detail, name="person_detail"),
    path("meg/", people.profile, name="profile"),
    # --- Each person's own data: seeing it, downloading it, asking to be erased; the secretariat's answer ---
    path("meg/data/", own_data.my_data, name="my_data"),
    path("meg/data.json", own_data.my_data_json, name="my_data_json"),
    path("meg/sletting/", own_data.erasure, name="erasure"),
    path("meg/sletting/trekk-tilbake/", own_data.erasure_withdraw, name="erasure_withdraw"),
    path("sletting/", own_data.erasure_requests, name="erasure_requests"),
    path("sletting/<int:pk>/", own_data.erasure_decide, name="erasure_decide"),
    path("medlemsregister/", people.import_members, name="import_members"),
    path("medlemsregister/bekreft/", people.import_members_confirm, name="import_members_confirm"),
    # --- Individual activists: their own pages, and the regional staff's lists and gatherings ---
    path("meg/aktivist/", individual.my_activism, name="my_activism"),
    path("meg/aktivist/rediger/", individual.edit_profile, name="activist_edit"),
    path("meg/aktivist/stopp/", individual.stop, name="activist_stop"),
    path("meg/aktivist/logg/ny/", individual.add_activity, name="activity_add"),
    path("meg/aktivist/logg/<int:pk>/", individual.edit_activity, name="activity_edit"),
    path("meg/aktivist/logg/<int:pk>/slett/", individual.delete_activity, name="activity_delete"),
    path("enkeltaktivister/", individual.activist_list, name="activist_list"),
    path("enkeltaktivister/<int:pk>/", individual.activist_detail, name="activist_detail"),
    path("tidligere-tillitsvalgte/", individual.alumni, name="alumni"),
    path("samlinger/", individual.gathering_list, name="gathering_list"),
    path("samlinger/ny/", individual.gathering_new, name="gathering_new"),
    path("samlinger/<int:pk>/", individual.gathering_detail, name="gathering_detail"),
    path("samlinger/<int:pk>/inviter/", individual.gathering_invite, name="gathering_invite"),
]
