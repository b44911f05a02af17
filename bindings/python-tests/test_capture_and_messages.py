"""On the phone, offline: a business card becomes a contact (and a second
card of the same person finds it instead of a duplicate); a template from
the org settings is filled in with the account's records, and what was sent
is on the timeline."""

import asyncio

import pytest

import outpost
from outpost import (
    Account,
    ActivityKind,
    Day,
    MatchedBy,
    MergeRecords,
    OrgSettings,
    OutpostError,
    RepInfo,
    Template,
    TemplateFormat,
    TemplateKind,
)

CARD = """FJORDLINE FISK AS
Kari Nordmann
Salgssjef
Mob: 912 34 567
kari.nordmann@fjordline.no
Strandkaien 12, 5013 Bergen
"""

SIGNATURE = """Takk for sist!

Med vennlig hilsen
Kari Nordmann
Fjordline Fisk AS
KARI.NORDMANN@FJORDLINE.NO
"""


def test_a_card_becomes_a_contact_and_a_second_card_finds_it(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "c.db"), "kari", outpost.new_id())
        card = outpost.parse_card(CARD, "NO")
        assert (card.first_name, card.last_name, card.company) == ("Kari", "Nordmann", "FJORDLINE FISK AS")
        assert [p.number_e164 for p in card.phones] == ["+4791234567"]
        assert card.emails == ["kari.nordmann@fjordline.no"]
        confidence = {c.field: c.confidence for c in card.confidence}
        assert confidence["emails"] > 0.8 and 0.0 < confidence["first_name"] <= 1.0, confidence
        assert (card.title, card.address.city, card.address.postal_code) == ("Salgssjef", "Bergen", "5013")

        doc = await store.create_account(Account(name="Fjordline Fisk AS"))
        assert await store.match_captured(card) is None, "nobody yet"
        contact_id = await store.create_contact(doc, outpost.captured_contact(card))
        stored = await store.get_contact(doc, contact_id)
        assert stored.phones[0].number and stored.emails[0].address == "kari.nordmann@fjordline.no"

        again = await store.match_captured(outpost.parse_card(SIGNATURE, "NO"))
        assert again is not None
        assert (again.doc_id, again.contact_id, again.matched_by) == (doc, contact_id, MatchedBy.EMAIL)
        assert again.full_name == "Kari Nordmann"

        ru = outpost.parse_card("ООО «Северный Улов»\nИван Петров\nМенеджер по продажам\nТел.: +7 921 123-45-67\nivan.petrov@ulov.ru", "NO")
        assert (ru.first_name, ru.last_name) == ("Иван", "Петров")
        assert [p.number_e164 for p in ru.phones] == ["+79211234567"]
        assert outpost.parse_card("", "NO").first_name in (None, "")
        store.close()

    asyncio.run(scenario())


def test_a_template_is_filled_in_offline_and_the_message_logged(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "m.db"), "kari", outpost.new_id())
        settings = await store.create_settings(OrgSettings(default_currency="NOK", default_phone_region="NO"))
        template = await store.create_template(settings, Template(
            kind=TemplateKind.SMS, format=TemplateFormat.TEXT, name="Påminnelse",
            body="Hei {{ contact.first_name }}! Vi ses {{ today }}. Hilsen {{ rep.display_name }} {{ contact.nickname }}",
            locale="nb-NO"))
        with pytest.raises(OutpostError.Invalid) as e:
            await store.create_template(settings, Template(kind=TemplateKind.EMAIL, format=TemplateFormat.TEXT, name="x", body="{{ contact.first_name"))
        assert "body" in str(e.value)

        doc = await store.create_account(Account(name="Fjordline Fisk AS"))
        contact = await store.create_contact(doc, outpost.captured_contact(outpost.parse_card(CARD, "NO")))
        records = MergeRecords(contact_id=contact)
        msg = await store.render_template(template, doc, records, "en-GB", Day(date="2026-12-04", utc_offset_minutes=60),
                                          rep=RepInfo(user_id="kari", display_name="Kari"))
        assert msg.body == "Hei Kari! Vi ses 4. desember 2026. Hilsen Kari [contact.nickname]", msg.body
        assert msg.missing == ["contact.nickname"]
        activity = await store.log_message(doc, TemplateKind.SMS, records, msg)
        logged = await store.get_activity(doc, activity)
        assert (logged.kind, logged.body, logged.contact_ids) == (ActivityKind.SMS, msg.body, [contact])
        with pytest.raises(OutpostError.NotFound):
            await store.render_template("no-such-template", doc, records, "nb-NO", Day(date="2026-12-04", utc_offset_minutes=60))
        store.close()

    asyncio.run(scenario())
