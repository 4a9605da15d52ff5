// The screens and presenters, with the facade's generated Kotlin bindings (../../bindings/generate.sh
// kotlin) and the bindings' JVM-safe layer compiled in.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "it.pec.app.ui"
    compileSdk = 35
    defaultConfig { minSdk = 26 }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets["main"].java.srcDirs(
        "src/main/kotlin",
        "../../bindings/kotlin/src/main/kotlin",
        "../../bindings/kotlin/build/generated",
    )
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.foundation)
    implementation(libs.compose.material3)
    implementation(libs.coroutines.android)
    implementation("${libs.jna.get()}@aar")
}
