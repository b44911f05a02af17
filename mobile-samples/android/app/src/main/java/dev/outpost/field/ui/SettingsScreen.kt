package dev.outpost.field.ui

import android.content.SharedPreferences
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import dev.outpost.field.logic.SyncHolder
import kotlinx.coroutines.launch

/** Server URL and token; start or stop sync. (A real app keeps the token in the Android Keystore.) */
@Composable
fun SettingsScreen(sync: SyncHolder, prefs: SharedPreferences) {
    val scope = rememberCoroutineScope()
    var url by remember { mutableStateOf(prefs.getString("url", "ws://10.0.2.2:8080/sync") ?: "") }
    var token by remember { mutableStateOf("") }
    val badge by sync.badge.collectAsStateWithLifecycle()
    Column {
        OutlinedTextField(value = url, onValueChange = { url = it }, label = { Text("Server (ws:// or wss://…/sync)") })
        OutlinedTextField(
            value = token,
            onValueChange = { token = it },
            label = { Text("Token") },
            visualTransformation = PasswordVisualTransformation(),
        )
        Button(onClick = {
            prefs.edit().putString("url", url).apply()
            scope.launch { sync.start(url, token) }
        }) { Text("Start sync") }
        Button(onClick = { scope.launch { sync.stop() } }) { Text("Stop sync") }
        Text(badge.text)
    }
}
