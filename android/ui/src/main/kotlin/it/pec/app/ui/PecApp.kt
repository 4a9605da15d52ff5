package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.width
import androidx.compose.material3.DrawerValue
import androidx.compose.material3.ModalDrawerSheet
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.ModalNavigationDrawer
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.rememberDrawerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import it.pec.core.App
import it.pec.core.FolderKind
import it.pec.core.ViewRef
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/** The unlocked app: the ☰ drawer over the list of the folder it opened (the inbox at first). */
@Composable
fun PecApp(app: App, strings: Strings) {
    val presenters = remember { CoroutineScope(SupervisorJob() + Dispatchers.Default) }
    DisposableEffect(Unit) { onDispose { presenters.cancel() } }
    val drawer = remember { DrawerPresenter(app, presenters) }
    val drawerState by drawer.state.collectAsState()
    var view by remember { mutableStateOf<ViewRef>(ViewRef.Inbox) }
    val sheet = rememberDrawerState(DrawerValue.Closed)
    val ui = rememberCoroutineScope()
    ModalNavigationDrawer(
        drawerState = sheet,
        drawerContent = {
            ModalDrawerSheet(Modifier.width(320.dp).fillMaxHeight()) {
                DrawerScreen(drawerState, strings, onSelectAccount = drawer::select, onOpen = {
                    view = it
                    ui.launch { sheet.close() }
                })
            }
        },
    ) {
        Column {
            val title = drawerState.entries.firstOrNull { it.view == view }?.let { menuLabel(it, strings) }
                ?: strings.folder(FolderKind.INBOX, "INBOX")
            Row(verticalAlignment = Alignment.CenterVertically) {
                TextButton(
                    onClick = { ui.launch { sheet.open() } },
                    modifier = Modifier.semantics { contentDescription = strings.menu }.testTag("menu"),
                ) { Text("☰") }
                Text(title, Modifier.testTag("title"), style = MaterialTheme.typography.titleLarge)
            }
            val account = drawerState.selected
            if (account != null) {
                // A new list (and presenter, with its own scope) for each account and folder.
                key(account, view) {
                    val scope = remember { CoroutineScope(SupervisorJob() + Dispatchers.Default) }
                    DisposableEffect(Unit) { onDispose { scope.cancel() } }
                    val list = remember { MessageListPresenter(app, scope, account, view) }
                    val listState by list.state.collectAsState()
                    MessageListScreen(listState, strings, list::setHideReceipts, onOpen = {}, onLoadMore = list::loadMore)
                }
            }
        }
    }
}
