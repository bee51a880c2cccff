"""Django's Tasks framework (DEP 14), from wherever this Django has it.

Django 6.0 ships it as ``django.tasks``; on 5.2 the ``django-tasks`` backport has the same API
under ``django_tasks``. Everything else imports these names from here, so moving to the next
LTS changes this file only.
"""

try:
    from django.tasks import TaskResultStatus, default_task_backend, task, task_backends
except ImportError:  # Django 5.2: the backport
    from django_tasks import TaskResultStatus, default_task_backend, task, task_backends

__all__ = ["TaskResultStatus", "default_task_backend", "task", "task_backends"]
