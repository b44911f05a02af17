import SwiftUI

@main
struct OutpostFieldApp: App {
    @StateObject private var model = FieldModel()

    var body: some Scene {
        WindowGroup {
            Group {
                if model.ready {
                    RootView().environmentObject(model)
                } else if let error = model.openError {
                    Text("Could not open the store: \(error)").padding()
                } else {
                    ProgressView("Opening…")
                }
            }
            .task { await model.open() }
        }
    }
}

struct RootView: View {
    @EnvironmentObject var model: FieldModel

    var body: some View {
        VStack(spacing: 0) {
            SyncBanner(badge: model.syncBadge)
            TabView {
                NavigationStack { AgendaView() }.tabItem { Label("Today", systemImage: "calendar") }
                NavigationStack { AccountsView() }.tabItem { Label("Accounts", systemImage: "building.2") }
                NavigationStack { SettingsView() }.tabItem { Label("Sync", systemImage: "arrow.triangle.2.circlepath") }
            }
        }
    }
}
