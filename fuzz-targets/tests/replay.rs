//! Replays every committed corpus file (`fuzz/corpus/<target>/`), every
//! regression input (`fuzz-targets/regressions/<target>/`) and every seed
//! through the target functions, on stable, in the normal test suite.

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(name: &str) {
    let target = outpost_fuzz_targets::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .expect("a target of that name");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in [
        root.join("regressions").join(name),
        root.join("../fuzz/corpus").join(name),
    ] {
        for file in inputs(&dir) {
            let data = std::fs::read(&file).expect("read input");
            eprintln!("{}", file.display());
            target(&data);
            count += 1;
        }
    }
    for seed in outpost_fuzz_targets::seeds::for_target(name) {
        target(&seed);
        count += 1;
    }
    assert!(count > 0, "{name}: nothing replayed");
}

macro_rules! replay_tests {
    ($($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name));
            }
        )*
    };
}

replay_tests!(
    wire_decode,
    sync_message,
    doc_load,
    import_csv,
    rest_body,
    phone,
    date
);

/// Writes the seeds of every target into `$OUTPOST_SEED_DIR/<target>/`
/// (`scripts/fuzz.sh` runs it for an empty corpus).
#[test]
#[ignore = "writes files; run by scripts/fuzz.sh"]
fn write_seeds() {
    let Some(dir) = std::env::var_os("OUTPOST_SEED_DIR") else {
        return;
    };
    for (name, _) in outpost_fuzz_targets::TARGETS {
        let d = Path::new(&dir).join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        for (i, seed) in outpost_fuzz_targets::seeds::for_target(name)
            .iter()
            .enumerate()
        {
            std::fs::write(d.join(format!("seed-{i:02}")), seed).expect("write seed");
        }
    }
}

/// Remakes `data/account.automerge` (the seeds build on its change hashes:
/// remake the corpus after running this).
#[test]
#[ignore = "rewrites a committed file"]
fn write_account_template() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/account.automerge");
    std::fs::write(path, outpost_fuzz_targets::seeds::make_account()).expect("write");
}
