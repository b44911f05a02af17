package dev.outpost.field.ui

import android.content.SharedPreferences
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import dev.outpost.field.logic.FieldSession
import dev.outpost.field.logic.SyncHolder

@Composable
fun FieldApp(session: FieldSession, prefs: SharedPreferences) {
    val nav = rememberNavController()
    val sync = remember { SyncHolder(session) }
    val badge by sync.badge.collectAsStateWithLifecycle()
    val back by nav.currentBackStackEntryAsState()
    MaterialTheme {
        Scaffold(
            topBar = { SyncBanner(badge, onClick = { nav.navigate("accounts") }) },
            bottomBar = {
                NavigationBar {
                    for ((route, label) in listOf("agenda" to "Today", "accounts" to "Accounts", "settings" to "Sync")) {
                        NavigationBarItem(
                            selected = back?.destination?.route == route,
                            onClick = { nav.navigate(route) { launchSingleTop = true } },
                            icon = {},
                            label = { Text(label) },
                        )
                    }
                }
            },
        ) { padding ->
            Column(Modifier.padding(padding)) {
                NavHost(nav, startDestination = "agenda") {
                    composable("agenda") { AgendaScreen(session, onOpen = { nav.navigate("account/$it") }) }
                    composable("accounts") { AccountsScreen(session, onOpen = { nav.navigate("account/$it") }) }
                    composable("account/{doc}") { entry ->
                        val doc = entry.arguments?.getString("doc") ?: return@composable
                        AccountCardScreen(session, doc, onConflicts = { nav.navigate("conflicts/$doc") })
                    }
                    composable("conflicts/{doc}") { entry ->
                        val doc = entry.arguments?.getString("doc") ?: return@composable
                        ConflictsScreen(session, doc, onDone = { nav.popBackStack() })
                    }
                    composable("settings") { SettingsScreen(sync, prefs) }
                }
            }
        }
    }
}
