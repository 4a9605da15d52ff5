package it.pec.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp

/**
 * What is drawn while the app is locked: a title and the button that asks the platform to
 * authenticate (biometrics, or the device credential). Nothing of the mailbox, not even a count.
 */
@Composable
fun LockScreen(strings: Strings, onUnlock: () -> Unit) {
    Column(
        Modifier.fillMaxSize().testTag("lock"),
        verticalArrangement = Arrangement.Center,
        horizontalAlignment = Alignment.CenterHorizontally,
    ) {
        Text(strings.unlockTitle, style = MaterialTheme.typography.headlineSmall)
        Button(onUnlock, Modifier.testTag("unlock")) { Text(strings.unlock) }
    }
}

/**
 * What is drawn when the platform vault lost the store key (a new fingerprint or face was
 * enrolled, and the core answered `WrongKey` to the key the vault has now): why the data on the
 * device can no longer be read, and the way on, [onStartAgain], asked twice because it deletes
 * that data for good.
 */
@Composable
fun KeyLostScreen(strings: Strings, onStartAgain: () -> Unit) {
    var confirming by remember { mutableStateOf(false) }
    Column(
        Modifier.fillMaxSize().padding(24.dp).testTag("key-lost"),
        verticalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterVertically),
        horizontalAlignment = Alignment.CenterHorizontally,
    ) {
        Text(strings.keyLostTitle, style = MaterialTheme.typography.headlineSmall)
        Text(strings.keyLostText, style = MaterialTheme.typography.bodyMedium)
        Button({ confirming = true }, Modifier.testTag("start-again")) { Text(strings.startAgain) }
    }
    if (confirming) {
        AlertDialog(
            onDismissRequest = { confirming = false },
            text = { Text(strings.startAgainConfirm) },
            confirmButton = {
                TextButton({ confirming = false; onStartAgain() }, Modifier.testTag("start-again-confirm")) {
                    Text(strings.startAgain)
                }
            },
            dismissButton = { TextButton({ confirming = false }) { Text(strings.cancel) } },
        )
    }
}
