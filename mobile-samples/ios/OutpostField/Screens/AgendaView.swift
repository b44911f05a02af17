import SwiftUI
import OutpostKit

/// Today: the agenda (today and overdue) and the day's figures.
struct AgendaView: View {
    @EnvironmentObject var model: FieldModel
    @State private var agenda: Agenda?
    @State private var dashboard: Dashboard?

    var body: some View {
        List {
            if let d = dashboard {
                Text("\(d.visitsToday) visits · \(d.callsToday) calls · \(d.overdueTasks) overdue").font(.footnote)
            }
            if let overdue = agenda?.overdue, !overdue.isEmpty {
                Section("Overdue") { ForEach(overdue, id: \.activityId) { row($0, overdue: true) } }
            }
            Section("Today") {
                ForEach(agenda?.today ?? [], id: \.activityId) { row($0, overdue: false) }
            }
        }
        .navigationTitle("Today")
        .navigationDestination(for: DocumentId.self) { AccountCardView(docId: $0) }
        .task(id: model.revision) { await load() }
    }

    private func row(_ item: AgendaItem, overdue: Bool) -> some View {
        NavigationLink(value: item.docId) {
            VStack(alignment: .leading) {
                Text(item.subject)
                Text("\(time(item.at, overdue: overdue)) · \(Format.label(item.kind)) · \(item.accountName)").font(.caption)
            }
        }
    }

    private func time(_ at: Int64?, overdue: Bool) -> String {
        guard let at else { return "" }
        let s = Format.dayAndTime(at, utcOffsetMinutes: model.utcOffsetMinutes, locale: model.locale)
        return overdue ? s : String(s.split(separator: ",").last ?? "").trimmingCharacters(in: .whitespaces)
    }

    private func load() async {
        guard let store = model.store else { return }
        agenda = try? await store.agenda(day: model.today, owner: model.userId)
        dashboard = try? await store.dashboard(day: model.today, owner: model.userId, currency: nil)
    }
}
