package readme.firstday

import kotlinx.coroutines.runBlocking
import uniffi.outpost.*

class Printer : DataObserver {
    override fun onDocumentChanged(documentId: String, records: List<RecordRef>) =
        println("changed: $documentId ${records.map { "${it.kind} ${it.id}" }}")

    override fun onDocumentRemoved(documentId: String) = println("removed: $documentId")
}

suspend fun firstDay(path: String, deviceId: String) {
    // use {} closes the store: sync stopped, observers released, file let go
    openStore(path, userId = "u-42", deviceId = deviceId).use { store ->
        store.addDataObserver(Printer())
        val acme = store.createAccount(Account(name = "Acme", lifecycleStage = LifecycleStage.ACQUISITION))
        val kari = store.createContact(acme, Contact(firstName = "Kari", lastName = "Nordmann"))

        // a visit and its follow-up task: both are written, or neither
        val batch = WriteBatch()
        val visit = batch.createActivity(acme, Activity(kind = ActivityKind.VISIT, status = ActivityStatus.DONE,
            subject = "Quarterly visit", contactIds = listOf(kari), startAt = System.currentTimeMillis()))
        batch.createActivity(acme, Activity(kind = ActivityKind.TASK, status = ActivityStatus.PLANNED,
            subject = "Send the offer", contactIds = listOf(kari), body = "after visit $visit"))
        store.applyBatch(batch)

        for (hit in store.searchContacts("kar", limit = 20)) println("${hit.fullName} at ${hit.accountName}")
        for (item in store.agenda(today(utcOffsetMinutes = 60)).today) println("${item.kind}: ${item.subject}")

        store.updateContact(acme, checkNotNull(store.getContact(acme, kari)).copy(title = "Buyer"))
        for (change in store.history(acme, RecordKind.CONTACT, kari, field = "title")) {
            val title = change.newValue
            if (title is FieldValue.Text) println("title is now ${title.value}, set by ${change.author?.userId}")
        }
        try {
            store.agenda(Day(date = "2024-13-45", utcOffsetMinutes = 0))
        } catch (e: OutpostException.Invalid) {
            println(e.message) // invalid: date: not a calendar date YYYY-MM-DD (e.g. 2024-12-31)
        }
    }
}

fun main() = runBlocking { firstDay("outpost.db", deviceId = newId()) } // keep the device id
