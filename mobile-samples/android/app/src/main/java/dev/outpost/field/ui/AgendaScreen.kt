package dev.outpost.field.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import dev.outpost.field.logic.AgendaHolder
import dev.outpost.field.logic.AgendaRow
import dev.outpost.field.logic.FieldSession

/** Today: the day's visits and calls, what is overdue, and the day's figures. */
@Composable
fun AgendaScreen(session: FieldSession, onOpen: (docId: String) -> Unit) {
    val scope = rememberCoroutineScope()
    val holder = remember { AgendaHolder(session, scope) }
    val ui by holder.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { holder.load() }
    DisposableEffect(Unit) { onDispose { holder.close() } }
    LazyColumn {
        item { Text(ui.headline, style = MaterialTheme.typography.titleMedium) }
        item { Text(ui.figures, style = MaterialTheme.typography.bodySmall) }
        if (ui.overdue.isNotEmpty()) item { Text("Overdue", color = Color(0xFFC62828)) }
        items(ui.overdue, key = { "o" + it.activityId }) { AgendaLine(it, onOpen) }
        item { Text("Today") }
        items(ui.today, key = { "t" + it.activityId }) { AgendaLine(it, onOpen) }
        if (ui.today.isEmpty()) item { Text("Nothing planned today.") }
    }
}

@Composable
private fun AgendaLine(row: AgendaRow, onOpen: (String) -> Unit) {
    ListItem(
        modifier = Modifier.clickable { onOpen(row.docId) },
        overlineContent = { Text("${row.time} · ${row.kind}") },
        headlineContent = { Text(row.subject) },
        supportingContent = { Text(row.accountName) },
    )
}
