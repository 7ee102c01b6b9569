"""Small charts drawn as inline SVG on the server: no script, printable, read by a screen reader from
their title and each bar's own title.

``bar_chart`` takes labelled values and returns markup to put in a template as it is.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 180
TOP = 16
BOTTOM = 28  # room for the labels under the bars
LEFT = 8
RIGHT = 8


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar (a short date)
    value: int  # what the height shows
    text: str  # what the bar says when read or hovered («12/01: 1,250.00 kg»)


def bar_chart(
    bars: list[Bar], *, title: str, ident: str = "chart", label_every: int | None = None
) -> SafeString:
    """A bar chart of ``bars``, scaled to the largest value; labels under every ``label_every``-th bar
    (by default about eight labels in all); ``ident`` names its title, unique on the page. Empty markup
    when there are no bars."""
    if not bars:
        return mark_safe("")
    top = max(bar.value for bar in bars) or 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(bars)
    width = max(slot * 0.8, 1)
    every = label_every or max(1, round(len(bars) / 8))
    rects = []
    labels = []
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top if bar.value > 0 else 0
        x = LEFT + i * slot + (slot - width) / 2
        rects.append((f"{x:.1f}", f"{TOP + plot_h - h:.1f}", f"{width:.1f}", f"{h:.1f}", bar.text))
        if i % every == 0:
            labels.append((f"{x + width / 2:.1f}", HEIGHT - 8, bar.label))
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{id}">{title}</title>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="currentColor" stroke-width="1"/>'
        "{rects}{labels}</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=f"{ident}-title",
        title=title,
        left=LEFT,
        right=WIDTH - RIGHT,
        base=TOP + plot_h,
        rects=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#2f6b3a"><title>{}</title></rect>',
            rects,
        ),
        labels=format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="currentColor">{}</text>',
            labels,
        ),
    )
