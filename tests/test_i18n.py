"""Spanish by default, English on request, and an English catalogue that is complete and compiled.

The .po file is read with the small parser below (polib is not a dependency);
the .mo file is read with the standard library's gettext, the same format
Django loads, so a forgotten ``compilemessages`` fails here.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from coop.models import Member, Plot

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Strings that templates/coop/member_list.html and templates/base.html wrap in
# {% translate %} / {% blocktranslate %}, with their English catalogue entries.
SPANISH_TO_ENGLISH = {
    "Padrón de socios": "Member register",
    "Buscar por nombre, DNI o código": "Search by name, DNI or code",
    "Nombres y apellidos": "Full name",
    "Comercio Justo": "Fairtrade",
    "1 socio encontrado": "1 member found",
    "Salir": "Sign out",
}


@pytest.fixture(autouse=True)
def _restore_active_language():
    """A request in English leaves English active in this thread; later tests expect Spanish."""
    previous = translation.get_language()
    yield
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate()


@pytest.fixture
def one_fairtrade_member(db):
    member = Member.objects.create(
        code="S-00001",
        dni="41234567",
        name="María Luz Tuanama Sangama",
        sex="F",
        community="Tununtunumba",
        district="Chazuta",
    )
    Plot.objects.create(
        member=member, code="S-00001-P1", total_area_ha=Decimal("2.5"), fairtrade_certified=True
    )
    return member


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]*)"', response.content.decode())
    assert match, "the page has no <html lang> attribute"
    return match.group(1)


# --- the site in Spanish and in English --------------------------------------------------------


def test_site_is_spanish_by_default(role_clients, one_fairtrade_member):
    response = role_clients["administrador"].get(reverse("coop:member_list"))

    assert response.status_code == 200
    assert html_lang(response) == "es"
    page = response.content.decode()
    for spanish, english in SPANISH_TO_ENGLISH.items():
        assert spanish in page
        assert english not in page


def test_set_language_switches_the_member_list_to_english_and_back(role_clients, one_fairtrade_member):
    client = role_clients["administrador"]
    url = reverse("coop:member_list")

    switched = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert switched.status_code == 302
    assert switched.url == url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = client.get(url)
    assert response.status_code == 200
    assert html_lang(response) == "en"
    page = response.content.decode()
    for spanish, english in SPANISH_TO_ENGLISH.items():
        assert english in page
        assert spanish not in page
    # The header offers the way back to Spanish.
    assert 'name="language" value="es"' in page

    client.post(reverse("set_language"), {"language": "es", "next": url})
    response = client.get(url)
    assert html_lang(response) == "es"
    assert "Buscar por nombre, DNI o código" in response.content.decode()


def test_plural_forms_in_english(role_clients, db):
    client = role_clients["administrador"]
    client.post(reverse("set_language"), {"language": "en"})

    page = client.get(reverse("coop:member_list")).content.decode()

    assert "0 members found" in page


# --- the catalogue -----------------------------------------------------------------------------


@dataclass
class PoEntry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def parse_po(text: str) -> list[PoEntry]:
    """The entries of a .po file, header included, obsolete (#~) entries left out."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')

    def unquote(token: str) -> str:
        return ast.literal_eval(token)  # a C-style quoted string is a valid Python literal here

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = keyword.match(line)
        if match:
            name, index, token = match.groups()
            if name in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
                entry = PoEntry(line=number, flags=flags)
                entries.append(entry)
                flags = set()
            assert entry is not None, f"django.po:{number}: {name} before msgid"
            if name.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = unquote(token)
            else:
                target = (name, 0)
                setattr(entry, name, unquote(token))
            continue
        assert line.startswith('"') and entry is not None and target, f"django.po:{number}: {raw!r}"
        if target[0] == "msgstr":
            entry.msgstr[target[1]] += unquote(line)
        else:
            setattr(entry, target[0], getattr(entry, target[0]) + unquote(line))
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(po_entries) -> list[PoEntry]:
    return [e for e in po_entries if e.msgid or e.msgctxt]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([^)]+\)[sd]|%[sd]|\{\{.*?\}\}|\{[^{}]*\}", text))


def test_po_header_is_english_with_two_plural_forms(po_entries):
    header = po_entries[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_po_entry_is_translated_and_not_fuzzy(messages):
    assert len(messages) > 100  # the parser found the catalogue, not an empty file
    problems = []
    for entry in messages:
        if "fuzzy" in entry.flags:
            problems.append(f"{entry.label}: fuzzy")
        expected_forms = [0, 1] if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected_forms:
            problems.append(f"{entry.label}: msgstr forms {sorted(entry.msgstr)}, expected {expected_forms}")
        for form, text in entry.msgstr.items():
            if not text.strip():
                problems.append(f"{entry.label}: msgstr[{form}] is empty")
    assert not problems, "\n".join(problems)


def test_translations_keep_every_placeholder(messages):
    problems = []
    for entry in messages:
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for form, text in entry.msgstr.items():
            source = sources[min(form, len(sources) - 1)]
            if placeholders(text) != placeholders(source):
                problems.append(f"{entry.label}: {placeholders(source)} became {placeholders(text)}")
    assert not problems, "\n".join(problems)


def test_compiled_mo_matches_the_po(messages):
    """The .mo Django loads gives the .po's translation for every msgid (compilemessages was run)."""
    assert MO_PATH.exists(), "run: python manage.py compilemessages -l en"
    with MO_PATH.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)

    stale = []
    for entry in messages:
        if entry.msgid_plural is None:
            got = {
                0: catalogue.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else catalogue.gettext(entry.msgid)
            }
        elif entry.msgctxt:
            got = {
                0: catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1),
                1: catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2),
            }
        else:
            got = {
                0: catalogue.ngettext(entry.msgid, entry.msgid_plural, 1),
                1: catalogue.ngettext(entry.msgid, entry.msgid_plural, 2),
            }
        if got != entry.msgstr:
            stale.append(f"{entry.label}: .mo has {got}, .po has {entry.msgstr}")
    assert not stale, "the .mo is out of date; run: python manage.py compilemessages -l en\n" + "\n".join(
        stale
    )
