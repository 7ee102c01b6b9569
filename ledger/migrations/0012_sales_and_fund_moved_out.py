# Trade and the premium fund moved to their own apps (sales, fund) with their tables:
# the ledger forgets their models; no table, row or constraint changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0011_premium_fund'),
        ('sales', '0001_initial'),
        ('fund', '0001_initial'),
        ('assemblies', '0002_premium_fund_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='ContractPayment'),
            migrations.DeleteModel(name='SalesContract'),
            migrations.DeleteModel(name='FairtradeTerms'),
            migrations.DeleteModel(name='ExchangeRate'),
            migrations.DeleteModel(name='DistributionShare'),
            migrations.DeleteModel(name='SpendingApproval'),
            migrations.DeleteModel(name='Spending'),
            migrations.DeleteModel(name='BudgetLine'),
            migrations.DeleteModel(name='PremiumAuthorization'),
            migrations.DeleteModel(name='PremiumConversion'),
        ]),
    ]
