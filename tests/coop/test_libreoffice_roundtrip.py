"""The demo register exported, opened and saved again by LibreOffice in a Spanish and an English locale,
as xlsx and csv, imports back with the dry run saying «nada cambia» every time (issue 22).

LibreOffice is run as a cooperative runs it: a fresh user profile whose locale is set (es-PE or en-US),
the CSV read with the locale's language and «detect special numbers» on (dates and numbers become
cells of the locale, the harshest setting), then saved as xlsx or csv. Debian's
``libreoffice-calc-nogui`` (scripts/install-system-packages.sh) must be installed: without it the test
fails, it is never skipped.
"""

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from coop.demo import generate_demo
from coop.models import Member, Plot
from coop.services import import_register
from coop.traceability import export_register

pytestmark = [pytest.mark.django_db, pytest.mark.libreoffice]

# LibreOffice's language ids (LCID) for the CSV filter, and the locale its profile is given.
LOCALES = {"es_PE": ("es-PE", 10250), "en_US": ("en-US", 1033)}
CSV_OUT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,{lang}"
CSV_IN = "CSV:44,34,76,1,,{lang},false,true"  # comma, ", UTF-8, from line 1, detect special numbers
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">
<value>{locale}</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.fail("LibreOffice is missing: run scripts/install-system-packages.sh (libreoffice-calc-nogui)")
    return found


def save_with_libreoffice(source: Path, target_format: str, locale: str, workdir: Path) -> Path:
    """Open ``source`` in LibreOffice with ``locale`` (es_PE, en_US) and save it as ``target_format``."""
    tag, lang = LOCALES[locale]
    profile = workdir / f"profile-{locale}"
    if not profile.exists():
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(PROFILE.format(locale=tag))
    outdir = workdir / f"{source.suffix[1:]}-{target_format}-{locale}"
    command = [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    if source.suffix == ".csv":
        command.append(f"--infilter={CSV_IN.format(lang=lang)}")
    convert = CSV_OUT.format(lang=lang) if target_format == "csv" else "xlsx"
    command += ["--convert-to", convert, "--outdir", str(outdir), str(source)]
    env = {**os.environ, "LANG": f"{locale}.UTF-8", "LC_ALL": f"{locale}.UTF-8", "HOME": str(workdir)}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    saved = outdir / f"{source.stem}.{target_format}"
    assert saved.is_file(), f"LibreOffice did not write {saved}"
    return saved


@pytest.fixture
def demo_register():
    """The demo register, with one of each thing spreadsheets damage made sure of."""
    generate_demo(members=60, seed=3)
    members = list(Member.objects.order_by("code")[:3])
    zero, phone, old = members
    Member.objects.filter(pk=zero.pk).update(dni="02138201", birth_date=date(1980, 3, 5))
    Member.objects.filter(pk=phone.pk).update(phone="+51 987 654 321")
    Member.objects.filter(pk=old.pk).update(birth_date=date(1947, 11, 4), join_date=date(1998, 2, 10))
    plot = Plot.objects.filter(member=zero).first()
    plot.geometry = '{"type":"Point","coordinates":[-76.500000,-6.430000]}'
    plot.total_area_ha = plot.total_area_ha.min(4)
    plot.cocoa_installed_ha = None
    plot.cocoa_producing_ha = None
    plot.cocoa_grafted_ha = None
    plot.clean()
    plot.save()


def test_the_register_survives_libreoffice_in_spanish_and_english_as_xlsx_and_csv(demo_register, tmp_path):
    exported = {}
    for fmt in ("xlsx", "csv"):
        exported[fmt] = tmp_path / f"padron.{fmt}"
        exported[fmt].write_bytes(export_register(fmt=fmt))

    outcomes, saved_files = {}, {}
    for source_format, source in exported.items():
        for target_format in ("xlsx", "csv"):
            for locale in LOCALES:
                case = f"{source_format} → LibreOffice {locale} → {target_format}"
                saved = save_with_libreoffice(source, target_format, locale, tmp_path)
                saved_files[case] = saved
                report = import_register(
                    source=saved.read_bytes(), filename=saved.name, dry_run=True, user=None
                )
                if report.nothing_changes:
                    outcomes[case] = "nada cambia"
                else:
                    problems = [str(p) for p in report.errors[:3]]
                    outcomes[case] = problems + [str(c) for c in report.changes[:3]]
    assert outcomes == dict.fromkeys(outcomes, "nada cambia")
    assert len(outcomes) == 8

    # LibreOffice did damage the files the way the issue says; the import restored it.
    english_csv = saved_files["csv → LibreOffice en_US → csv"].read_text(encoding="utf-8")
    assert ",2138201," in english_csv and "02138201" not in english_csv
    assert ",-6.43," in english_csv and "-6.430000" not in english_csv
    assert "'+51 987 654 321" in english_csv
    assert "1947-11-04" in english_csv  # ISO 8601 text: kept as written in every locale

    # The command says it too, and nothing was written by any dry run.
    out = io.StringIO()
    call_command("import_members", str(saved_files["csv → LibreOffice es_PE → csv"]), "--dry-run", stdout=out)
    assert "Nada cambia" in out.getvalue()
    assert Member.objects.get(dni="02138201").birth_date == date(1980, 3, 5)
    assert Member.objects.get(phone="+51 987 654 321")
