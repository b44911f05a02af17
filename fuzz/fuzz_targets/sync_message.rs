#![no_main]
//! `outpost_fuzz_targets::sync_message` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| outpost_fuzz_targets::sync_message(data));
