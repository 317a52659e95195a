from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    # --- Urgent actions (the secretariat) ---
    path("hasteaksjoner/", views.alert_list, name="alert_list"),
    path("hasteaksjoner/ny/", views.alert_new, name="alert_new"),
    path("hasteaksjoner/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("hasteaksjoner/<int:pk>/rediger/", views.alert_edit, name="alert_edit"),
    path("hasteaksjoner/<int:pk>/forhandsvisning/", views.alert_preview, name="alert_preview"),
    path("hasteaksjoner/<int:pk>/send/", views.alert_send, name="alert_send"),
]
