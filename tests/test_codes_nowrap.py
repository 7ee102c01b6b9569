"""Codes and amounts never break across lines: on the pages people read, every member code, receipt code,
lot or contract number and amount sits inside an element the style sheet keeps on one line."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from assemblies import services as assembly_services
from tests.assemblies.factories import convene, entry, make_rules
from toolkit.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db

# What must not break: «S-00001», «C01-000001», «S/ 1,126.49», «US$ 1,734.50», «99.25 kg».
UNBREAKABLE = re.compile(r"\b[A-Z]{1,4}\d{0,2}-\d{3,}\b|(?:S/|US\$)\s[\d,]+\.\d{2}|\d[\d,]*(?:\.\d+)? kg\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def nowrap_selectors() -> tuple[set[str], set[tuple[str, str]]]:
    """The classes (and tag.class pairs) that minka.css keeps on one line, read from the style sheet."""
    css = re.sub(r"/\*.*?\*/", "", (Path(settings.BASE_DIR) / "static/css/minka.css").read_text(), flags=re.S)
    classes, tagged = set(), set()
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if "white-space: nowrap" not in body:
            continue
        for selector in selectors.split(","):
            selector = selector.strip()
            if m := re.fullmatch(r"\.([\w-]+)", selector):
                classes.add(m.group(1))
            elif m := re.fullmatch(r"(\w+)\.([\w-]+)", selector):
                tagged.add((m.group(1), m.group(2)))
    return classes, tagged


class Breakables(HTMLParser):
    """Collects each code or amount found in text not inside a nowrap element."""

    def __init__(self):
        super().__init__()
        self.classes, self.tagged = nowrap_selectors()
        self.stack: list[tuple[str, bool]] = []
        self.loose: list[str] = []
        self.kept: list[str] = []
        self.where: list[str] = []  # the text around each loose one, to say where it is

    def _nowrap(self, tag, attrs) -> bool:
        attrs = dict(attrs)
        names = (attrs.get("class") or "").split()
        style = (attrs.get("style") or "").replace(" ", "")
        return (
            any(n in self.classes or (tag, n) in self.tagged for n in names) or "white-space:nowrap" in style
        )

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, self._nowrap(tag, attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if any(t in ("script", "style", "option", "title", "textarea", "svg") for t, _ in self.stack):
            return
        inside = any(flag for _, flag in self.stack)
        for found in UNBREAKABLE.findall(data):
            (self.kept if inside else self.loose).append(found)
            if not inside:
                self.where.append(f"{'>'.join(t for t, _ in self.stack[-3:])}: {' '.join(data.split())[:80]}")


def check(html: str) -> list[str]:
    parser = Breakables()
    parser.feed(html)
    assert parser.kept, "the page shows no code or amount to check"
    assert len(parser.loose) == len(parser.where)
    print("\n".join(parser.where))
    return parser.loose


def test_the_checker_finds_a_code_left_loose():
    assert check('<td class="code">C01-000001</td><td>S/ 1,126.49</td>') == ["S/ 1,126.49"]
    assert check('<p><span class="num">S/ 2,500.00</span> · S-00001</p>') == ["S-00001"]


@pytest.fixture
def pages(coop, deliver, role_users):
    first = deliver(gross_kg="100,5", tare_kg="1.25")
    deliver(gross_kg="3000", tare_kg="2")  # over the yield of her plots: the control lists it
    return first


@pytest.mark.parametrize(
    "url",
    [
        lambda d: reverse("coop:member_list"),
        lambda d: d.member.get_absolute_url(),
        lambda d: reverse("acopio:delivery_list"),
        lambda d: d.get_absolute_url(),
        lambda d: reverse("receipt_verify", args=[d.verification_key]),
        lambda d: reverse("acopio:yield_control"),
        lambda d: reverse("fund:fund_overview"),
    ],
    ids=[
        "member_list",
        "member_detail",
        "delivery_list",
        "delivery_detail",
        "receipt_verify",
        "yield",
        "fund",
    ],
)
def test_codes_and_amounts_are_kept_on_one_line(pages, role_clients, url):
    response = role_clients[ADMINISTRATOR].get(url(pages))
    assert response.status_code == 200
    assert check(response.content.decode()) == []


def test_the_void_confirmation_keeps_them_on_one_line(pages, role_clients):
    response = role_clients[ADMINISTRATOR].post(
        reverse("acopio:delivery_void", args=[pages.receipt_code]), {"reason": "Peso mal digitado"}
    )
    assert check(response.content.decode()) == []


def test_the_attendance_list_keeps_member_codes_on_one_line(db, make_user, client):
    board = make_user("consejo_administracion", username="presidenta")
    make_rules()
    from tests.assemblies.factories import make_members

    make_members(3)
    assembly = convene(board)
    assembly_services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    client.force_login(board)
    html = client.get(reverse("assemblies:attendance_list", args=[assembly.pk])).content.decode()
    assert check(html) == []
