"""Uploads: the size limit every upload meets before it is read, and spreadsheet uploads kept between
«check» and «confirm» on the import pages."""

import os
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext

from toolkit.files import files_root, write_whole
from toolkit.spreadsheets import SPREADSHEET_EXTENSIONS, WRONG_FILE_TYPE


def upload_dir() -> Path:
    """Where spreadsheet uploads wait for «confirm»: MINKA_UPLOAD_DIR, or var/uploads."""
    return Path(getattr(settings, "MINKA_UPLOAD_DIR", None) or files_root() / "uploads")


def max_upload_bytes() -> int:
    return getattr(settings, "MINKA_UPLOAD_MAX_MB", 30) * 1024 * 1024


def too_large_message(size: int) -> str:
    return gettext(
        "El archivo pesa %(size)s MB; Minka acepta archivos de hasta %(max)s MB. No se guardó nada."
    ) % {"size": f"{size / (1024 * 1024):,.1f}", "max": getattr(settings, "MINKA_UPLOAD_MAX_MB", 30)}


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops reading an upload as soon as the request says, or the bytes
    received show, that it is larger than MINKA_UPLOAD_MAX_MB, and marks the request so the form says
    why (``upload_refusal``). Nothing past the limit is read or stored."""

    # Headers and boundaries of a multipart body around the file itself.
    ALLOWANCE = 64 * 1024

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        if content_length and content_length > max_upload_bytes() + self.ALLOWANCE:
            self.request.minka_upload_too_large = content_length

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if getattr(self.request, "minka_upload_too_large", None):
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > max_upload_bytes():
            self.request.minka_upload_too_large = self.received
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_refusal(request) -> str | None:
    """The Spanish message for an upload the size limit stopped, or None."""
    size = getattr(request, "minka_upload_too_large", None) if request is not None else None
    return too_large_message(size) if size else None


def check_upload_size(upload) -> None:
    """For a file that reached a form some other way (a test, a command): the same limit."""
    if upload is not None and upload.size > max_upload_bytes():
        raise ValidationError(too_large_message(upload.size), code="too_large")


class SpreadsheetForm(forms.Form):
    """An xlsx or csv upload; subclasses give the field its label with ``file_field``. Pass ``request``
    so an upload stopped at the size limit is named as such, not as a missing file."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = upload_refusal(request)

    def clean(self):
        cleaned = super().clean()
        if self.oversized:
            self.errors.pop("file", None)
            self.add_error("file", self.oversized)
        return cleaned

    @staticmethod
    def file_field(label) -> forms.FileField:
        return forms.FileField(label=label, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        if Path(upload.name).suffix.lower() not in SPREADSHEET_EXTENSIONS:
            raise ValidationError(WRONG_FILE_TYPE)
        return upload


def upload_max_age() -> timedelta:
    """How long a checked upload waits for «confirm» before it is swept: MINKA_UPLOAD_MAX_AGE_HOURS (24)."""
    return timedelta(hours=getattr(settings, "MINKA_UPLOAD_MAX_AGE_HOURS", 24))


# The names stash_upload gives: a random token and the upload's extension (and write_whole's temporary
# name for it). Nothing else in the folder is ever deleted.
STASHED_NAME = re.compile(r"\.?[0-9a-f]{32}(\.[a-z0-9]{1,8})?(\.[0-9a-f]{8}\.part)?")


def purge_uploads(*, older_than: timedelta | None = None, now: float | None = None) -> int:
    """Delete the stashed uploads last written more than ``older_than`` (the upload age limit) ago; the
    number deleted. One directory listing: cheap enough to run at every stash."""
    directory = upload_dir()
    if not directory.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - (older_than or upload_max_age()).total_seconds()
    deleted = 0
    for entry in os.scandir(directory):
        if not entry.is_file(follow_symlinks=False) or not STASHED_NAME.fullmatch(entry.name):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                deleted += 1
        except FileNotFoundError:  # another process swept it first
            continue
    return deleted


def stash_upload(request, name: str, data: bytes) -> str:
    """Keep a checked upload until the administrator confirms the import; the token that names it.

    Only a file that passed its check is kept (a refused one never is), it is deleted when the import is
    confirmed (``take_upload``) and, if never confirmed, by the sweep each stash runs and
    ``manage.py purge_uploads``, after MINKA_UPLOAD_MAX_AGE_HOURS."""
    purge_uploads()
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    path = directory / f"{token}{Path(name).suffix.lower()}"
    write_whole(path, data)
    # Forget the stashes of this session whose files are gone (confirmed elsewhere, or swept).
    pending = {
        key: value
        for key, value in request.session.get("pending_imports", {}).items()
        if Path(value["path"]).exists()
    }
    pending[token] = {"path": str(path), "name": name}
    request.session["pending_imports"] = pending
    return token


def take_upload(request, token: str) -> dict | None:
    """The stashed upload for ``token`` as ``{"name", "data"}``, once: its file is deleted as it is
    read, so the import that follows leaves nothing behind whether it succeeds, is refused or fails,
    and a second confirm finds nothing. None when it is gone (confirmed, or swept after a day)."""
    pending = request.session.get("pending_imports", {})
    stashed = pending.pop(token, None)
    request.session["pending_imports"] = pending
    if stashed is None:
        return None
    path = Path(stashed["path"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    return {"name": stashed["name"], "data": data}
