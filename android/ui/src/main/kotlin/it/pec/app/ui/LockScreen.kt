package it.pec.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag

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
