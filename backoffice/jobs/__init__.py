"""Background jobs: imports and big exports on a task worker, with progress staff can watch.

- ``tasks_api``: Django's Tasks framework names, from ``django.tasks`` (Django 6.0) or the
  ``django-tasks`` backport (5.2), so no other module names either;
- ``progress``: a running job's live state (rows done, heartbeat, cancel request);
- ``imports``: the import job's steps (preview, apply) as tasks, and the services that start,
  confirm, cancel and re-run them; ``exports``: the export job.
The job's durable record is ``backoffice.models.DataJob``; its pages are in
``backoffice.admin.jobs``.
"""
