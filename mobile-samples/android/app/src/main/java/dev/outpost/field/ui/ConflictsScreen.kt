package dev.outpost.field.ui

import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import dev.outpost.field.logic.ConflictsHolder
import dev.outpost.field.logic.FieldSession
import kotlinx.coroutines.launch

/** Fields two phones set at the same time: every value, who wrote it and when; keep one. */
@Composable
fun ConflictsScreen(session: FieldSession, docId: String, onDone: () -> Unit) {
    val scope = rememberCoroutineScope()
    val holder = remember(docId) { ConflictsHolder(session, docId) }
    val list by holder.state.collectAsStateWithLifecycle()
    LaunchedEffect(docId) { holder.load() }
    DisposableEffect(docId) { onDispose { holder.close() } }
    if (list.isEmpty()) {
        TextButton(onClick = onDone) { Text("No conflicts left. Back") }
        return
    }
    LazyColumn {
        items(list, key = { it.recordId + it.field }) { c ->
            Card {
                Text(c.title, style = MaterialTheme.typography.titleMedium)
                for (o in c.options) {
                    ListItem(
                        headlineContent = { Text(o.text + if (o.current) "  (shown now)" else "") },
                        supportingContent = { Text(o.byline) },
                        trailingContent = {
                            TextButton(onClick = { scope.launch { holder.keep(c, o.valueId) } }) { Text("Keep") }
                        },
                    )
                }
            }
        }
    }
}
