#![no_main]
//! `outpost_fuzz_targets::wire_decode` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| outpost_fuzz_targets::wire_decode(data));
