package dev.outpost.field.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import dev.outpost.field.logic.SyncBadge

/** The one-line sync state on top of every screen (rules: logic/SyncStatusModel.kt). */
@Composable
fun SyncBanner(badge: SyncBadge, onClick: () -> Unit) {
    Column(
        Modifier
            .fillMaxWidth()
            .background(Color(badge.tone.argb))
            .clickable(enabled = badge.actionable, onClick = onClick)
            .padding(horizontal = 16.dp, vertical = 6.dp),
    ) {
        Text(badge.text, color = Color.White)
        badge.progress?.let { LinearProgressIndicator(progress = { it }, modifier = Modifier.fillMaxWidth()) }
    }
}
