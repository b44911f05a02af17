#![no_main]
//! `outpost_fuzz_targets::doc_load` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| outpost_fuzz_targets::doc_load(data));
