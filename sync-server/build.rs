//! Rebuilds the server when a file of the web console changes, is added or is
//! removed: rust-embed's `include_bytes!` only tracks the files that existed
//! at the last build, and a directory here makes cargo watch all of it.

fn main() {
    println!("cargo:rerun-if-changed=console");
}
