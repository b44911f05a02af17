#![no_main]
//! `outpost_fuzz_targets::import_csv` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| outpost_fuzz_targets::import_csv(data));
