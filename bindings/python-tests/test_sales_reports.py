"""The sales manager's questions answered on the phone, offline: what will
close when (never adding two currencies), which deals are stuck, how far
deals get, what sold, and a product search in any script."""

import asyncio
import datetime

import pytest

import outpost
from outpost import (
    Account,
    Day,
    Deal,
    LineItem,
    Order,
    OrgSettings,
    OutpostError,
    Pipeline,
    Product,
    SalesFilter,
    Stage,
    StageDays,
    StageMeaning,
    StalledOptions,
    ThresholdSource,
)


def ms(at: str) -> int:
    return int(datetime.datetime.fromisoformat(at + "T12:00:00+00:00").timestamp() * 1000)


def test_reports_and_the_catalogue_offline(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "r.db"), "kari", outpost.new_id())
        settings = await store.create_settings(OrgSettings(org_name="Fjordfisk", default_currency="NOK"))
        stages = [
            Stage(id="lead", name="Lead", position=1, probability=10, meaning=StageMeaning.OPEN),
            Stage(id="prop", name="Tilbud", position=2, probability=50, meaning=StageMeaning.OPEN),
            Stage(id="won", name="Vunnet", position=3, probability=100, meaning=StageMeaning.WON),
            Stage(id="lost", name="Tapt", position=4, probability=0, meaning=StageMeaning.LOST),
        ]
        pipeline = await store.create_pipeline(settings, Pipeline(name="Salg", stages=stages))
        doc = await store.create_account(Account(name="Fjordfisk AS", currency="NOK"))

        def deal(name, stage, amount, currency, close):
            return Deal(name=name, pipeline_id=pipeline, stage_id=stage, amount_minor=amount,
                        currency=currency, expected_close=close)

        await store.create_deal(doc, deal("Laks", "prop", 100_000, "NOK", "2026-12-15"))
        await store.create_deal(doc, deal("Export", "prop", 10_000, "EUR", "2026-12-20"))
        won = await store.create_deal(doc, deal("Sild", "lead", 5_000, "NOK", "2026-12-01"))
        await store.move_deal_stage(doc, won, "won")

        day = Day(date="2026-12-04", utc_offset_minutes=60)
        f = await store.forecast(day, SalesFilter())
        assert [(t.month, t.currency, t.deals, t.total_minor, t.weighted_minor) for t in f.totals] == [
            ("2026-12", "EUR", 1, 10_000, 5_000),
            ("2026-12", "NOK", 1, 100_000, 50_000),
        ]

        later = Day(date="2030-01-01", utc_offset_minutes=0)
        stalled = await store.stalled_deals(later, SalesFilter(), StalledOptions(thresholds=[StageDays(stage_id="prop", days=100)]))
        assert sorted(d.name for d in stalled.deals) == ["Export", "Laks"]
        prop = next(t for t in stalled.thresholds if t.stage_id == "prop")
        assert (prop.days, prop.source) == (100, ThresholdSource.SET)
        assert all(d.doc_id == doc for d in stalled.deals)

        c = await store.conversion(SalesFilter(pipeline_id=pipeline))
        assert (c.won, c.lost, c.win_rate) == (1, 0, 1.0)
        assert [(s.stage_id, s.reached) for s in c.stages] == [("lead", 3), ("prop", 3)]

        herring = await store.create_product(settings, Product(sku="SLD-1", name="Сельдь пряная", unit_price_minor=4_000, currency="NOK", stock=12, stock_at=ms("2026-12-04")))
        await store.create_product(settings, Product(sku="LAKS-5", name="Laks 5 kg", unit_price_minor=10_000, currency="NOK"))
        hits = await store.search_products("СЕЛЬДЬ", limit=10)
        assert [(h.id, h.stock, h.stock_at) for h in hits] == [(herring, 12, ms("2026-12-04"))]
        assert [h.name for h in await store.search_products("", limit=1, offset=1)] == ["Сельдь пряная"]

        await store.create_order(doc, Order(ordered_at=ms("2026-12-02"), currency="NOK", lines=[
            LineItem(product_id=herring, description="Sild", quantity_milli=2_500, unit_price_minor=4_000),
            LineItem(description="Frakt", quantity_milli=1_000, unit_price_minor=25_000),
        ]))
        sold = await store.product_sales(day)
        assert [(s.month, s.name, s.quantity_milli, s.revenue_minor) for s in sold] == [
            ("2026-12", "Frakt", 1_000, 25_000),
            ("2026-12", "Сельдь пряная", 2_500, 10_000),
        ]

        with pytest.raises(OutpostError.Invalid) as e:
            await store.search_products("x", limit=-1)
        assert "limit" in str(e.value)
        with pytest.raises(OutpostError.Invalid) as e:
            await store.stalled_deals(day, SalesFilter(), StalledOptions(default_days=-5))
        assert "default_days" in str(e.value)
        store.close()

    asyncio.run(scenario())
