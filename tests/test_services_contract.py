"""Every public function in an app's ``services.py`` is a write done the one agreed way.

Per app, writes live in ``services.py`` and reads in ``selectors.py`` (docs/design.md, "Where code
goes"). A service is keyword-only (``def f(*, a, b)``), atomic (decorated with
``@transaction.atomic``, or its whole body inside ``with transaction.atomic(...)``) and, when it
takes the acting ``user``, records it (or hands it on to what does). A read, a pure helper or a
parser does not belong in ``services.py``: it goes to ``selectors.py`` or to a module named for
what it is; a helper only the services use starts with an underscore.

Like tests/test_layering.py, this test is generated from the code: it reads the ``services.py``
(or ``services/`` package) of every installed app of the project with ``ast``, so a new service,
or a new app's services, is checked without being listed here.
"""

import ast
import textwrap
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

KEYWORD_ONLY, ATOMIC, RECORDS_USER = "keyword-only", "atomic", "records the user"

# Public functions allowed to break a rule, with the reason. Keep it tiny: the better fix is
# nearly always to move the function, make it private or make it atomic.
_POSTING = (
    "Atomic, but not by decorator: called alone it opens its own transaction; called inside a "
    "caller's (a delivery, a payment: every caller is an atomic service) it adds no savepoint, "
    "since every refusal is raised before its first write and leaves that transaction usable. "
    "@transaction.atomic would add a SAVEPOINT and a RELEASE to every delivery posted one by one "
    "(10 statements become 12, which the budgets in tests/acopio/test_record_delivery.py and "
    "tests/ledger/test_posting.py refuse); savepoint=False would make a refusal break the caller's "
    "transaction. See ledger.services._post."
)
ALLOWED: dict[tuple[str, str, str], str] = {  # (file, function, rule): why
    ("ledger/services.py", "post_entry", ATOMIC): _POSTING,
    ("ledger/services.py", "reverse_entry", ATOMIC): _POSTING,
}


def services_files() -> list[Path]:
    found = []
    for config in apps.get_app_configs():
        folder = Path(config.path)
        if ROOT not in folder.parents:
            continue  # Django's and third-party apps
        found += [folder / "services.py"] if (folder / "services.py").exists() else []
        found += sorted((folder / "services").glob("*.py")) if (folder / "services").is_dir() else []
    return sorted(found)


def _is_atomic(node: ast.expr) -> bool:
    """``transaction.atomic``, ``atomic``, or either called with arguments."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr == "atomic" and isinstance(node.value, ast.Name) and node.value.id == "transaction"
    return isinstance(node, ast.Name) and node.id == "atomic"


def _body_without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def _runs_in_atomic_block(function: ast.FunctionDef) -> bool:
    body = _body_without_docstring(function)
    return (
        len(body) == 1
        and isinstance(body[0], ast.With)
        and any(_is_atomic(item.context_expr) for item in body[0].items)
    )


def _uses(function: ast.FunctionDef, name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        for statement in function.body
        for node in ast.walk(statement)
    )


MOVE_IT = "(a read belongs in selectors.py, a pure helper in a module named for what it is)"


def problems_in(source: str, label: str) -> list[tuple[str, str, str]]:
    """(function, rule, message naming file, function and rule) per rule a public function breaks."""
    problems = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        where = f"{label}: {node.name}()"
        arguments = node.args
        positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
        if arguments.vararg:
            positional.append("*" + arguments.vararg.arg)
        if positional:
            rule = (
                f"is not keyword-only: positional parameter(s) {', '.join(positional)}; write def f(*, ...)"
            )
            problems.append((node.name, KEYWORD_ONLY, f"{where} {rule} {MOVE_IT}"))
        if not any(_is_atomic(d) for d in node.decorator_list) and not _runs_in_atomic_block(node):
            rule = "is not atomic: use @transaction.atomic, or run its whole body in one atomic block"
            problems.append((node.name, ATOMIC, f"{where} {rule} {MOVE_IT}"))
        every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        if any(a.arg == "user" for a in every) and not _uses(node, "user"):
            rule = "takes user but never uses it: record who did it, or do not take it"
            problems.append((node.name, RECORDS_USER, f"{where} {rule}"))
    return problems


@pytest.mark.parametrize("path", services_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_public_service_is_keyword_only_atomic_and_records_the_user(path):
    label = str(path.relative_to(ROOT))
    problems = [
        problem
        for function, rule, problem in problems_in(path.read_text(encoding="utf-8"), label)
        if (label, function, rule) not in ALLOWED
    ]
    assert not problems, "\n".join(problems)


def test_the_services_of_every_app_are_read():
    """The test above reads real files: each app that writes has its services module, with services."""
    labels = {str(path.relative_to(ROOT)) for path in services_files()}
    assert {
        f"{app}/services.py" for app in ("coop", "ledger", "acopio", "sales", "fund", "assemblies")
    } <= labels
    for path in services_files():
        functions = [
            node
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
        ]
        assert functions, f"{path.relative_to(ROOT)} has no public service"


def test_allowed_exceptions_still_exist():
    """An entry of ALLOWED that no longer excuses a broken rule is stale: remove it."""
    for label, name, rule in ALLOWED:
        broken = problems_in((ROOT / label).read_text(encoding="utf-8"), label)
        assert (name, rule) in {(function, r) for function, r, _ in broken}, f"stale: {label} {name}() {rule}"


# --- The checker itself ----------------------------------------------------------------


def check(code: str) -> list[str]:
    return [problem for _function, _rule, problem in problems_in(textwrap.dedent(code), "app/services.py")]


def test_a_keyword_only_atomic_service_that_records_the_user_passes():
    assert (
        check(
            """
        from django.db import transaction

        @transaction.atomic
        def approve(*, thing, user):
            thing.approved_by = user

        @transaction.atomic(savepoint=False)
        def touch(*, thing):
            thing.save()

        def import_file(*, source, user):
            '''Docstring first, then the whole body in one transaction.'''
            with transaction.atomic():
                return write(source, user)

        def _helper(a, b):
            return a + b
        """
        )
        == []
    )


def test_positional_parameters_are_named():
    (problem,) = check(
        """
        @transaction.atomic
        def record(thing, *, user):
            thing.by = user
        """
    )
    assert problem.startswith("app/services.py: record() is not keyword-only: positional parameter(s) thing")


def test_a_function_not_wholly_in_a_transaction_is_named():
    problems = check(
        """
        def read(*, season):
            return season.total

        def half(*, thing, user):
            thing.check()
            with transaction.atomic():
                thing.save(user)
        """
    )
    assert [p.split(" is ")[0] for p in problems] == ["app/services.py: read()", "app/services.py: half()"]
    assert all("is not atomic" in p for p in problems)


def test_a_user_taken_and_dropped_is_named():
    (problem,) = check(
        """
        @transaction.atomic
        def open_motion(*, motion, user):
            motion.status = "open"
            motion.save()
        """
    )
    assert problem == (
        "app/services.py: open_motion() takes user but never uses it: record who did it, or do not take it"
    )
