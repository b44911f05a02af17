"""Every query's result type crosses the boundary: dates as `YYYY-MM-DD`
strings, money as integer minor units, enums, nested records."""

import asyncio
import datetime

import outpost
from outpost import (
    Account,
    DateKind,
    Contact,
    Day,
    Deal,
    Order,
    OrgSettings,
    Pipeline,
    PipelineFilter,
    RecordKind,
    Stage,
    StageMeaning,
)


def test_planning_and_reminder_queries(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "q.db"), "kari", outpost.new_id())
        day = Day(date="2026-11-23", utc_offset_minutes=60)

        settings = await store.create_settings(OrgSettings(org_name="Fjordfisk", default_currency="NOK"))
        stages = [
            Stage(id="lead", name="Lead", position=1, probability=10, meaning=StageMeaning.OPEN),
            Stage(id="won", name="Won", position=2, probability=100, meaning=StageMeaning.WON),
        ]
        pipeline = await store.create_pipeline(settings, Pipeline(name="Sales", stages=stages))

        doc = await store.create_account(Account(name="Fjordfisk AS", currency="NOK"))
        await store.create_contact(doc, Contact(first_name="Kari", birthday="1980-11-26"))
        deal = await store.create_deal(
            doc, Deal(name="Nets", pipeline_id=pipeline, stage_id="lead", amount_minor=100_000, currency="NOK")
        )
        await store.move_deal_stage(doc, deal, "won")
        await store.move_deal_stage(doc, deal, "lead")
        assert [c.to_stage for c in (await store.get_deal(doc, deal)).stage_history][-1] == "lead"

        view = await store.pipeline(PipelineFilter(pipeline_id=pipeline))
        assert view.currency == "NOK"
        lead = next(s for s in view.stages if s.stage_id == "lead")
        assert (lead.count, lead.total_minor, lead.weighted_minor) == (1, 100_000, 10_000)

        dates = await store.upcoming_dates(day, 7)
        assert [(d.kind, d.date, d.days_away, d.years) for d in dates] == [(DateKind.BIRTHDAY, "2026-11-26", 3, 46)]

        for at in ("2026-09-01", "2026-10-01"):
            ms = int(datetime.datetime.fromisoformat(at + "T12:00:00+00:00").timestamp() * 1000)
            await store.create_order(doc, Order(ordered_at=ms, total_minor=5_000, currency="NOK"))
        due = await store.reorder_due(day)
        assert [(r.doc_id, r.orders, r.due_on) for r in due] == [(doc, 2, "2026-10-31")]

        dash = await store.dashboard(day, None, "NOK")
        assert (dash.open_deals, dash.open_pipeline_minor) == (1, 100_000)

        assert [d.kind for d in await store.documents()] and {d.id for d in await store.documents()} == {settings, doc}
        assert (await store.get_settings(settings)).default_currency == "NOK"
        assert [p.meta.id for p in await store.list_pipelines(settings)] == [pipeline]
        assert await store.drafts(None) == []
        assert any(h.field == "stage_id" for h in await store.history(doc, RecordKind.DEAL, deal))

    asyncio.run(scenario())
