package dev.outpost.field.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.outpost.Activity
import uniffi.outpost.ActivityKind
import uniffi.outpost.ActivityStatus
import uniffi.outpost.DocKind
import uniffi.outpost.Pipeline
import java.util.Locale

/**
 * The account card, the quick-log sheet and the deal-stage picker for one
 * account document. Re-reads the card whenever the document changes (an edit
 * here, or one that arrived through sync).
 */
class AccountCardHolder(
    private val session: FieldSession,
    val docId: String,
    private val scope: CoroutineScope,
) : AutoCloseable {
    private val _card = MutableStateFlow<AccountCardUi?>(null)
    val card: StateFlow<AccountCardUi?> = _card.asStateFlow()
    private val _conflicts = MutableStateFlow(0)
    val conflictCount: StateFlow<Int> = _conflicts.asStateFlow()
    private val _quickLog = MutableStateFlow(QuickLogForm())
    val quickLog: StateFlow<QuickLogForm> = _quickLog.asStateFlow()
    private var pipelines: List<Pipeline> = emptyList()
    private var dealPipelines: Map<String, String> = emptyMap()
    private var refresher: Refresher? = null

    /** Reads the card now, and from then on again whenever this document changes. */
    suspend fun load() {
        val r = refresher ?: Refresher(scope, session, { it.docId == docId }) { read() }.also { refresher = it }
        r.run()
    }

    private suspend fun read() {
        val store = session.store
        val account = store.getAccount(docId) ?: return
        val contacts = store.listContacts(docId)
        val deals = store.listDeals(docId)
        val orders = store.listOrders(docId)
        val day = session.today()
        val upcoming = store.upcomingDates(day, AccountCard.DATES_AHEAD_DAYS)
        pipelines = store.documents().filter { it.kind == DocKind.SETTINGS }.flatMap { store.listPipelines(it.id) }
        dealPipelines = deals.associate { it.meta.id to it.pipelineId }
        val stages = pipelines.flatMap(::stageInfos)
        _card.value = AccountCard.build(
            docId, account, contacts, deals, stages, orders, upcoming,
            todayIso = day.date, utcOffsetMinutes = day.utcOffsetMinutes, locale = session.locale,
        )
        _conflicts.value = store.conflicts(docId).size
    }

    /** The stages a deal can move to: its pipeline's, in order. */
    fun stages(dealId: String? = null): List<StageInfo> {
        val pid = dealId?.let { dealPipelines[it] }
        val p = pipelines.firstOrNull { it.meta.id == pid } ?: pipelines.firstOrNull() ?: return emptyList()
        return stageInfos(p)
    }

    suspend fun moveDeal(dealId: String, stageId: String) {
        session.store.moveDealStage(docId, dealId, stageId)
    }

    fun pickKind(kind: QuickKind) = _quickLog.update { QuickLog.withKind(it, kind) }

    fun pickOutcome(outcome: String) = _quickLog.update { it.copy(outcome = outcome) }

    fun pickContact(contactId: String?) = _quickLog.update { it.copy(contactId = if (it.contactId == contactId) null else contactId) }

    fun pickFollowUp(days: Int?) = _quickLog.update { it.copy(followUpDays = days) }

    fun setNote(note: String) = _quickLog.update { it.copy(note = note) }

    /** Writes the visit or call (and its follow-up); false when the form is not complete. */
    suspend fun saveQuickLog(): Boolean {
        val form = _quickLog.value
        if (!QuickLog.canSave(form)) return false
        for (w in QuickLog.writes(form, session.nowMs(), session.utcOffsetMinutes())) {
            session.store.createActivity(docId, activity(w))
        }
        _quickLog.value = QuickLogForm(kind = form.kind)
        return true
    }

    override fun close() {
        refresher?.close()
        refresher = null
    }

    private fun activity(w: PlannedWrite): Activity {
        val done = w.status == "done"
        return Activity(
            kind = ActivityKind.valueOf(w.kind.uppercase(Locale.ROOT)),
            subject = w.subject,
            status = if (done) ActivityStatus.DONE else ActivityStatus.PLANNED,
            outcome = w.outcome,
            contactIds = w.contactIds,
            startAt = w.atMs,
            completedAt = if (done) w.atMs else null,
            body = w.body,
        )
    }

    private fun stageInfos(p: Pipeline): List<StageInfo> = p.stages
        .map { StageInfo(it.id, it.name, it.meaning.name.lowercase(Locale.ROOT), it.position) }
        .sortedBy { it.position }

    private inline fun <T> MutableStateFlow<T>.update(f: (T) -> T) {
        value = f(value)
    }
}
