package dev.outpost.field.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedTextField
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
import dev.outpost.field.logic.AccountsHolder
import dev.outpost.field.logic.FieldSession
import kotlinx.coroutines.launch

/** Accounts, and search over accounts and contacts. */
@Composable
fun AccountsScreen(session: FieldSession, onOpen: (docId: String) -> Unit) {
    val scope = rememberCoroutineScope()
    val holder = remember { AccountsHolder(session, scope) }
    val ui by holder.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { holder.load() }
    DisposableEffect(Unit) { onDispose { holder.close() } }
    LazyColumn {
        item {
            OutlinedTextField(
                value = ui.query,
                onValueChange = { q -> scope.launch { holder.search(q) } },
                label = { Text("Search accounts and people") },
                modifier = Modifier.fillMaxWidth(),
            )
        }
        items(ui.rows, key = { it.key }) { row ->
            ListItem(
                modifier = Modifier.clickable { onOpen(row.docId) },
                headlineContent = { Text(row.title) },
                supportingContent = { Text(row.subtitle) },
                trailingContent = {
                    row.trailing?.let { Text(it, color = if (row.warn) Color(0xFFC62828) else Color.Unspecified) }
                },
            )
        }
    }
}
