plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "dev.outpost.field"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.outpost.field"
        minSdk = 26 // java.time without desugaring
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // build-native.sh builds exactly these ABIs into src/main/jniLibs
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    buildFeatures { compose = true }
    sourceSets {
        // the Kotlin that uniffi-bindgen generates (build-native.sh writes it; not committed)
        getByName("main").java.srcDir("src/main/generated")
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(platform("androidx.compose:compose-bom:2025.01.00"))
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.material:material-icons-core")
    implementation("androidx.compose.ui:ui-tooling-preview")
    debugImplementation("androidx.compose.ui:ui-tooling")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("androidx.navigation:navigation-compose:2.8.5")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    // uniffi's generated Kotlin loads the native library through JNA; the
    // aar flavour carries JNA's own native parts for Android.
    implementation("net.java.dev.jna:jna:5.18.1@aar")
}
