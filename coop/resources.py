"""django-import-export resources: the admin's «Exportar» button writes the traceability sheet.

The sheet mixes member and plot columns (one row per plot), so the resource
builds its dataset with coop.traceability rather than field by field; the
import, which must be all or nothing across two models, is
coop.services.import_register, reached from the admin through the import page.
"""

from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from coop.models import Member
from coop.traceability import COLUMNS_BY_KEY, EXPORT_KEYS, register_dataset


class _SheetResource(resources.ModelResource):
    class Meta:
        model = Member
        name = _("Hoja de trazabilidad (Alianza Cacao Perú)")
        fields = tuple(EXPORT_KEYS)
        export_order = tuple(EXPORT_KEYS)

    def export(self, queryset=None, **kwargs):
        dataset = register_dataset(members=queryset)
        selected = kwargs.get("export_fields")
        if selected and set(selected) != set(EXPORT_KEYS):
            return dataset.subset(cols=[COLUMNS_BY_KEY[k].header for k in EXPORT_KEYS if k in selected])
        return dataset


# One declared field per sheet column, so the admin's export form lists them by their headers.
TraceabilitySheetResource = type(
    "TraceabilitySheetResource",
    (_SheetResource,),
    {
        "__module__": __name__,
        **{key: Field(attribute=None, column_name=COLUMNS_BY_KEY[key].header) for key in EXPORT_KEYS},
    },
)
