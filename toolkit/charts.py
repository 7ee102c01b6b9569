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


@dataclass(frozen=True)
class Share:
    label: str  # left of the bars («Kilos secos entregados»)
    now: float | None  # per cent, 0–100; None: nothing to compare
    before: float | None  # the same share in the period before, or None
    text: str  # what the pair says when read or hovered («27.7 % (antes 25.1 %)»)


SHARE_ROW = 34
SHARE_LABEL_W = 230


def share_chart(
    shares: list[Share], *, title: str, now_label: str, before_label: str, ident: str = "shares"
) -> SafeString:
    """Horizontal bars of per cents on a 0–100 scale, one pair a row: this period (dark) above the
    period before (light), each with its figure at the end. Empty markup when there are no rows."""
    if not shares:
        return mark_safe("")
    legend_h = 22
    height = legend_h + SHARE_ROW * len(shares) + 8
    plot_w = WIDTH - SHARE_LABEL_W - 60
    rows = []
    for i, share in enumerate(shares):
        y = legend_h + i * SHARE_ROW
        bars = []
        for offset, value, colour, bar_h in ((2, share.now, "#2f6b3a", 12), (17, share.before, "#a9c4ae", 9)):
            if value is None:
                continue
            w = plot_w * max(0.0, min(float(value), 100.0)) / 100
            bars.append(
                (SHARE_LABEL_W, y + offset, f"{w:.1f}", bar_h, colour)
                + (f"{SHARE_LABEL_W + w + 4:.1f}", y + offset + bar_h - 1, f"{float(value):.1f} %")
            )
        if not bars:  # nothing counted in either period: a dash, not an empty row
            bars.append((SHARE_LABEL_W, y + 2, "0", 0, "none", SHARE_LABEL_W + 4, y + 13, "—"))
        rows.append(
            format_html(
                '<g><title>{}</title><text x="{}" y="{}" font-size="11" text-anchor="end" '
                'fill="currentColor">{}</text>{}</g>',
                share.text,
                SHARE_LABEL_W - 6,
                y + 14,
                share.label,
                format_html_join(
                    "",
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="10" fill="currentColor">{}</text>',
                    bars,
                ),
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{id}">{title}</title>'
        '<rect x="{lx}" y="4" width="12" height="10" fill="#2f6b3a"/>'
        '<text x="{lx2}" y="13" font-size="11" fill="currentColor">{now}</text>'
        '<rect x="{bx}" y="4" width="12" height="10" fill="#a9c4ae"/>'
        '<text x="{bx2}" y="13" font-size="11" fill="currentColor">{before}</text>'
        '<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="currentColor" stroke-width="1"/>'
        "{parts}</svg>",
        w=WIDTH,
        h=height,
        id=f"{ident}-title",
        title=title,
        lx=SHARE_LABEL_W,
        lx2=SHARE_LABEL_W + 16,
        now=now_label,
        bx=SHARE_LABEL_W + 190,
        bx2=SHARE_LABEL_W + 206,
        before=before_label,
        left=SHARE_LABEL_W,
        top=legend_h,
        bottom=height - 6,
        parts=format_html_join("", "{}", ((row,) for row in rows)),
    )
