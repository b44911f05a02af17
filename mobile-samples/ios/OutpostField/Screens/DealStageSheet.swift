import SwiftUI
import OutpostKit

/// Move a deal to another stage of its pipeline (the core records the stage history).
struct DealStageSheet: View {
    let docId: DocumentId
    let deal: Deal
    let stages: [Stage]
    @EnvironmentObject var model: FieldModel
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            List(stages, id: \.id) { s in
                Button {
                    Task {
                        try? await model.store?.moveDealStage(doc: docId, dealId: deal.meta.id, stageId: s.id)
                        dismiss()
                    }
                } label: {
                    HStack {
                        Text(s.name)
                        Spacer()
                        if s.id == deal.stageId { Image(systemName: "checkmark") }
                    }
                }
            }
            .navigationTitle("Move \(deal.name)")
        }
    }
}
