package dev.outpost.tests

import dev.outpost.field.logic.AccountCardHolder
import dev.outpost.field.logic.AccountsHolder
import dev.outpost.field.logic.AgendaHolder
import dev.outpost.field.logic.FieldSession
import dev.outpost.field.logic.QuickKind
import dev.outpost.field.logic.TalkingKind
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.Account
import uniffi.outpost.Activity
import uniffi.outpost.ActivityKind
import uniffi.outpost.ActivityStatus
import uniffi.outpost.Balance
import uniffi.outpost.Contact
import uniffi.outpost.Deal
import uniffi.outpost.FamilyMember
import uniffi.outpost.Order
import uniffi.outpost.OrgSettings
import uniffi.outpost.Payment
import uniffi.outpost.Phone
import uniffi.outpost.Pipeline
import uniffi.outpost.Stage
import uniffi.outpost.StageMeaning
import java.time.LocalDate
import java.time.ZoneOffset
import java.util.Locale

/**
 * The Android sample's state holders (plain Kotlin, no Android) on a real
 * store through the generated bindings: what each screen would show, and the
 * writes its buttons make.
 */
class SampleLogicTest {
    private val dir = tempDir("outpost-kt-sample-")
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    @AfterEach
    fun cleanUp() {
        scope.cancel()
        dir.deleteRecursively()
    }

    private suspend fun session(name: String = "phone") =
        FieldSession(openDevice(dir, "kari", name), "kari", Locale.UK, ZoneOffset.UTC)

    @Test
    fun `the account card shows what a rep needs before a visit, and its buttons write`(): Unit = runBlocking {
        session().use { s ->
            val store = s.store
            val settings = store.createSettings(OrgSettings(orgName = "Outpost", defaultCurrency = "EUR"))
            val pipeline = store.createPipeline(
                settings,
                Pipeline(
                    name = "Sales",
                    stages = listOf(
                        Stage(id = "prospecting", name = "Prospecting", position = 1, probability = 10u, meaning = StageMeaning.OPEN),
                        Stage(id = "proposal", name = "Proposal", position = 2, probability = 50u, meaning = StageMeaning.OPEN),
                        Stage(id = "won", name = "Won", position = 3, probability = 100u, meaning = StageMeaning.WON),
                    ),
                ),
            )
            val doc = store.createAccount(
                Account(
                    name = "Fjordfisk AS", currency = "EUR",
                    balance = Balance(currency = "EUR", balanceMinor = 250_000, overdueMinor = 12_050),
                ),
            )
            val inFiveDays = LocalDate.now(ZoneOffset.UTC).plusDays(5)
            val kari = store.createContact(
                doc,
                Contact(
                    firstName = "Kari", lastName = "Nordmann", title = "Buyer",
                    phones = listOf(Phone(number = "+4722334455", primary = true)),
                    birthday = "--%02d-%02d".format(inFiveDays.monthValue, inFiveDays.dayOfMonth),
                    family = listOf(FamilyMember(name = "Per", relation = "husband", birthday = "1975-%02d-%02d".format(inFiveDays.monthValue, inFiveDays.dayOfMonth))),
                    hobbies = listOf("sailing"),
                ),
            )
            val deal = store.createDeal(
                doc,
                Deal(name = "Freezer line", pipelineId = pipeline, stageId = "proposal", amountMinor = 4_500_000, currency = "EUR"),
            )
            store.createDeal(doc, Deal(name = "Old win", pipelineId = pipeline, stageId = "won", amountMinor = 100, currency = "EUR"))
            val day = 86_400_000L
            val now = System.currentTimeMillis()
            for (i in 1..4) {
                store.createOrder(
                    doc,
                    Order(
                        number = "A-$i", orderedAt = now - i * 30 * day, totalMinor = 10_000L * i, currency = "EUR",
                        dueDate = if (i == 1) "2000-01-01" else null,
                        payments = if (i == 1) listOf(Payment(at = now, amountMinor = 4_000)) else emptyList(),
                    ),
                )
            }

            val holder = AccountCardHolder(s, doc, scope)
            holder.load()
            val card = checkNotNull(holder.card.value)
            assertEquals("Fjordfisk AS", card.name)
            assertEquals("€2,500.00", card.balance)
            assertEquals("€120.50 overdue", card.overdue)
            assertEquals("+47 22 33 44 55", card.contacts.single().phone)
            assertEquals("+4722334455", card.contacts.single().dial)
            // only the open deal, with its stage's name
            assertEquals(listOf("Freezer line" to "Proposal"), card.openDeals.map { it.name to it.stageName })
            assertEquals("€45,000.00", card.openDeals.single().amount)
            // the three most recent orders; the first has €60 open and is past due
            assertEquals(listOf("Order A-1", "Order A-2", "Order A-3"), card.lastOrders.map { it.title })
            assertEquals("€60.00 open", card.lastOrders[0].outstanding)
            assertTrue(card.lastOrders[0].late)
            assertFalse(card.lastOrders[1].late)
            // talking points: the birthday from the core's upcoming-dates query, family, hobbies
            val points = card.talkingPoints.groupBy({ it.kind }, { it.text })
            val date = "${inFiveDays.dayOfMonth} ${inFiveDays.month.getDisplayName(java.time.format.TextStyle.SHORT, Locale.UK)}"
            assertEquals(
                setOf(
                    "Kari Nordmann: birthday in 5 days, $date",
                    "Per (Kari Nordmann's family): birthday in 5 days, $date (turns ${inFiveDays.year - 1975})",
                ),
                points[TalkingKind.BIRTHDAY]?.toSet(),
            )
            assertEquals(listOf("Kari: husband Per"), points[TalkingKind.FAMILY])
            assertEquals(listOf("Kari likes sailing"), points[TalkingKind.HOBBY])

            // move the deal: it leaves the open list and the stage history records it; the card refreshes itself
            assertEquals(listOf("prospecting", "proposal", "won"), holder.stages(deal).map { it.id })
            holder.moveDeal(deal, "won")
            withTimeout(WAIT_MS) { holder.card.first { it != null && it.openDeals.isEmpty() } }
            assertEquals("won", store.getDeal(doc, deal)?.stageHistory?.last()?.toStage)

            // log a call in three taps with a follow-up in a week
            holder.pickKind(QuickKind.CALL)
            holder.pickOutcome("voicemail")
            holder.pickContact(kari)
            holder.pickFollowUp(7)
            assertTrue(holder.saveQuickLog())
            val calls = store.listActivities(doc).sortedBy { it.startAt }
            assertEquals(listOf(ActivityStatus.DONE, ActivityStatus.PLANNED), calls.map { it.status })
            assertEquals("Call · Voicemail", calls[0].subject)
            assertEquals(listOf(kari), calls[0].contactIds)
            assertEquals(ActivityKind.CALL, calls[1].kind)
            assertFalse(holder.saveQuickLog(), "the form was reset: no outcome picked")
            holder.close()
        }
    }

