import SwiftUI
import OutpostKit

/// Accounts, and one search box over account names and contacts.
struct AccountsView: View {
    @EnvironmentObject var model: FieldModel
    @State private var query = ""
    @State private var accounts: [AccountSummary] = []
    @State private var people: [ContactHit] = []

    var body: some View {
        List {
            ForEach(accounts, id: \.docId) { a in
                NavigationLink(value: a.docId) {
                    HStack {
                        VStack(alignment: .leading) {
                            Text(a.name)
                            Text([a.lifecycleStage, a.territory].compactMap { $0 }.joined(separator: " · ")).font(.caption)
                        }
                        Spacer()
                        if a.overdueMinor > 0 {
                            Text("\(Format.money(a.overdueMinor, currency: a.currency, locale: model.locale)) overdue").foregroundStyle(.red)
                        }
                    }
                }
            }
            if !people.isEmpty {
                Section("People") {
                    ForEach(people, id: \.contactId) { c in
                        NavigationLink(value: c.docId) {
                            VStack(alignment: .leading) {
                                Text(c.fullName)
                                Text([c.title, c.accountName].compactMap { $0 }.joined(separator: " · ")).font(.caption)
                            }
                        }
                    }
                }
            }
        }
        .searchable(text: $query, prompt: "Accounts and people")
        .navigationTitle("Accounts")
        .navigationDestination(for: DocumentId.self) { AccountCardView(docId: $0) }
        .task(id: "\(model.revision)|\(query)") { await load() }
    }

    private func load() async {
        guard let store = model.store else { return }
        let q = query.trimmingCharacters(in: .whitespaces)
        accounts = (try? await store.listAccounts(filter: AccountFilter(nameContains: q.isEmpty ? nil : q, sort: .name))) ?? []
        people = q.isEmpty ? [] : ((try? await store.searchContacts(query: q, limit: 20)) ?? [])
    }
}
