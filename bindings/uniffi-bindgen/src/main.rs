//! `uniffi-bindgen`, pinned to the workspace's uniffi version so generated
//! code always matches the scaffolding compiled into `outpost-bindings`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
