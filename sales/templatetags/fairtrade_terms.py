"""{% terms_warning %}: on every sales page (and the administrator's home), a warning when nobody has
checked Minka's Fairtrade terms against Fairtrade's published table for six months."""

from django import template

from sales.selectors import terms_check_status

register = template.Library()


@register.inclusion_tag("sales/_terms_warning.html")
def terms_warning():
    return {"status": terms_check_status()}
