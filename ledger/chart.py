"""The cooperative's chart of accounts, as far as Minka posts to it.

Accounts are created on first use from the definitions here, so a fresh
database needs no setup. Each member has one account in soles: its balance,
credit minus debit, is what the cooperative owes the member.
"""

from django.db import IntegrityError, transaction

from ledger.models import Account, AccountKind, Currency

COCOA_INVENTORY = "1101"
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
    return f"{MEMBER_ACCOUNT_PREFIX}{member.code}"


def member_account(member) -> Account:
    return _get_or_create(member_account_code(member), defaults=_member_account_fields(member))


def member_accounts(members) -> dict[int, Account]:
    """Each member's account by member id, creating the missing ones in one go (imports)."""
    by_code = {member_account_code(m): m for m in members}
    codes = list(by_code)
    found = {}
    for start in range(0, len(codes), 900):  # SQLite's limit on query parameters
        found.update({a.code: a for a in Account.objects.filter(code__in=codes[start : start + 900])})
    missing = [
        Account(code=code, **_member_account_fields(member))
        for code, member in by_code.items()
        if code not in found
    ]
    for account in Account.objects.bulk_create(missing, batch_size=2000):
        found[account.code] = account
    return {by_code[code].pk: account for code, account in found.items()}


def _member_account_fields(member) -> dict:
    return {
        "name": f"Cuenta del socio {member.name}",
        "kind": AccountKind.LIABILITY,
        "currency": Currency.PEN,
        "member": member,
    }


def purchase_accounts(member) -> tuple[Account, Account]:
    """Cocoa inventory and the member's account, read in one query (the clerk's page posts many)."""
    member_code = member_account_code(member)
    found = {a.code: a for a in Account.objects.filter(code__in=[COCOA_INVENTORY, member_code])}
    inventory = found.get(COCOA_INVENTORY) or account(COCOA_INVENTORY)
    return inventory, found.get(member_code) or member_account(member)


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
