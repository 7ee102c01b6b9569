"""Charts drawn as inline SVG: no scripts, no network, the same markup on the page and in a PDF."""

from django import template

register = template.Library()

ROW_HEIGHT = 64


@register.inclusion_tag("fund/_category_chart.svg")
def premium_category_chart(categories, width: int = 640):
    """Per category, a bar for what the assembly authorized with what was paid and what awaits approval."""
    top = max((c.authorized_minor for c in categories), default=0) or 1
    usable = width - 12

    def scaled(minor: int) -> int:
        return round(usable * max(minor, 0) / top)

    rows = [
        {
            "figures": c,
            "y": 14 + i * ROW_HEIGHT,
            "bar_y": 22 + i * ROW_HEIGHT,
            "authorized": scaled(c.authorized_minor),
            "spent": scaled(c.spent_minor),
            "pending": scaled(c.pending_minor),
        }
        for i, c in enumerate(categories)
    ]
    return {
        "rows": rows,
        "width": width,
        "height": 24 + len(rows) * ROW_HEIGHT + 18,
        "legend_y": 14 + len(rows) * ROW_HEIGHT + 14,
    }
