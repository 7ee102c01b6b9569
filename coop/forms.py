"""Forms of the register's own pages: the member edit page (member and plots)."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from coop.models import Member, Plot
from coop.services import MEMBER_EDIT_FIELDS, PLOT_EDIT_FIELDS
from toolkit.admin import ModelNumberField
from toolkit.dates import TypedDateField


def typed_formfield(db_field: models.Field, **kwargs):
    """A model field's form field, typed numbers through toolkit.numbers and dates as dd/mm/aaaa."""
    if isinstance(db_field, models.DecimalField | models.IntegerField) and not db_field.choices:
        return db_field.formfield(
            form_class=ModelNumberField,
            max_digits=getattr(db_field, "max_digits", None),
            decimal_places=getattr(db_field, "decimal_places", 0),
            allow_negative=False,
            **kwargs,
        )
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return db_field.formfield(form_class=TypedDateField, **kwargs)
    return db_field.formfield(**kwargs)


class DescribedErrorsMixin:
    """Each field with an error is marked invalid and points at its message (id «<field id>_error»)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"


class MemberForm(DescribedErrorsMixin, forms.ModelForm):
    """What the administration may correct about a member. Never the code (it is printed on every
    receipt and statement) and never the status, which changes on the member page with its date."""

    class Meta:
        model = Member
        formfield_callback = typed_formfield
        fields = MEMBER_EDIT_FIELDS
        labels = {
            "name": _("Nombres y apellidos"),
            "sex": _("Sexo"),
            "birth_date": _("Fecha de nacimiento"),
            "join_date": _("Fecha de ingreso"),
            "phone": _("Teléfono"),
            "address": _("Dirección"),
            "community": _("Comunidad / caserío"),
            "district": _("Distrito"),
            "province": _("Provincia"),
            "department": _("Departamento"),
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Escriba los nombres y apellidos."))
        return name


class PlotForm(DescribedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Plot
        formfield_callback = typed_formfield
        fields = PLOT_EDIT_FIELDS
        labels = {
            "name": _("Nombre del predio"),
            "community": _("Comunidad / caserío"),
            "total_area_ha": _("Área del predio (ha)"),
            "cocoa_installed_ha": _("Cacao instalado (ha)"),
            "cocoa_producing_ha": _("Cacao en producción (ha)"),
            "cocoa_grafted_ha": _("Cacao injertado (ha)"),
            "has_title": _("Título de propiedad"),
            "fairtrade_certified": _("Comercio Justo"),
            "organic_stage": _("Estado orgánico"),
        }


PlotFormSet = forms.modelformset_factory(Plot, form=PlotForm, extra=0, can_delete=False)
