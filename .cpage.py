import os, sys, time, random
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.conf import settings; settings.BAYAN_RATE_LIMIT = "0"
from django.test import Client
from django.db import connection, reset_queries
from archive.models import Communique
ids = list(Communique.objects.published().values_list("public_id", flat=True)[:50000:997])
c = Client()
r = c.get(f"/c/{ids[0]}/"); print(r.status_code)
settings.DEBUG = True
for pk in ids[:3]:
    reset_queries(); t = time.process_time(); r = c.get(f"/c/{pk}/"); dt = time.process_time() - t
    print(pk, r.status_code, round(dt*1000,1), "ms cpu", len(connection.queries), "queries", round(sum(float(q["time"]) for q in connection.queries)*1000,1), "ms sql")
    for q in sorted(connection.queries, key=lambda q: -float(q["time"]))[:3]: print("   ", q["time"], q["sql"][:150])
