"""Every test under tests/browser/ carries the ``browser`` marker, so ``-m "not browser"`` runs none of
them (a run without Chromium, or the quick run before a commit, would otherwise start one)."""

import importlib
from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def marker_names(module) -> set[str]:
    marks = getattr(module, "pytestmark", [])
    if not isinstance(marks, list):
        marks = [marks]
    return {mark.name for mark in marks}


def browser_test_modules():
    return sorted(path.stem for path in BROWSER_TESTS.glob("test_*.py"))


def test_there_are_browser_tests_to_check():
    assert len(browser_test_modules()) >= 9


@pytest.mark.parametrize("name", browser_test_modules())
def test_each_browser_test_file_is_marked_browser(name):
    module = importlib.import_module(f"tests.browser.{name}")
    assert "browser" in marker_names(module), (
        f"tests/browser/{name}.py: add pytest.mark.browser to its pytestmark"
    )
