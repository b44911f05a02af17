// Outpost field-rep sample (Jetpack Compose). Open this folder in Android
// Studio; run ./build-native.sh first (see ../README.md).
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
rootProject.name = "OutpostField"
include(":app")
