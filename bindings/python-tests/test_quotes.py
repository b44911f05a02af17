"""A rep prices and closes a quote on the phone, offline: every line kept,
the totals the office will see, one order however often it is accepted,
and a refusal that says why."""

import asyncio

import pytest

import outpost
from outpost import Account, OutpostError, Quote, QuoteLine, QuoteStatus


def test_a_quote_priced_and_accepted_offline(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "q.db"), "kari", outpost.new_id())
        doc = await store.create_account(Account(name="Fjordfisk AS", currency="NOK"))
        lines = [
            QuoteLine(product_id="laks", description="Laks 5 kg", position=1, quantity_milli=3_000,
                      unit_price_minor=333, discount_bp=1_250, tax_bp=2_500),
            QuoteLine(description="Frakt", position=2, quantity_milli=1_500, unit_price_minor=99, tax_bp=1_500),
        ]
        quote = Quote(status=QuoteStatus.DRAFT, title="Sesongavtale", currency="NOK", lines=lines,
                      valid_until="2099-12-31", version=1)
        totals = outpost.quote_totals(quote)
        assert (totals.net_minor, totals.tax_minor, totals.total_minor) == (1_023, 241, 1_264)

        qid = await store.create_quote(doc, quote)
        stored = await store.get_quote(doc, qid)
        assert len(stored.lines) == 2 and all(l.id for l in stored.lines), "both lines kept, each with an id"
        assert outpost.quote_totals(stored) == totals

        order_id = await store.accept_quote(doc, qid)
        order = await store.get_order(doc, order_id)
        assert (order.total_minor, order.quote_id, len(order.lines)) == (1_264, qid, 2)
        assert (await store.get_quote(doc, qid)).status == QuoteStatus.ACCEPTED
        assert await store.accept_quote(doc, qid) == order_id
        assert len(await store.list_orders(doc)) == 1

        declined = await store.create_quote(doc, Quote(status=QuoteStatus.DECLINED, currency="NOK", lines=lines))
        with pytest.raises(OutpostError.Invalid) as e:
            await store.accept_quote(doc, declined)
        assert "declined" in str(e.value)
        assert len(await store.list_quotes(doc)) == 2
        store.close()

    asyncio.run(scenario())