    @Test
    fun `agenda and account list refresh when the data changes`(): Unit = runBlocking {
        session().use { s ->
            val doc = s.store.createAccount(Account(name = "Bakeriet", balance = Balance(currency = "NOK", overdueMinor = 50_000)))
            s.store.createAccount(Account(name = "Aker Marina"))
            val now = System.currentTimeMillis()
            s.store.createActivity(doc, Activity(kind = ActivityKind.VISIT, status = ActivityStatus.PLANNED, subject = "Tasting", startAt = now))
            // 2026-01-05T08:00:00Z, long past: an overdue task
            s.store.createActivity(doc, Activity(kind = ActivityKind.TASK, status = ActivityStatus.PLANNED, subject = "Send price list", dueAt = 1767600000000))

            val agenda = AgendaHolder(s, scope)
            agenda.load()
            assertEquals(listOf("Tasting"), agenda.state.value.today.map { it.subject })
            val overdue = agenda.state.value.overdue.single()
            assertEquals("Send price list" to "Mon 5 Jan, 08:00", overdue.subject to overdue.time)
            assertEquals("Bakeriet", overdue.accountName)
            assertEquals("1 visit · 0 calls · 1 overdue task", agenda.state.value.figures)

            val accounts = AccountsHolder(s, scope)
            accounts.load()
            assertEquals(listOf("Aker Marina", "Bakeriet"), accounts.state.value.rows.map { it.title })
            val bakeriet = accounts.state.value.rows[1]
            assertTrue(bakeriet.warn)
            assertEquals("NOK500.00 overdue", bakeriet.trailing)

            // another write (as sync would make): both screens update without being asked
            s.store.createActivity(doc, Activity(kind = ActivityKind.CALL, status = ActivityStatus.PLANNED, subject = "Call back", startAt = now))
            s.store.createContact(doc, Contact(firstName = "Berit", lastName = "Baker"))
            withTimeout(WAIT_MS) { agenda.state.first { it.today.size == 2 } }

            // search finds accounts by name and people by name
            accounts.search("ber")
            assertEquals(listOf("Berit Baker"), accounts.state.value.rows.map { it.title })
            assertEquals(doc, accounts.state.value.rows.single().docId)
            agenda.close()
            accounts.close()
        }
    }
}
