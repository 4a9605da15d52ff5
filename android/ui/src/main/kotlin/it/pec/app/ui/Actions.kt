package it.pec.app.ui

import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import it.pec.core.AccountAction
import it.pec.core.AccountInfo
import it.pec.core.DeniedAction
import it.pec.core.MessageAction
import it.pec.core.actionNeeds

/** Why this login may not take `action` (the core's reason, from [AccountInfo.denied]), or `null` when it may. */
fun AccountInfo.refusal(action: MessageAction): DeniedAction? = refusal(actionNeeds(action))

/** Why this login may not do what `needs` (the core's answer for an action), or `null` when it may. */
fun AccountInfo.refusal(needs: AccountAction): DeniedAction? = denied.firstOrNull { it.action == needs }

/** One action: a button, disabled when this login may not take it (`refused`: why, in words). */
class ActionButton(val label: String, val tag: String, val refused: String?, val onClick: () -> Unit)

/** The actions in a row; under it, each reason once, tagged after the first action it disables. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ActionButtons(buttons: List<ActionButton>) {
    FlowRow {
        buttons.forEach { b -> TextButton(b.onClick, Modifier.testTag(b.tag), enabled = b.refused == null) { Text(b.label) } }
    }
    buttons.filter { it.refused != null }.distinctBy { it.refused }.forEach { b ->
        Text(b.refused!!, Modifier.padding(horizontal = 12.dp).testTag("${b.tag}-refused"), style = MaterialTheme.typography.bodySmall)
    }
}
