import SwiftUI
import OutpostKit

/// Fields two phones changed at the same time: every value, who wrote it (user id) and when; keep one.
struct ConflictsView: View {
    let docId: DocumentId
    @EnvironmentObject var model: FieldModel
    @State private var conflicts: [Conflict] = []

    var body: some View {
        List {
            if conflicts.isEmpty { Text("No conflicts left.") }
            ForEach(conflicts, id: \.self) { c in
                Section("\(String(describing: c.kind).capitalized) · \(c.field.replacingOccurrences(of: "_", with: " "))") {
                    ForEach(Array(c.values.enumerated()), id: \.element.valueId) { i, v in
                        HStack {
                            VStack(alignment: .leading) {
                                Text(display(v.value) + (i == 0 ? "  (shown now)" : ""))
                                Text("by \(v.author?.userId ?? "another app") on \(Format.dayAndTime(v.at, utcOffsetMinutes: model.utcOffsetMinutes, locale: model.locale))")
                                    .font(.caption)
                            }
                            Spacer()
                            Button("Keep") { Task { await keep(c, v.valueId) } }
                        }
                    }
                }
            }
        }
        .navigationTitle("Resolve")
        .task(id: model.revision) { await load() }
    }

    /// A field's value as a person reads it (see FieldValues.kt).
    private func display(_ v: FieldValue) -> String {
        switch v {
        case .null: return "(empty)"
        case .bool(let b): return b ? "yes" : "no"
        case .int(let i): return String(i)
        case .float(let f): return String(f)
        case .text(let s): return s
        case .array(let items): return items.isEmpty ? "(none)" : items.map(display).joined(separator: ", ")
        case .object(let entries):
            return entries.keys.sorted().map { "\($0): \(display(entries[$0]!))" }.joined(separator: ", ")
        }
    }

    private func load() async {
        conflicts = (try? await model.store?.conflicts(doc: docId)) ?? []
    }

    private func keep(_ c: Conflict, _ valueId: String) async {
        try? await model.store?.resolveConflict(doc: docId, kind: c.kind, recordId: c.recordId, field: c.field, valueId: valueId)
        await load()
    }
}
