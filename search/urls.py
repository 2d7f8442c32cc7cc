from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("api/search/", views.api_search, name="api-search"),
    path("api/search/export.csv", views.export_csv, name="export-csv"),
    path("api/search/export.json", views.export_json, name="export-json"),
]
