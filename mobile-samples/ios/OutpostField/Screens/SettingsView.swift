import SwiftUI

/// Server URL and token; start or stop sync. (A real app keeps the token in the Keychain.)
struct SettingsView: View {
    @EnvironmentObject var model: FieldModel
    @AppStorage("url") private var url = "ws://127.0.0.1:8080/sync"
    @State private var token = ""

    var body: some View {
        Form {
            TextField("Server (ws:// or wss://…/sync)", text: $url)
                .textInputAutocapitalization(.never).autocorrectionDisabled()
            SecureField("Token", text: $token)
            Button("Start sync") { Task { await model.startSync(url: url, token: token) } }
            Button("Stop sync") { Task { await model.stopSync() } }
            Text(model.syncBadge.text)
        }
        .navigationTitle("Sync")
    }
}
