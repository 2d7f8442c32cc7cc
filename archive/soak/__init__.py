"""The soak test's own modules: gunicorn hooks, an in-worker memory probe and the memory
analysis of the report (`manage.py soak`)."""
