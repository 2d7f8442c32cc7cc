from django.urls import path

app_name = "archive"
urlpatterns: list = []
