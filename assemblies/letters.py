"""The voting codes of a virtual or hybrid assembly, on paper and for SMS: made once, handed out once.

Minka keeps only each code's HMAC (assemblies.codes), so the codes exist in clear only in what this
module writes when the board makes them: one ZIP with a letter per member (PDF, one page each: name,
code, DNI to type, address and instructions) and a CSV with one SMS text per member, for the
cooperative to print and send. Making them again gives new codes that replace the earlier ones.
"""

import csv
import io
import zipfile

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assemblies.codes import printed
from assemblies.models import Assembly, RollEntry
from toolkit.pdf import absolute_url, render_pdf
from toolkit.spreadsheets import neutralize_row


def sign_in_url(request=None) -> str:
    return absolute_url(reverse("remote:home"), request)


def letters_pdf(assembly: Assembly, made: list[tuple[RollEntry, str]], *, request=None) -> bytes:
    return render_pdf(
        "assemblies/pdf/remote_letters.html",
        {
            "assembly": assembly,
            "letters": [(entry, printed(code)) for entry, code in made],
            "url": sign_in_url(request),
            "made_at": timezone.localtime(),
        },
    )


def sms_csv(assembly: Assembly, made: list[tuple[RollEntry, str]], *, request=None) -> bytes:
    url = sign_in_url(request)
    ids = [entry.pk for entry, _code in made]
    phones = dict(RollEntry.objects.filter(pk__in=ids).values_list("pk", "member__phone"))
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [_("codigo_socio"), _("nombres"), _("dni"), _("telefono"), _("codigo_voto"), _("mensaje")]
    writer.writerow(columns)
    day = timezone.localtime(assembly.first_call_at).strftime("%d/%m/%Y %H:%M")
    for entry, code in made:
        text = _(
            "Asamblea %(day)s: para participar y votar desde su casa entre a %(url)s con su DNI y el "
            "código %(code)s. Es personal: no lo comparta."
        ) % {"day": day, "url": url, "code": printed(code)}
        writer.writerow(
            neutralize_row(
                [entry.code, entry.name, entry.dni, phones.get(entry.pk) or "", printed(code), text]
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # with a BOM, so Excel reads the accents


def codes_zip(assembly: Assembly, made: list[tuple[RollEntry, str]], *, request=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_("cartas-codigos.pdf"), letters_pdf(assembly, made, request=request))
        archive.writestr(_("sms-codigos.csv"), sms_csv(assembly, made, request=request))
    return buffer.getvalue()
