package it.pec.app.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.material3.DrawerValue
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.ModalDrawerSheet
import androidx.compose.material3.ModalNavigationDrawer
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.VerticalDivider
import androidx.compose.material3.rememberDrawerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
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

/** Windows at least this wide (tablets, unfolded phones) show the list beside the message. */
private val TwoPaneWidth = 840.dp

/** A scope for one screen's presenter, cancelled when the screen leaves the composition. */
@Composable
private fun rememberPresenterScope(): CoroutineScope {
    val scope = remember { CoroutineScope(SupervisorJob() + Dispatchers.Default) }
    DisposableEffect(Unit) { onDispose { scope.cancel() } }
    return scope
}

/**
 * The unlocked app: the ☰ drawer over the screen on top of [navigator]'s stack, the mailbox (the
 * list of the folder the drawer opened, the inbox at first) at its root. On a wide window an open
 * message or invoice is drawn beside the list. With no account yet, the mailbox is the setup.
 * With [keepInSync] (the activity is started), new mail and receipts arrive while it is shown.
 */
@Composable
fun PecApp(
    app: App,
    strings: Strings,
    platform: Platform,
    navigator: Navigator = remember { Navigator() },
    start: ViewRef = ViewRef.Inbox,
    drawerOpen: Boolean = false,
    keepInSync: Boolean = false,
) {
    // On screen (the activity started and unlocked): the core keeps every account current.
    DisposableEffect(app, keepInSync) {
        val live = if (keepInSync) runCatching { app.startLiveSync() }.getOrNull() else null
        onDispose { live?.stop() }
    }
    val presenters = rememberPresenterScope()
    val drawer = remember { DrawerPresenter(app, presenters) }
    val drawerState by drawer.state.collectAsState()
    val stack by navigator.stack.collectAsState()
    var view by remember { mutableStateOf(start) }
    val sheet = rememberDrawerState(if (drawerOpen) DrawerValue.Open else DrawerValue.Closed)
    val ui = rememberCoroutineScope()
    val top = stack.last()
    val shared by navigator.shared.collectAsState()
    LaunchedEffect(drawerState.selected, shared) { drawerState.selected?.let(navigator::composeShared) }
    // The system closed the app while a PEC was being written: it opens again as it was.
    LaunchedEffect(app) {
        val kept = runCatching { app.keptComposes() }.getOrNull()?.firstOrNull() ?: return@LaunchedEffect
        if (navigator.stack.value.none { it is Screen.Compose }) {
            navigator.open(Screen.Compose(kept.accountId, kept.draft, kept = kept.id))
        }
    }
    val folderTitle = drawerState.entries.firstOrNull { it.view == view }?.let { menuLabel(it, strings) }
        ?: when (view) {
            ViewRef.Sent -> strings.folder(FolderKind.SENT, "Sent")
            ViewRef.Invoices -> strings.invoicesFolder
            ViewRef.Receipts -> strings.receiptsFolder
            ViewRef.Undelivered -> strings.undeliveredFolder
            else -> strings.folder(FolderKind.INBOX, "INBOX")
        }
    ModalNavigationDrawer(
        drawerState = sheet,
        drawerContent = {
            ModalDrawerSheet(Modifier.width(320.dp).fillMaxHeight()) {
                DrawerScreen(
                    drawerState, strings, onSelectAccount = { drawer.select(it); navigator.home() },
                    onOpen = {
                        view = it
                        navigator.home()
                        ui.launch { sheet.close() }
                    },
                    onLink = {
                        navigator.home()
                        navigator.open(it)
                        ui.launch { sheet.close() }
                    },
                )
            }
        },
    ) {
        Surface(Modifier.fillMaxSize()) {
            Column {
                Row(verticalAlignment = Alignment.CenterVertically) {
                    if (stack.size > 1) {
                        TextButton({ navigator.back() }, Modifier.semantics { contentDescription = strings.back }.testTag("back")) { Text("←") }
                    } else {
                        TextButton({ ui.launch { sheet.open() } }, Modifier.semantics { contentDescription = strings.menu }.testTag("menu")) { Text("☰") }
                    }
                    Text(title(top, folderTitle, strings), Modifier.weight(1f).testTag("title"), style = MaterialTheme.typography.titleLarge)
                    val account = drawerState.selected
                    if (account != null && top == Screen.Mailbox) {
                        // The folder the list shows, for "only in this folder".
                        val folder = (view as? ViewRef.Folder)?.id
                            ?: drawerState.entries.firstOrNull { view == ViewRef.Inbox && it.kind == FolderKind.INBOX }
                                ?.let { (it.view as? ViewRef.Folder)?.id }
                        TextButton({ navigator.open(Screen.Search(account, folder)) },
                            Modifier.semantics { contentDescription = strings.search }.testTag("open-search")) { Text("🔍") }
                    }
                }
                BoxWithConstraints(Modifier.weight(1f)) {
                    val account = drawerState.selected
                    when {
                        drawerState.loaded && drawerState.accounts.isEmpty() -> Setup(app, strings, navigator)
                        account == null -> Unit
                        top == Screen.Mailbox -> Mailbox(app, strings, account, view, navigator)
                        maxWidth >= TwoPaneWidth && (top is Screen.Message || top is Screen.Invoice) -> Row {
                            Box(Modifier.weight(2f)) { Mailbox(app, strings, account, view, navigator) }
                            VerticalDivider()
                            Box(Modifier.weight(3f)) { Detail(app, strings, platform, top, drawerState, navigator) }
                        }
                        else -> Detail(app, strings, platform, top, drawerState, navigator)
                    }
                }
            }
        }
    }
}

