package it.pec.app.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

private val Light = lightColorScheme(
    primary = Color(0xFF1B5FA8),
    primaryContainer = Color(0xFFD4E3FF),
    onPrimaryContainer = Color(0xFF001C3A),
)

private val Dark = darkColorScheme(
    primary = Color(0xFFA5C8FF),
    primaryContainer = Color(0xFF00468A),
    onPrimaryContainer = Color(0xFFD4E3FF),
)

/** The app's Material 3 theme, light or dark as the system is. */
@Composable
fun PecTheme(dark: Boolean = isSystemInDarkTheme(), content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = if (dark) Dark else Light, content = content)
}
