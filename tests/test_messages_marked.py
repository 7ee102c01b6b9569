"""Every message a person can read goes through gettext, and the English catalogue holds it.

Two checks, generated from the code: no user-facing call in an app (a ValidationError, a page
message, a command's error, an import problem) is given bare Spanish text; and running
makemessages on today's code adds no message the English catalogue does not already translate.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_i18n import parse_po

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "toolkit",
    "coop",
    "ledger",
    "acopio",
    "sales",
    "fund",
    "assemblies",
    "certification",
    "api",
    "config",
)
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "format_lazy",
}
# Calls whose text a person reads: exceptions shown on pages and by commands, page messages,
# problems of an import, refusals a view shows.
MESSAGE_CALLS = {
    "ValidationError",
    "CellError",
    "CommandError",
    "GeometryError",
    "AppendOnlyError",
    "PermissionDenied",
    "Http404",
}
MESSAGE_METHODS = {"error", "success", "warning", "info", "warn"}


def _is_text(node) -> bool:
    """A literal or an f-string or a %-format / .format of one, i.e. text not passed through gettext."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_text(node.func.value)
    if isinstance(node, ast.Dict):
        return any(_is_text(v) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_text(e) for e in node.elts)
    return False


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _message_arguments(call: ast.Call):
    name = _name(call.func)
    if name in MESSAGE_CALLS:
        return call.args[:1]
    if isinstance(call.func, ast.Attribute) and name in MESSAGE_METHODS:
        owner = ast.unparse(call.func.value)
        if owner == "messages":  # messages.error(request, text)
            return call.args[1:2]
        if owner.endswith("report") or owner.endswith("errors"):  # report.error(row, column, text)
            return call.args[2:3] or call.args[-1:]
    return []


def test_no_user_facing_message_is_bare_text():
    bare = []
    for folder in APPS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    for argument in _message_arguments(node):
                        if _is_text(argument):
                            line = ast.unparse(node)[:100]
                            bare.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line}")
    assert not bare, f"{len(bare)} messages skip gettext:\n" + "\n".join(bare)


def test_makemessages_finds_nothing_the_english_catalogue_lacks(tmp_path):
    copy = tmp_path / "minka"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in (*APPS, "templates", "locale"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    regenerated = parse_po((copy / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    untranslated = [
        entry.label
        for entry in regenerated
        if entry.msgid and (not entry.msgstr or not all(text.strip() for text in entry.msgstr.values()))
    ]
    assert not untranslated, (
        f"{len(untranslated)} messages marked in the code have no English translation "
        "(run makemessages -l en, translate, compilemessages):\n" + "\n".join(untranslated[:40])
    )
