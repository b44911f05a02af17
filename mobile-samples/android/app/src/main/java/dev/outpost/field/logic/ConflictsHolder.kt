package dev.outpost.field.logic

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.outpost.Conflict

/** The resolve screen for one account: every conflicted field and its values. */
class ConflictsHolder(private val session: FieldSession, val docId: String) : AutoCloseable {
    private val _state = MutableStateFlow<List<ConflictUi>>(emptyList())
    val state: StateFlow<List<ConflictUi>> = _state.asStateFlow()
    private var raw: List<Conflict> = emptyList()

    suspend fun load() {
        raw = session.store.conflicts(docId)
        _state.value = raw.map { Conflicts.ui(it, session.utcOffsetMinutes(), session.locale) }
    }

    /** Keeps the value `valueId` of the field shown as `c`, then re-reads the list. */
    suspend fun keep(c: ConflictUi, valueId: String) {
        val conflict = raw.first { it.recordId == c.recordId && it.field == c.field }
        session.store.resolveConflict(docId, conflict.kind, conflict.recordId, conflict.field, valueId)
        load()
    }

    override fun close() = Unit
}
