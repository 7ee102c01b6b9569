"""The fund's arithmetic, with no database: soles as shown, figures added up, a total split by weight."""

from dataclasses import dataclass

from toolkit.money import format_money


def soles(minor: int) -> str:
    return format_money(minor, "PEN")


@dataclass(frozen=True)
class Figures:
    """Authorized, paid and awaiting approval, in céntimos, for a season, a category or a line."""

    label: str
    authorized_minor: int = 0
    spent_minor: int = 0
    pending_minor: int = 0
    received_usd_cents: int = 0
    received_pen_minor: int = 0  # at each payment's exchange rate

    @property
    def available_minor(self) -> int:
        return self.authorized_minor - self.spent_minor - self.pending_minor


def add_up(label: str, figures, **extra) -> Figures:
    """Several lines' figures together (a category, a season, a total)."""
    figures = list(figures)
    return Figures(
        label=label,
        authorized_minor=sum(f.authorized_minor for f in figures),
        spent_minor=sum(f.spent_minor for f in figures),
        pending_minor=sum(f.pending_minor for f in figures),
        **extra,
    )


@dataclass(frozen=True)
class Share:
    member_id: int
    fairtrade_g: int
    amount_minor: int


def split_by_weight(total_minor: int, weights: list[tuple[int, int]]) -> list[Share]:
    """Split ``total_minor`` over (member id, grams) by the largest-remainder method.

    Each member first gets the whole céntimos of their exact share; the
    céntimos left over go one each to the largest remainders (ties to the
    lower member id), so the parts add up to the total exactly.
    """
    grams_total = sum(g for _, g in weights)
    if grams_total <= 0:
        return []
    floors, remainders = [], []
    for _member_id, grams in weights:
        whole, remainder = divmod(total_minor * grams, grams_total)
        floors.append(whole)
        remainders.append(remainder)
    left = total_minor - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], weights[i][0]))
    for i in order[:left]:
        floors[i] += 1
    return [
        Share(member_id, grams, amount) for (member_id, grams), amount in zip(weights, floors, strict=True)
    ]
