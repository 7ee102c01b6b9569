import pytest


@pytest.fixture(autouse=True)
def _kept_minutes_in_tmp(settings, tmp_path):
    """The kept minutes' PDFs (assemblies.kept) are written under VAR_DIR: a folder of each test's own."""
    settings.VAR_DIR = tmp_path
