"""What the import commands share: print every problem, then fail so manage.py exits with 1."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def fail_on_errors(command: BaseCommand, report, filename: str) -> None:
    """If the import found problems, write each one to stderr and stop with a one-line summary."""
    if report.ok:
        return
    for problem in report.errors:
        command.stderr.write(command.style.ERROR(_("Error: %(problem)s") % {"problem": problem}))
    count = len(report.errors)
    raise CommandError(
        ngettext(
            "%(file)s: %(count)s error; no se guardó nada.",
            "%(file)s: %(count)s errores; no se guardó nada.",
            count,
        )
        % {"file": filename, "count": count}
    )
