"""The apps depend one way: coop ← ledger ← acopio ← sales ← fund ← assemblies ← certification ← api.

Below them all is the toolkit (``toolkit/``: roles, spreadsheets, uploads, money and numbers, the
append-only base, view helpers, the PDF frame); above them all ``config/``, the settings and the
composition root (URLs, pages that show several apps, the menu, the demo, quickstart). A lower layer
never reaches a higher one: not by a Python import, not in a template (``{% load %}``,
``{% include %}``, ``{% extends %}``, ``{% url %}``) and not by a URL name or a template name written
in Python. A page that shows several apps is composed a
layer up. Like tests/test_access.py, this test is generated from the code: a new module, template or
URL is checked without being listed here.
"""

import ast
import re
from pathlib import Path

from django.template import engines
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
APPS = ("coop", "ledger", "acopio", "sales", "fund", "assemblies", "certification", "api")
TOOLKIT, COMPOSITION = 0, len(APPS) + 1
LAYER = {"toolkit": TOOLKIT, **{app: i + 1 for i, app in enumerate(APPS)}, "config": COMPOSITION}
COMPOSITION_TEMPLATES = {"home.html"}

LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
INCLUDE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
URL_TAG = re.compile(r"{%\s*url\s+[\"']([\w:]+)[\"']")
URL_IN_PYTHON = re.compile(r"\b(?:reverse|redirect|reverse_lazy)\(\s*[\"']([\w]+:[\w]+|[\w]+)[\"']")
TEMPLATE_IN_PYTHON = re.compile(r"[\"']((?:[\w-]+/)*[\w-]+\.(?:html|svg))[\"']")


def layer_name(layer: int) -> str:
    return {TOOLKIT: "toolkit", COMPOSITION: "config (composition root)"}.get(layer) or APPS[layer - 1]


def module_layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYER.get(top)


def template_layer(name: str) -> int:
    if name in COMPOSITION_TEMPLATES:
        return COMPOSITION
    parts = name.split("/")
    if parts[0] == "admin" and len(parts) > 2 and parts[1] in LAYER:
        return LAYER[parts[1]]
    return LAYER.get(parts[0], TOOLKIT) if len(parts) > 1 else TOOLKIT


def python_files():
    for folder in ("toolkit", *APPS, "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # "from config import pages" imports the module config.pages
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def url_layers() -> dict[str, int]:
    """Every URL name (with its namespace) and the layer of the view it reaches."""
    layers = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "") or ""
                layer = module_layer(module)
                layers[f"{namespace}{pattern.name}"] = TOOLKIT if layer is None else layer

    walk(get_resolver().url_patterns, "")
    return layers


def tag_library_layers() -> dict[str, int]:
    libraries = engines["django"].engine.template_libraries
    return {name: module_layer(library.__module__) or TOOLKIT for name, library in libraries.items()}


def test_python_imports_point_down():
    upward = []
    for path, module in python_files():
        own = module_layer(module)
        for line, imported in imported_modules(path):
            target = module_layer(imported)
            if target is not None and target > own:
                upward.append(f"{path.relative_to(ROOT)}:{line} ({layer_name(own)}) imports {imported}")
    assert not upward, "Upward imports:\n" + "\n".join(sorted(set(upward)))


def test_url_names_and_template_names_in_python_point_down():
    urls = url_layers()
    upward = []
    for path, module in python_files():
        own = module_layer(module)
        text = path.read_text(encoding="utf-8")
        for name in URL_IN_PYTHON.findall(text):
            if name in urls and urls[name] > own:
                upward.append(f"{path.relative_to(ROOT)} ({layer_name(own)}) reverses {name}")
        for name in TEMPLATE_IN_PYTHON.findall(text):
            if (ROOT / "templates" / name).exists() and template_layer(name) > own:
                upward.append(f"{path.relative_to(ROOT)} ({layer_name(own)}) renders {name}")
    assert not upward, "Upward ties from Python:\n" + "\n".join(sorted(set(upward)))


def test_templates_point_down():
    urls, libraries = url_layers(), tag_library_layers()
    upward = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".svg", ".txt"):
            continue
        name = path.relative_to(ROOT / "templates").as_posix()
        own, text = template_layer(name), path.read_text(encoding="utf-8")
        ties = [
            ("loads", lib, libraries.get(lib, TOOLKIT)) for tags in LOAD.findall(text) for lib in tags.split()
        ]
        ties += [("includes", other, template_layer(other)) for other in INCLUDE.findall(text)]
        ties += [("links to", url, urls.get(url, TOOLKIT)) for url in URL_TAG.findall(text)]
        upward += [
            f"templates/{name} ({layer_name(own)}) {verb} {what} ({layer_name(layer)})"
            for verb, what, layer in ties
            if layer > own
        ]
    assert not upward, "Upward ties from templates:\n" + "\n".join(upward)


def test_every_url_name_in_templates_exists():
    """A {% url %} the check above cannot place would pass unseen: every name must resolve."""
    urls = url_layers()
    unknown = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        unknown += [
            f"{path.relative_to(ROOT)}: {url}" for url in URL_TAG.findall(path.read_text()) if url not in urls
        ]
    assert not unknown, "Unknown URL names:\n" + "\n".join(unknown)


def test_the_layers_are_the_apps_installed():
    from django.apps import apps

    minka = [config.label for config in apps.get_app_configs() if (ROOT / config.label).is_dir()]
    assert minka == ["toolkit", *APPS, "config"], "INSTALLED_APPS must list Minka's apps bottom to top"
