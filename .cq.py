import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.conf import settings; settings.BAYAN_RATE_LIMIT = "0"; settings.DEBUG = True
from django.test import Client
from django.db import connection, reset_queries
from archive.models import Communique
ids = list(Communique.objects.published().values_list("public_id", flat=True)[:99000:797])
c = Client()
c.get(f"/c/{ids[0]}/")
for pk in ids[1:3]:
    reset_queries(); c.get(f"/c/{pk}/")
    for q in connection.queries: print(q["time"], q["sql"][:400].replace('"',''))
    print()
