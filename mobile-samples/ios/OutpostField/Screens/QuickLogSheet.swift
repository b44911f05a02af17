import SwiftUI
import OutpostKit

/// Log a visit or a call: kind, one outcome, optional contact, note and follow-up.
struct QuickLogSheet: View {
    let docId: DocumentId
    let contacts: [Contact]
    @EnvironmentObject var model: FieldModel
    @Environment(\.dismiss) private var dismiss
    @State private var form = QuickLogForm()

    var body: some View {
        NavigationStack {
            Form {
                Picker("Kind", selection: $form.kind) {
                    ForEach(QuickKind.allCases) { Text($0.label).tag($0) }
                }
                .pickerStyle(.segmented)
                .onChange(of: form.kind) { _ in form.outcome = nil }
                Picker("Outcome", selection: $form.outcome) {
                    Text("—").tag(String?.none)
                    ForEach(QuickLog.outcomes(form.kind), id: \.value) { Text($0.label).tag(Optional($0.value)) }
                }
                Picker("With", selection: $form.contactId) {
                    Text("—").tag(String?.none)
                    ForEach(contacts, id: \.meta.id) { Text("\($0.firstName) \($0.lastName)").tag(Optional($0.meta.id)) }
                }
                Picker("Follow up", selection: $form.followUpDays) {
                    Text("No").tag(Int?.none)
                    ForEach([1, 7, 30], id: \.self) { Text("in \($0) d").tag(Optional($0)) }
                }
                TextField("Note (optional)", text: $form.note, axis: .vertical)
            }
            .navigationTitle("Log")
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") { Task { await save() } }.disabled(!QuickLog.canSave(form))
                }
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
            }
        }
    }

    private func save() async {
        guard let store = model.store, QuickLog.canSave(form) else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let contactIds = form.contactId.map { [$0] } ?? []
        let kind: ActivityKind = form.kind == .visit ? .visit : .call
        _ = try? await store.createActivity(doc: docId, record: Activity(
            kind: kind, status: .done, subject: QuickLog.subject(form), startAt: now, completedAt: now,
            outcome: form.outcome, contactIds: contactIds, body: form.note.trimmingCharacters(in: .whitespacesAndNewlines)))
        if let days = form.followUpDays {
            let at = QuickLog.followUpAt(nowMs: now, days: days, utcOffsetMinutes: model.utcOffsetMinutes)
            _ = try? await store.createActivity(doc: docId, record: Activity(
                kind: .call, status: .planned, subject: "Follow up", startAt: at, contactIds: contactIds))
        }
        dismiss()
    }
}
