"""Spreadsheet uploads kept between «check» and «confirm» on the import pages."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from toolkit.spreadsheets import SPREADSHEET_EXTENSIONS, WRONG_FILE_TYPE

UPLOAD_DIR = Path(settings.VAR_DIR) / "uploads"


class SpreadsheetForm(forms.Form):
    """An xlsx or csv upload; subclasses give the field its label with ``file_field``."""

    @staticmethod
    def file_field(label) -> forms.FileField:
        return forms.FileField(label=label, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SPREADSHEET_EXTENSIONS:
            raise ValidationError(WRONG_FILE_TYPE)
        return upload


def stash_upload(request, upload) -> tuple[str, Path]:
    """Keep the uploaded file until the administrator confirms the import."""
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    path = UPLOAD_DIR / f"{token}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    pending = request.session.get("pending_imports", {})
    pending[token] = {"path": str(path), "name": upload.name}
    request.session["pending_imports"] = pending
    return token, path


def take_upload(request, token: str) -> dict | None:
    """The stashed upload for ``token``, once: a second confirm finds nothing."""
    pending = request.session.get("pending_imports", {})
    stashed = pending.pop(token, None)
    request.session["pending_imports"] = pending
    if stashed is not None and not Path(stashed["path"]).exists():
        return None
    return stashed
