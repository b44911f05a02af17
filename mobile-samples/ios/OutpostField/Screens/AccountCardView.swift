import SwiftUI
import OutpostKit

/// The account card before a visit: balance, talking points, contacts (tap
/// to call), open deals (tap to move the stage), last orders; log a visit or
/// a call; resolve conflicts when two phones changed the same field.
struct AccountCardView: View {
    let docId: DocumentId
    @EnvironmentObject var model: FieldModel
    @State private var account: Account?
    @State private var contacts: [Contact] = []
    @State private var deals: [Deal] = []
    @State private var orders: [Order] = []
    @State private var stages: [Stage] = []
    @State private var dates: [UpcomingDate] = []
    @State private var conflictCount = 0
    @State private var logging = false
    @State private var moving: Deal?

    var body: some View {
        List {
            if let a = account {
                Section {
                    Text("Balance \(Format.money(a.balance.balanceMinor, currency: a.balance.currency ?? a.currency, locale: model.locale))")
                    if a.balance.overdueMinor > 0 {
                        Text("\(Format.money(a.balance.overdueMinor, currency: a.balance.currency ?? a.currency, locale: model.locale)) overdue")
                            .foregroundStyle(.red)
                    }
                    if conflictCount > 0 {
                        NavigationLink("\(conflictCount) field(s) edited on two phones") { ConflictsView(docId: docId) }
                    }
                    Button("Log visit or call") { logging = true }
                }
            }
            Section("Talking points") {
                ForEach(dates.filter { $0.docId == docId && $0.daysAway <= 30 }, id: \.self) { d in
                    Text("\(d.label ?? d.contactName ?? ""): \(Format.label(d.kind)) \(Format.relativeDays(d.daysAway))")
                }
                ForEach(contacts.filter { !$0.meta.archived }, id: \.meta.id) { c in
                    if !c.family.isEmpty {
                        Text("\(c.firstName): " + c.family.map { [$0.relation, $0.name].compactMap { $0 }.joined(separator: " ") }.joined(separator: ", "))
                    }
                    if !c.hobbies.isEmpty { Text("\(c.firstName) likes \(c.hobbies.joined(separator: ", "))") }
                }
            }
            Section("Contacts") {
                ForEach(contacts.filter { !$0.meta.archived }, id: \.meta.id) { c in
                    let phone = c.phones.first(where: \.primary) ?? c.phones.first
                    VStack(alignment: .leading) {
                        Text("\(c.firstName) \(c.lastName)")
                        if let t = c.title { Text(t).font(.caption) }
                        if let p = phone, !p.optedOut, let url = URL(string: "tel:\(Format.dialable(p.number))") {
                            Link(Format.phone(p.number), destination: url)
                        }
                    }
                }
            }
            Section("Open deals") {
                ForEach(openDeals, id: \.meta.id) { d in
                    Button { moving = d } label: {
                        HStack {
                            VStack(alignment: .leading) {
                                Text(d.name)
                                Text(stages.first { $0.id == d.stageId }?.name ?? d.stageId).font(.caption)
                            }
                            Spacer()
                            Text(Format.money(d.amountMinor, currency: d.currency, locale: model.locale))
                        }
                    }
                }
            }
            Section("Last orders") {
                ForEach(orders.sorted { $0.orderedAt > $1.orderedAt }.prefix(3), id: \.meta.id) { o in
                    HStack {
                        Text("Order \(o.number ?? "") · \(Format.dayAndTime(o.orderedAt, utcOffsetMinutes: model.utcOffsetMinutes, locale: model.locale))")
                        Spacer()
                        Text(Format.money(o.totalMinor, currency: o.currency, locale: model.locale))
                    }
                }
            }
        }
        .navigationTitle(account?.name ?? "")
        .task(id: model.revision) { await load() }
        .sheet(isPresented: $logging) { QuickLogSheet(docId: docId, contacts: contacts) }
        .sheet(item: Binding(get: { moving.map(DealRef.init) }, set: { moving = $0?.deal })) { ref in
            DealStageSheet(docId: docId, deal: ref.deal, stages: stages)
        }
    }

    private var openDeals: [Deal] {
        deals.filter { d in !d.meta.archived && (stages.first { $0.id == d.stageId }?.meaning ?? .open) == .open }
    }

    private func load() async {
        guard let store = model.store else { return }
        account = try? await store.getAccount(doc: docId)
        contacts = (try? await store.listContacts(doc: docId)) ?? []
        deals = (try? await store.listDeals(doc: docId)) ?? []
        orders = (try? await store.listOrders(doc: docId)) ?? []
        dates = (try? await store.upcomingDates(day: model.today, days: 30)) ?? []
        conflictCount = (try? await store.conflicts(doc: docId).count) ?? 0
        var all: [Stage] = []
        for d in (try? await store.documents()) ?? [] where d.kind == .settings {
            for p in (try? await store.listPipelines(doc: d.id)) ?? [] { all += p.stages }
        }
        stages = all.sorted { $0.position < $1.position }
    }
}

/// A deal as a sheet item.
struct DealRef: Identifiable {
    let deal: Deal
    var id: String { deal.meta.id }
}
