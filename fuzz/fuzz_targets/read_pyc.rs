//! Arbitrary bytes as a `.pyc` file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = pycopt_fuzz::checks::check_pyc(data);
});
