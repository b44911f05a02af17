package dev.outpost.field.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.outpost.AgendaItem

data class AgendaRow(
    val docId: String,
    val activityId: String,
    /** "Visit", "Call", "Task". */
    val kind: String,
    val subject: String,
    val accountName: String,
    /** "09:30", or the day and time for overdue items; "" when unscheduled. */
    val time: String,
)

data class AgendaUi(
    val headline: String = "Today",
    /** "2 visits · 1 call · 3 overdue tasks · pipeline €12,000.00". */
    val figures: String = "",
    val today: List<AgendaRow> = emptyList(),
    val overdue: List<AgendaRow> = emptyList(),
)

/** Today's screen: the agenda and dashboard queries, refreshed when any document changes. */
class AgendaHolder(private val session: FieldSession, private val scope: CoroutineScope) : AutoCloseable {
    private val _state = MutableStateFlow(AgendaUi())
    val state: StateFlow<AgendaUi> = _state.asStateFlow()
    private var refresher: Refresher? = null

    /** Reads the agenda now, and from then on again whenever data changes. */
    suspend fun load() {
        val r = refresher ?: Refresher(scope, session) { read() }.also { refresher = it }
        r.run()
    }

    private suspend fun read() {
        val day = session.today()
        val agenda = session.store.agenda(day, session.userId)
        val dash = session.store.dashboard(day, session.userId, null)
        val offset = day.utcOffsetMinutes
        fun row(a: AgendaItem, overdue: Boolean) = AgendaRow(
            docId = a.docId,
            activityId = a.activityId,
            kind = Format.label(a.kind.name),
            subject = a.subject,
            accountName = a.accountName,
            time = a.at?.let {
                if (overdue) Format.dayAndTime(it, offset, session.locale) else Format.time(it, offset, session.locale)
            } ?: "",
        )
        val figures = listOfNotNull(
            plural(dash.visitsToday, "visit", "visits"),
            plural(dash.callsToday, "call", "calls"),
            dash.overdueTasks.takeIf { it > 0 }?.let { plural(it, "overdue task", "overdue tasks") },
            dash.openPipelineMinor.takeIf { dash.openDeals > 0 }?.let { "pipeline ${Format.money(it, dash.currency, session.locale)}" },
        ).joinToString(" · ")
        _state.value = AgendaUi(
            headline = "Today, ${Format.crmDate(day.date, locale = session.locale)}",
            figures = figures,
            today = agenda.today.map { row(it, false) },
            overdue = agenda.overdue.map { row(it, true) },
        )
    }

    override fun close() {
        refresher?.close()
        refresher = null
    }

    private fun plural(n: Long, one: String, many: String) = if (n == 1L) "1 $one" else "$n $many"
}
