import SwiftUI

/// The one-line sync state on top of every screen (rules: Logic/SyncStatusModel.swift).
struct SyncBanner: View {
    let badge: SyncBadge

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(badge.text).font(.footnote).foregroundStyle(.white)
            if let p = badge.progress { ProgressView(value: p).tint(.white) }
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(.horizontal, 16).padding(.vertical, 6)
        .background(color)
    }

    private var color: Color {
        switch badge.tone {
        case .upToDate: return Color(red: 0.18, green: 0.49, blue: 0.20)
        case .working: return Color(red: 0.08, green: 0.40, blue: 0.75)
        case .offline: return Color(white: 0.38)
        case .attention: return Color(red: 0.90, green: 0.32, blue: 0.0)
        }
    }
}
