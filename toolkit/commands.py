"""What the import commands share: print every problem, then fail so manage.py exits with 1."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def fail_on_errors(command: BaseCommand, report, filename: str) -> None:
    """If the import found problems, write each one to stderr and stop with a one-line summary."""
    if report.ok:
        return
    for problem in report.errors:
        command.stderr.write(command.style.ERROR(_("Error: %(problem)s") % {"problem": problem}))
    # One message for any count: tests (and scripts reading the output) expect «N errores» even for one.
    raise CommandError(
        _("%(file)s: %(count)s errores; no se guardó nada.") % {"file": filename, "count": len(report.errors)}
    )
