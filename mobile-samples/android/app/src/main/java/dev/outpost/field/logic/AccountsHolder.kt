package dev.outpost.field.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import uniffi.outpost.AccountFilter
import uniffi.outpost.AccountSort
import uniffi.outpost.AccountSummary
import uniffi.outpost.ContactHit

/** A line of the account list: an account, or a contact found by search (opens its account). */
data class AccountListRow(
    val key: String,
    val docId: String,
    val title: String,
    val subtitle: String,
    /** Balance, or "… overdue". */
    val trailing: String?,
    val warn: Boolean,
)

data class AccountsUi(val query: String = "", val rows: List<AccountListRow> = emptyList())

/** The account list and its one search box over account names and contacts. */
class AccountsHolder(private val session: FieldSession, private val scope: CoroutineScope) : AutoCloseable {
    private val _state = MutableStateFlow(AccountsUi())
    val state: StateFlow<AccountsUi> = _state.asStateFlow()
    private var refresher: Refresher? = null

    /** Reads the list now, and from then on again whenever data changes. */
    suspend fun load() {
        val r = refresher ?: Refresher(scope, session) { read() }.also { refresher = it }
        r.run()
    }

    suspend fun search(query: String) {
        _state.update { it.copy(query = query) }
        load()
    }

    private suspend fun read() {
        val query = _state.value.query
        val q = query.trim()
        val accounts = session.store.listAccounts(
            AccountFilter(nameContains = q.ifEmpty { null }, sort = AccountSort.NAME),
        )
        val contacts = if (q.isEmpty()) emptyList() else session.store.searchContacts(q, CONTACT_HITS)
        val rows = accounts.map(::accountRow) + contacts.map(::contactRow)
        // a result for an older query must not overwrite a newer one; check and
        // write in one atomic step, or a search typed meanwhile is lost
        _state.update { if (it.query != query) it else AccountsUi(query, rows) }
    }

    fun accountRow(a: AccountSummary): AccountListRow {
        val overdue = a.overdueMinor > 0
        return AccountListRow(
            key = "a:${a.docId}",
            docId = a.docId,
            title = a.name,
            subtitle = listOfNotNull(a.lifecycleStage?.let { Format.label(it.name) }, a.territory).joinToString(" · "),
            trailing = if (overdue) {
                "${Format.money(a.overdueMinor, a.currency, session.locale)} overdue"
            } else if (a.balanceMinor != 0L) {
                Format.money(a.balanceMinor, a.currency, session.locale)
            } else {
                null
            },
            warn = overdue,
        )
    }

    private fun contactRow(c: ContactHit) = AccountListRow(
        key = "c:${c.docId}:${c.contactId}",
        docId = c.docId,
        title = c.fullName,
        subtitle = listOfNotNull(c.title, c.accountName).joinToString(" · "),
        trailing = c.phone?.let(Format::phone),
        warn = false,
    )

    override fun close() {
        refresher?.close()
        refresher = null
    }

    companion object {
        const val CONTACT_HITS = 20
    }
}
