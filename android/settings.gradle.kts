// The Android app: open this folder in Android Studio. `ui` holds every screen and presenter (no
// android.* import; also compiled and tested on the desktop JVM by ui/run-tests.sh); `app` is the
// Android-only glue. The core's native library comes from ../scripts/build-android-libs.sh.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "PecClient"
include(":app", ":ui")
