package dev.outpost.field.ui

import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.clickable
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalContext
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import dev.outpost.field.logic.AccountCardHolder
import dev.outpost.field.logic.DealRow
import dev.outpost.field.logic.FieldSession
import kotlinx.coroutines.launch

/**
 * The account card before a visit: balance, contacts (tap to call), open
 * deals (tap to move the stage), last orders and talking points; "Log visit
 * or call" opens the quick-log sheet.
 */
@Composable
fun AccountCardScreen(session: FieldSession, docId: String, onConflicts: () -> Unit) {
    val scope = rememberCoroutineScope()
    val holder = remember(docId) { AccountCardHolder(session, docId, scope) }
    val card by holder.card.collectAsStateWithLifecycle()
    val conflicts by holder.conflictCount.collectAsStateWithLifecycle()
    var logging by remember { mutableStateOf(false) }
    var moving by remember { mutableStateOf<DealRow?>(null) }
    val context = LocalContext.current
    LaunchedEffect(docId) { holder.load() }
    DisposableEffect(docId) { onDispose { holder.close() } }

    val ui = card
    if (ui == null) {
        Text("Loading…")
        return
    }
    LazyColumn {
        item {
            Text(ui.name, style = MaterialTheme.typography.headlineSmall)
            Text(ui.subtitle, style = MaterialTheme.typography.bodySmall)
            Text("Balance ${ui.balance}")
            ui.overdue?.let { Text(it, color = Color(0xFFC62828)) }
            if (conflicts > 0) TextButton(onClick = onConflicts) { Text("$conflicts field(s) edited on two phones: resolve") }
            Button(onClick = { logging = true }) { Text("Log visit or call") }
        }
        item { Text("Talking points", style = MaterialTheme.typography.titleMedium) }
        items(ui.talkingPoints) { Text("• ${it.text}") }
        item { Text("Contacts", style = MaterialTheme.typography.titleMedium) }
        items(ui.contacts, key = { it.id }) { c ->
            ListItem(
                modifier = Modifier.clickable(enabled = c.dial != null) {
                    context.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:${c.dial}")))
                },
                headlineContent = { Text(c.name) },
                supportingContent = { Text(listOfNotNull(c.title, c.phone, c.email, c.prefers).joinToString("\n")) },
            )
        }
        item { Text("Open deals", style = MaterialTheme.typography.titleMedium) }
        items(ui.openDeals, key = { it.id }) { d ->
            ListItem(
                modifier = Modifier.clickable { moving = d },
                headlineContent = { Text(d.name) },
                supportingContent = { Text(listOfNotNull(d.stageName, d.closes).joinToString(" · ")) },
                trailingContent = { Text(d.amount) },
            )
        }
        item { Text("Last orders", style = MaterialTheme.typography.titleMedium) }
        items(ui.lastOrders, key = { it.id }) { o ->
            ListItem(
                headlineContent = { Text("${o.title} · ${o.date}") },
                supportingContent = { o.outstanding?.let { Text(it, color = if (o.late) Color(0xFFC62828) else Color.Unspecified) } },
                trailingContent = { Text(o.amount) },
            )
        }
    }

    if (logging) QuickLogSheet(holder, onDismiss = { logging = false })
    moving?.let { deal ->
        AlertDialog(
            onDismissRequest = { moving = null },
            title = { Text("Move ${deal.name}") },
            text = {
                LazyColumn {
                    items(holder.stages(deal.id)) { s ->
                        TextButton(onClick = {
                            scope.launch { holder.moveDeal(deal.id, s.id) }
                            moving = null
                        }) { Text(if (s.id == deal.stageId) "${s.name} (now)" else s.name) }
                    }
                }
            },
            confirmButton = { TextButton(onClick = { moving = null }) { Text("Cancel") } },
        )
    }
}
