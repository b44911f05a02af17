package dev.outpost.field.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ModalBottomSheet
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import dev.outpost.field.logic.AccountCardHolder
import dev.outpost.field.logic.QuickKind
import dev.outpost.field.logic.QuickLog
import kotlinx.coroutines.launch

/** Log a visit or a call: kind, one outcome chip, optional note and follow-up; three taps minimum. */
@OptIn(ExperimentalMaterial3Api::class, ExperimentalLayoutApi::class)
@Composable
fun QuickLogSheet(holder: AccountCardHolder, onDismiss: () -> Unit) {
    val form by holder.quickLog.collectAsStateWithLifecycle()
    val card by holder.card.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    ModalBottomSheet(onDismissRequest = onDismiss) {
        Column {
            FlowRow {
                for (k in QuickKind.entries) {
                    FilterChip(selected = form.kind == k, onClick = { holder.pickKind(k) }, label = { Text(k.label) })
                }
            }
            FlowRow {
                for ((value, label) in QuickLog.outcomes(form.kind)) {
                    FilterChip(selected = form.outcome == value, onClick = { holder.pickOutcome(value) }, label = { Text(label) })
                }
            }
            FlowRow {
                for (c in card?.contacts.orEmpty()) {
                    FilterChip(selected = form.contactId == c.id, onClick = { holder.pickContact(c.id) }, label = { Text(c.name) })
                }
            }
            FlowRow {
                for (days in listOf(1, 7, 30)) {
                    FilterChip(
                        selected = form.followUpDays == days,
                        onClick = { holder.pickFollowUp(if (form.followUpDays == days) null else days) },
                        label = { Text("Follow up in $days d") },
                    )
                }
            }
            OutlinedTextField(value = form.note, onValueChange = holder::setNote, label = { Text("Note (optional)") })
            Button(
                enabled = QuickLog.canSave(form),
                onClick = { scope.launch { if (holder.saveQuickLog()) onDismiss() } },
            ) { Text("Save ${QuickLog.subject(form)}") }
        }
    }
}
