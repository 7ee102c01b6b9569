"""What the import commands share: print every problem, then fail so manage.py exits with 1."""

from django.core.management.base import BaseCommand, CommandError


def fail_on_errors(command: BaseCommand, report, filename: str) -> None:
    """If the import found problems, write each one to stderr and stop with a one-line summary."""
    if report.ok:
        return
    for problem in report.errors:
        command.stderr.write(command.style.ERROR(f"Error: {problem}"))
    raise CommandError(f"{filename}: {len(report.errors)} errores; no se guardó nada.")
