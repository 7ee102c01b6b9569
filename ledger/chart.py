"""The cooperative's chart of accounts, as far as Minka posts to it.

Accounts are created on first use from the definitions here, so a fresh
database needs no setup. Each member has one account in soles: its balance,
credit minus debit, is what the cooperative owes the member. It belongs to the
member by foreign key (``Account.member``); its code shows the member code it
was created under, for people reading the chart, and nothing finds it by that text.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q

from ledger.models import Account, AccountKind, Currency

COCOA_INVENTORY = "1101"
# Cocoa bought from non-members (acopio's suppliers): its own stock, never certified input.
COCOA_INVENTORY_NON_MEMBER = "1102"
CASH = "1011"
BANK = "1041"
MOBILE_WALLET = "1051"
INPUT_CREDIT_RECEIVABLE = "1621"
LOANS_RECEIVABLE = "1622"
# In US dollars: sales, what buyers owe, and the Fairtrade Premium on its way to the fund.
BANK_USD = "1042"
BUYERS_RECEIVABLE_USD = "1212"
COCOA_SALES_USD = "7011"
PREMIUM_ACCRUED_USD = "2912"
PREMIUM_FUND_USD = "2913"
# The premium fund's soles: dollars sold for soles, then spent or distributed as the assembly decided.
PREMIUM_FUND_PEN = "2914"

DEFINITIONS = {
    COCOA_INVENTORY: ("Inventario de cacao comprado a socios", AccountKind.ASSET),
    COCOA_INVENTORY_NON_MEMBER: ("Inventario de cacao comprado a no socios", AccountKind.ASSET),
    CASH: ("Caja", AccountKind.ASSET),
    BANK: ("Banco", AccountKind.ASSET),
    MOBILE_WALLET: ("Billetera móvil (Yape / Plin)", AccountKind.ASSET),
    INPUT_CREDIT_RECEIVABLE: ("Crédito de insumos a socios", AccountKind.ASSET),
    LOANS_RECEIVABLE: ("Préstamos a socios", AccountKind.ASSET),
    PREMIUM_FUND_PEN: ("Fondo de la prima de Comercio Justo (S/)", AccountKind.LIABILITY),
}
USD_DEFINITIONS = {
    BANK_USD: ("Banco (US$)", AccountKind.ASSET),
    BUYERS_RECEIVABLE_USD: ("Cuentas por cobrar a compradores (US$)", AccountKind.ASSET),
    COCOA_SALES_USD: ("Ventas de cacao (US$)", AccountKind.INCOME),
    PREMIUM_ACCRUED_USD: ("Prima de Comercio Justo facturada, por cobrar (US$)", AccountKind.LIABILITY),
    PREMIUM_FUND_USD: ("Fondo de la prima de Comercio Justo (US$)", AccountKind.LIABILITY),
}
MEMBER_ACCOUNT_PREFIX = "SOC-"


def account(code: str) -> Account:
    """The named account (soles, or dollars for the sales side), created the first time it is needed."""
    if code in USD_DEFINITIONS:
        name, kind = USD_DEFINITIONS[code]
        return _get_or_create(code, defaults={"name": name, "kind": kind, "currency": Currency.USD})
    name, kind = DEFINITIONS[code]
    return _get_or_create(code, defaults={"name": name, "kind": kind, "currency": Currency.PEN})


def member_account_code(member) -> str:
    """The code a new member account is given, for people reading the chart: never used to find it."""
    return f"{MEMBER_ACCOUNT_PREFIX}{member.code}"


def member_account(member) -> Account:
    """The member's account in soles, found by the member (a foreign key), created the first time.

    Two clerks creating it at once: one insert wins under the unique (member, currency)
    constraint, the other reads the winner's account.
    """
    for _attempt in range(3):
        found = _member_accounts_query().filter(member=member).first()
        if found is not None:
            return found
        try:
            # A savepoint: if another clerk created it a moment ago, read theirs and carry on.
            with transaction.atomic():
                return Account.objects.create(
                    code=_free_member_account_codes([member])[member.pk], **_member_account_fields(member)
                )
        except IntegrityError:
            continue  # the member's account was created meanwhile, or the code was just taken: look again
    return _member_accounts_query().get(member=member)


def member_accounts(members) -> dict[int, Account]:
    """Each member's account by member id, creating the missing ones in one go (imports)."""
    by_id = {m.pk: m for m in members}
    ids = list(by_id)
    found = {}
    for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
        found.update(
            {a.member_id: a for a in _member_accounts_query().filter(member_id__in=ids[start : start + 900])}
        )
    missing = [m for pk, m in by_id.items() if pk not in found]
    codes = _free_member_account_codes(missing)
    created = Account.objects.bulk_create(
        [Account(code=codes[m.pk], **_member_account_fields(m)) for m in missing], batch_size=2000
    )
    for account in created:
        found[account.member_id] = account
    return found


def _member_accounts_query():
    return Account.objects.filter(member__isnull=False, currency=Currency.PEN)


def _free_member_account_codes(members) -> dict[int, str]:
    """A code per member for a new account: «SOC-» and the member code, or, when an account whose
    member's code has since changed still holds that text, the same with «-2», «-3»…"""
    wanted = {m.pk: member_account_code(m) for m in members}
    taken = set()
    values = list(wanted.values())
    for start in range(0, len(values), 900):
        taken.update(
            Account.objects.filter(code__in=values[start : start + 900]).values_list("code", flat=True)
        )
    codes = {}
    for pk, code in wanted.items():
        if code in taken:
            prefix = f"{code}-"
            taken.update(Account.objects.filter(code__startswith=prefix).values_list("code", flat=True))
            number = 2
            while f"{prefix}{number}" in taken:
                number += 1
            code = f"{prefix}{number}"
        taken.add(code)
        codes[pk] = code
    return codes


def _member_account_fields(member) -> dict:
    return {
        "name": f"Cuenta del socio {member.name}",
        "kind": AccountKind.LIABILITY,
        "currency": Currency.PEN,
        "member": member,
    }


def purchase_accounts(member) -> tuple[Account, Account]:
    """Cocoa inventory and the member's account, read in one query (the clerk's page posts many)."""
    found = list(Account.objects.filter(Q(code=COCOA_INVENTORY) | Q(member=member, currency=Currency.PEN)))
    inventory = next((a for a in found if a.code == COCOA_INVENTORY), None) or account(COCOA_INVENTORY)
    own = next((a for a in found if a.member_id == member.pk and a.currency == Currency.PEN), None)
    return inventory, own or member_account(member)


SUPPLIER_ACCOUNT_PREFIX = "PROV-"


def new_supplier_account(*, document: str, name: str) -> Account:
    """A payable account in soles for a non-member supplier (acopio.Supplier holds it by foreign key):
    what the cooperative owes a supplier never sits in a member's account."""
    return Account.objects.create(
        code=f"{SUPPLIER_ACCOUNT_PREFIX}{document}",
        name=f"Proveedor no socio {name}"[:200],
        kind=AccountKind.LIABILITY,
        currency=Currency.PEN,
    )


def _get_or_create(code: str, defaults: dict) -> Account:
    found = Account.objects.filter(code=code).first()
    if found is not None:
        return found
    try:
        # A savepoint: if another clerk created it a moment ago, read theirs and carry on.
        with transaction.atomic():
            return Account.objects.create(code=code, **defaults)
    except IntegrityError:
        return Account.objects.get(code=code)
