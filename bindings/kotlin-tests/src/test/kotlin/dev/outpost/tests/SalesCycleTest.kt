package dev.outpost.tests

import kotlinx.coroutines.*
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.*

/**
 * The sales cycle on an Android phone, offline: a card becomes a contact
 * (and is found again instead of duplicated), a quote is priced and
 * accepted into one order, a template is filled in, and the forecast never
 * adds two currencies.
 */
class SalesCycleTest {
    private val dir = tempDir("outpost-kt-sales-")

    @AfterEach
    fun cleanUp() {
        dir.deleteRecursively()
    }

    @Test
    fun `a card, a quote, a message and the forecast, offline`(): Unit = runBlocking {
        openDevice(dir, "u-kari", "phone").use { store ->
            val settings = store.createSettings(OrgSettings(defaultCurrency = "NOK", defaultPhoneRegion = "NO"))
            val doc = store.createAccount(Account(name = "Fjordline Fisk AS"))

            val card = parseCard("Kari Nordmann\nSalgssjef\nFjordline Fisk AS\nMob: 912 34 567\nkari@fjordline.no", "NO")
            assertEquals(listOf("+4791234567"), card.phones.map { it.numberE164 })
            val kari = store.createContact(doc, capturedContact(card))
            val again = checkNotNull(store.matchCaptured(parseCard("Med vennlig hilsen\nKari Nordmann\nKARI@fjordline.no", "NO")))
            assertEquals(kari, again.contactId)
            assertEquals(MatchedBy.EMAIL, again.matchedBy)

            val line = QuoteLine(description = "Laks 5 kg", quantityMilli = 3_000L, unitPriceMinor = 333L, discountBp = 1_250L, taxBp = 2_500L)
            val quote = Quote(status = QuoteStatus.DRAFT, currency = "NOK", lines = listOf(line), validUntil = "2099-12-31", version = 1L)
            assertEquals(1_093L, quoteTotals(quote).totalMinor) // 874 net + 219 tax, each rounded once
            val qid = store.createQuote(doc, quote)
            val orderId = store.acceptQuote(doc, qid)
            assertEquals(orderId, store.acceptQuote(doc, qid), "accepting twice: the same order")
            assertEquals(1_093L, checkNotNull(store.getOrder(doc, orderId)).totalMinor)
            assertEquals(QuoteStatus.ACCEPTED, checkNotNull(store.getQuote(doc, qid)).status)

            val template = store.createTemplate(settings, Template(kind = TemplateKind.SMS, format = TemplateFormat.TEXT,
                name = "Takk", body = "Hei {{ contact.first_name }}! Ordre på {{ quote.total | money }}.", locale = "nb-NO"))
            val day = Day(date = "2026-12-04", utcOffsetMinutes = 60)
            val sms = store.renderTemplate(template, doc, MergeRecords(contactId = kari, quoteId = qid), "en-GB", day)
            assertEquals("Hei Kari! Ordre på 10,93 kr.", sms.body)
            assertTrue(sms.missing.isEmpty())
            val logged = store.logMessage(doc, TemplateKind.SMS, MergeRecords(contactId = kari), sms)
            assertEquals(ActivityKind.SMS, checkNotNull(store.getActivity(doc, logged)).kind)
            assertThrows(OutpostException.Invalid::class.java) {
                runBlocking {
                    store.createTemplate(settings, Template(kind = TemplateKind.EMAIL, format = TemplateFormat.TEXT, name = "x", body = "{{ oops"))
                }
            }

            val pipeline = store.createPipeline(settings, Pipeline(name = "Salg", stages = listOf(
                Stage(id = "prop", name = "Tilbud", position = 1L, probability = 50u, meaning = StageMeaning.OPEN))))
            store.createDeal(doc, Deal(name = "A", pipelineId = pipeline, stageId = "prop", amountMinor = 100_000L, currency = "NOK", expectedClose = "2026-12-15"))
            store.createDeal(doc, Deal(name = "B", pipelineId = pipeline, stageId = "prop", amountMinor = 10_000L, currency = "EUR", expectedClose = "2026-12-20"))
            val forecast = store.forecast(day, SalesFilter())
            assertEquals(listOf("EUR" to 10_000L, "NOK" to 100_000L), forecast.totals.map { it.currency to it.totalMinor })
        }
    }
}