private fun title(top: Screen, folder: String, strings: Strings): String = when (top) {
    Screen.Mailbox, is Screen.Message -> folder
    is Screen.Invoice -> strings.invoiceMark
    is Screen.Compose -> strings.write
    is Screen.Search -> strings.search
    Screen.Settings -> strings.settings
    is Screen.Contacts -> strings.contacts
    is Screen.ContactEdit -> strings.contact
    is Screen.Permissions -> strings.permissions
    Screen.AddAccount -> strings.addAccount
}

/** The list of the open folder, with the button that writes a new PEC. */
@Composable
private fun Mailbox(app: App, strings: Strings, account: Long, view: ViewRef, navigator: Navigator) {
    Box(Modifier.fillMaxSize()) {
        // A new list (and presenter, with its own scope) for each account and folder.
        key(account, view) {
            val scope = rememberPresenterScope()
            val list = remember { MessageListPresenter(app, scope, account, view) }
            val listState by list.state.collectAsState()
            MessageListScreen(listState, strings, list::setHideReceipts, onOpen = { id ->
                if (navigator.top is Screen.Message) navigator.replace(Screen.Message(id)) else navigator.open(Screen.Message(id))
            }, onLoadMore = list::loadMore, onRefresh = list::refresh, onSelect = list::toggle,
                selectionBar = { SelectionBar(listState, strings, list) }, onMarkAllRead = list::markAllRead,
                listActions = { EmptyFolder(listState, strings, list) })
        }
        ExtendedFloatingActionButton(
            onClick = { navigator.open(Screen.Compose(account)) },
            modifier = Modifier.align(Alignment.BottomEnd).padding(16.dp).testTag("write"),
        ) { Text(strings.write) }
    }
}

@Composable
private fun Setup(app: App, strings: Strings, navigator: Navigator) {
    val scope = rememberPresenterScope()
    val setup = remember { AccountSetupPresenter(app, scope) }
    val state by setup.state.collectAsState()
    LaunchedEffect(state.added) { if (state.added != null) navigator.home() }
    AccountSetupScreen(state, strings, setup)
}

/** The screen on top of the stack, each with its own presenter. */
@Composable
private fun Detail(app: App, strings: Strings, platform: Platform, screen: Screen, drawerState: DrawerState, navigator: Navigator) {
    key(screen) {
        val scope = rememberPresenterScope()
        when (screen) {
            is Screen.Message -> {
                val presenter = remember { MessagePresenter(app, scope, screen.id) }
                val state by presenter.state.collectAsState()
                MessageScreen(state, strings, presenter, platform,
                    onCompose = { draft -> navigator.open(Screen.Compose(state.view?.row?.accountId ?: return@MessageScreen, draft)) },
                    onOpenInvoice = { navigator.open(Screen.Invoice(screen.id)) })
            }
            is Screen.Invoice -> {
                val presenter = remember { InvoicePresenter(app, scope, screen.messageId) }
                val state by presenter.state.collectAsState()
                val ui = rememberCoroutineScope()
                InvoiceScreen(state, strings, presenter::setStyle,
                    onShare = { ui.launch { runCatching { presenter.original() }.onSuccess(platform::share) } },
                    onPrint = { state.view?.let { platform.print(it.html, it.fileName ?: strings.invoicesFolder) } },
                    html = { platform.Html(it) })
            }
            is Screen.Compose -> {
                val presenter = remember {
                    ComposePresenter(app, scope, screen.accountId, screen.start, screen.kept).also { p -> screen.files.forEach(p::attach) }
                }
                // Gone from the stack (back, or sent): not kept for the next start. Still on it
                // (the activity ended, the lock came): kept as it is now.
                DisposableEffect(presenter) {
                    onDispose { if (screen in navigator.stack.value) presenter.keepNow() else presenter.leave() }
                }
                val state by presenter.state.collectAsState()
                // Sent: it is in the outbox and its ticks show in the list.
                LaunchedEffect(state.sent) { if (state.sent != null) navigator.back() }
                val templates = remember { TemplatesPresenter(app, scope, screen.accountId, presenter) }
                val templatesState by templates.state.collectAsState()
                ComposeScreen(state, strings, presenter, platform) { TemplateBar(templatesState, strings, templates) }
            }
            is Screen.Search -> {
                val presenter = remember { SearchPresenter(app, scope, screen.accountId, screen.folderId) }
                val state by presenter.state.collectAsState()
                SearchScreen(state, strings, presenter, onOpen = { navigator.open(Screen.Message(it)) })
            }
            Screen.Settings -> {
                val presenter = remember { SettingsPresenter(app, scope) }
                val state by presenter.state.collectAsState()
                SettingsScreen(state, strings, presenter)
            }
            is Screen.Contacts -> {
                val presenter = remember { ContactsPresenter(app, scope) }
                val state by presenter.state.collectAsState()
                ContactsScreen(state, strings, presenter, onCompose = { draft -> navigator.open(Screen.Compose(screen.accountId, draft)) },
                    onEdit = { navigator.open(Screen.ContactEdit(it)) }, platform = platform)
            }
            is Screen.ContactEdit -> {
                val presenter = remember { ContactEditPresenter(app, scope, screen.card) }
                val state by presenter.state.collectAsState()
                LaunchedEffect(state.done) { if (state.done) navigator.back() }
                ContactEditScreen(state, strings, presenter)
            }
            is Screen.Permissions -> drawerState.accounts.firstOrNull { it.id == screen.accountId }?.let {
                PermissionsScreen(it, strings)
            }
            Screen.AddAccount -> {
                val presenter = remember { AccountSetupPresenter(app, scope) }
                val state by presenter.state.collectAsState()
                LaunchedEffect(state.added) { if (state.added != null) navigator.back() }
                AccountSetupScreen(state, strings, presenter)
            }
            Screen.Mailbox -> Unit
        }
    }
}
