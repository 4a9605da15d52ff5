// The Android-only glue: the activity behind the biometric lock, the Keystore-backed secrets, the
// background sync. The core's library for each ABI lands in src/main/jniLibs
// (../../scripts/build-android-libs.sh).
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "it.pec.app"
    compileSdk = 35
    defaultConfig {
        applicationId = "it.pec.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":ui"))
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.material3)
    implementation(libs.activity.compose)
    implementation(libs.biometric)
    implementation(libs.work.runtime)
    implementation(libs.coroutines.android)
    implementation("${libs.jna.get()}@aar")
}
