package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import it.pec.core.App
import it.pec.core.ComposeTemplate
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The templates offered in compose, and a template being named. */
data class TemplatesState(
    /** Shown while the user picks one; `null` when closed. */
    val templates: List<ComposeTemplate>? = null,
    /** The name typed for the template being saved; `null` when not saving. */
    val naming: String? = null,
    val saved: Boolean = false,
    val errorCode: String? = null,
)

/**
 * Templates ("modelli") in compose: open one (the core gives its recipients, subject and text
 * with the account's signature), save what is written as one, remove one. What a template keeps
 * and leaves out is the core's.
 */
class TemplatesPresenter(
    private val app: App,
    private val scope: CoroutineScope,
    private val accountId: Long,
    private val compose: ComposePresenter,
) {
    private val mutable = MutableStateFlow(TemplatesState())
    val state: StateFlow<TemplatesState> = mutable.asStateFlow()

    /** Show the templates (again: hide them). */
    fun toggle() {
        if (state.value.templates != null) return mutable.update { it.copy(templates = null) }
        reload()
    }

    fun use(template: ComposeTemplate) = attempt {
        compose.useTemplate(app.composeFromTemplate(accountId, template.id))
        mutable.update { it.copy(templates = null) }
    }

    fun forget(template: ComposeTemplate) = attempt {
        app.forgetTemplate(template.id)
        reload()
    }

    fun askName() = mutable.update { it.copy(naming = "", saved = false) }
    fun name(text: String) = mutable.update { it.copy(naming = text) }
    fun dontSave() = mutable.update { it.copy(naming = null) }

    fun save() {
        val name = state.value.naming ?: return
        attempt {
            app.saveTemplate(name, compose.draft())
            mutable.update { it.copy(naming = null, saved = true) }
        }
    }

    private fun reload() = attempt {
        val templates = app.templates()
        mutable.update { it.copy(templates = templates) }
    }

    private fun attempt(work: suspend () -> Unit) {
        scope.launch {
            orFailed({ code -> mutable.update { it.copy(errorCode = code) } }) {
                work()
                mutable.update { it.copy(errorCode = null) }
            }
        }
    }
}

/** "Modelli" and "Salva come modello" under the compose form, with the list or the name field when open. */
@Composable
fun TemplateBar(state: TemplatesState, strings: Strings, presenter: TemplatesPresenter) {
    Column(Modifier.fillMaxWidth().testTag("templates")) {
        Row {
            TextButton(presenter::toggle, Modifier.testTag("templates-open")) { Text(strings.templates) }
            TextButton(presenter::askName, Modifier.testTag("template-save")) { Text(strings.saveAsTemplate) }
        }
        state.templates?.let { list ->
            if (list.isEmpty()) Text(strings.noTemplates, Modifier.padding(horizontal = 12.dp).testTag("templates-none"))
            list.forEach { t ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    TextButton({ presenter.use(t) }, Modifier.weight(1f).testTag("template-${t.name}")) { Text(t.name) }
                    TextButton({ presenter.forget(t) }, Modifier.testTag("template-remove-${t.name}")) { Text(strings.remove) }
                }
            }
        }
        state.naming?.let { typed ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                OutlinedTextField(typed, presenter::name, Modifier.weight(1f).testTag("template-name"),
                    label = { Text(strings.templateName) }, singleLine = true)
                TextButton(presenter::save, Modifier.testTag("template-name-save")) { Text(strings.save) }
                TextButton(presenter::dontSave, Modifier.testTag("template-name-cancel")) { Text(strings.cancel) }
            }
        }
        if (state.saved) Text(strings.templateSaved, Modifier.padding(horizontal = 12.dp).testTag("template-saved"))
        state.errorCode?.let { Text(strings.error(it), Modifier.padding(horizontal = 12.dp).testTag("templates-error")) }
    }
}
