package dev.outpost.field.logic

import uniffi.outpost.DateKind
import java.util.Locale

// The account card a rep reads in the car park before a visit, built from
// the core's records (generated Kotlin types) into plain rows for the screen.

data class ContactRow(
    val id: String,
    val name: String,
    val title: String?,
    val phone: String?,
    /** For a `tel:` link; null without a phone or when the contact opted out. */
    val dial: String?,
    val email: String?,
    val prefers: String?,
)

data class DealRow(
    val id: String,
    val name: String,
    val stageId: String,
    val stageName: String,
    val amount: String,
    val closes: String?,
)

data class OrderRow(
    val id: String,
    val title: String,
    val date: String,
    val amount: String,
    /** Still to pay, when anything is. */
    val outstanding: String?,
    /** A payment came in late or the order is past its due date unpaid. */
    val late: Boolean,
)

enum class TalkingKind { BIRTHDAY, FAMILY, HOBBY, MEMBERSHIP }

data class TalkingPoint(val kind: TalkingKind, val text: String)

/** A pipeline stage, as the deal-stage picker shows it. */
data class StageInfo(val id: String, val name: String, val meaning: String, val position: Long) {
    val open: Boolean get() = meaning == "open"
}

data class AccountCardUi(
    val docId: String,
    val name: String,
    val subtitle: String,
    val balance: String,
    /** "€120.00 overdue" when anything is overdue. */
    val overdue: String?,
    val contacts: List<ContactRow>,
    val openDeals: List<DealRow>,
    val lastOrders: List<OrderRow>,
    val talkingPoints: List<TalkingPoint>,
)

object AccountCard {
    /** How many orders the card shows (most recent first). */
    const val LAST_ORDERS = 3

    /** Birthdays and anniversaries this many days ahead are talking points. */
    const val DATES_AHEAD_DAYS = 30

    fun contactRow(c: uniffi.outpost.Contact): ContactRow {
        val phone = c.phones.firstOrNull { it.primary } ?: c.phones.firstOrNull()
        val email = c.emails.firstOrNull { it.primary } ?: c.emails.firstOrNull()
        return ContactRow(
            id = c.meta.id,
            name = fullName(c),
            title = listOfNotNull(c.title, c.role).distinct().joinToString(" · ").ifEmpty { null },
            phone = phone?.number?.let(Format::phone),
            dial = phone?.takeUnless { it.optedOut }?.number?.let(Format::dialable),
            email = email?.takeUnless { it.optedOut }?.address,
            prefers = listOfNotNull(
                c.preferredContactMethod?.name?.lowercase(Locale.ROOT),
                c.preferredContactTime,
            ).joinToString(", ").ifEmpty { null }?.let { "prefers $it" },
        )
    }

    fun fullName(c: uniffi.outpost.Contact): String = "${c.firstName} ${c.lastName}".trim()

    fun dealRow(d: uniffi.outpost.Deal, stages: List<StageInfo>, locale: Locale): DealRow = DealRow(
        id = d.meta.id,
        name = d.name,
        stageId = d.stageId,
        stageName = stages.firstOrNull { it.id == d.stageId }?.name ?: d.stageId,
        amount = Format.money(d.amountMinor, d.currency, locale),
        closes = d.expectedClose?.let { "closes ${Format.crmDate(it, withYear = true, locale = locale)}" },
    )

    /** A deal is open unless its stage means won or lost (unknown stages count as open). */
    fun isOpen(d: uniffi.outpost.Deal, stages: List<StageInfo>): Boolean =
        stages.firstOrNull { it.id == d.stageId }?.open ?: true

    fun orderRow(o: uniffi.outpost.Order, todayIso: String, locale: Locale, utcOffsetMinutes: Int): OrderRow {
        val total = if (o.totalMinor != 0L || o.lines.isEmpty()) o.totalMinor else o.lines.sumOf { lineTotal(it) }
        val paid = o.payments.sumOf { it.amountMinor }
        val outstanding = total - paid
        val pastDue = outstanding > 0 && o.dueDate != null && o.dueDate!! < todayIso
        return OrderRow(
            id = o.meta.id,
            title = o.number?.let { "Order $it" } ?: "Order",
            date = Format.dayAndTime(o.orderedAt, utcOffsetMinutes, locale).substringBefore(','),
            amount = Format.money(total, o.currency, locale),
            outstanding = if (outstanding > 0) "${Format.money(outstanding, o.currency, locale)} open" else null,
            late = pastDue || o.payments.any { it.late },
        )
    }

    /** Same rule as the core's `LineItem::total_minor`, for orders stored with lines only. */
    fun lineTotal(l: uniffi.outpost.LineItem): Long {
        val gross = l.quantityMilli.toBigInteger() * l.unitPriceMinor.toBigInteger() / 1000.toBigInteger()
        val discount = (l.discountPercent ?: 0.0).coerceIn(0.0, 100.0)
        return Math.round(gross.toDouble() * (1.0 - discount / 100.0))
    }

    /**
     * Things to talk about: birthdays and anniversaries coming up (from the
     * core's upcoming-dates query for this account), each contact's family
     * and hobbies, and the groups they belong to.
     */
    fun talkingPoints(
        contacts: List<uniffi.outpost.Contact>,
        upcoming: List<uniffi.outpost.UpcomingDate>,
        locale: Locale,
    ): List<TalkingPoint> {
        val out = mutableListOf<TalkingPoint>()
        for (u in upcoming.sortedBy { it.daysAway }) {
            if (u.daysAway > DATES_AHEAD_DAYS) continue
            val contact = u.contactName ?: u.accountName
            // what the core's upcoming-dates query puts in `label` depends on the kind
            val (who, what) = when (u.kind) {
                DateKind.BIRTHDAY -> contact to "birthday"
                DateKind.FAMILY_BIRTHDAY -> "${u.label} ($contact's family)" to "birthday"
                DateKind.ANNIVERSARY -> "$contact & ${u.label}" to "anniversary"
                DateKind.PURCHASE_ANNIVERSARY -> u.accountName to "first purchase anniversary"
                DateKind.IMPORTANT_DATE -> contact to (u.label ?: "important date")
            }
            val years = u.years?.let { if (what == "birthday") " (turns $it)" else " ($it years)" } ?: ""
            out += TalkingPoint(
                TalkingKind.BIRTHDAY,
                "$who: $what ${Format.relativeDays(u.daysAway)}, ${Format.crmDate(u.date, locale = locale)}$years",
            )
        }
        for (c in contacts.filter { !it.meta.archived }) {
            val name = c.firstName.ifBlank { fullName(c) }
            val family = c.family.map { f -> listOfNotNull(f.relation, f.name).joinToString(" ") }
            if (family.isNotEmpty()) out += TalkingPoint(TalkingKind.FAMILY, "$name: ${family.joinToString(", ")}")
            if (c.hobbies.isNotEmpty()) out += TalkingPoint(TalkingKind.HOBBY, "$name likes ${c.hobbies.joinToString(", ")}")
            if (c.memberships.isNotEmpty()) out += TalkingPoint(TalkingKind.MEMBERSHIP, "$name: member of ${c.memberships.joinToString(", ")}")
        }
        return out
    }

    fun build(
        docId: String,
        account: uniffi.outpost.Account,
        contacts: List<uniffi.outpost.Contact>,
        deals: List<uniffi.outpost.Deal>,
        stages: List<StageInfo>,
        orders: List<uniffi.outpost.Order>,
        upcoming: List<uniffi.outpost.UpcomingDate>,
        todayIso: String,
        utcOffsetMinutes: Int,
        locale: Locale,
    ): AccountCardUi {
        val currency = account.balance.currency ?: account.currency
        val live = contacts.filter { !it.meta.archived }
        return AccountCardUi(
            docId = docId,
            name = account.name,
            subtitle = listOfNotNull(
                account.accountType?.name?.lowercase(Locale.ROOT),
                account.lifecycleStage?.name?.lowercase(Locale.ROOT),
                account.valueTier?.let { "tier $it" },
                account.territory,
            ).joinToString(" · "),
            balance = Format.money(account.balance.balanceMinor, currency, locale),
            overdue = account.balance.overdueMinor.takeIf { it > 0 }?.let { "${Format.money(it, currency, locale)} overdue" },
            contacts = live.sortedBy { fullName(it).lowercase(locale) }.map(::contactRow),
            openDeals = deals.filter { !it.meta.archived && isOpen(it, stages) }
                .sortedByDescending { it.amountMinor }
                .map { dealRow(it, stages, locale) },
            lastOrders = orders.filter { !it.meta.archived }
                .sortedByDescending { it.orderedAt }
                .take(LAST_ORDERS)
                .map { orderRow(it, todayIso, locale, utcOffsetMinutes) },
            talkingPoints = talkingPoints(live, upcoming.filter { it.docId == docId }, locale),
        )
    }
}
