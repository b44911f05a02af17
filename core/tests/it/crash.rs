//! Crash safety: a child process writes as fast as it can and reports each
//! acknowledged edit; it is killed with SIGKILL at a random moment. The
//! store must reopen and hold every acknowledged edit.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use outpost_core::DocumentId;
use outpost_core::model::{Account, Activity, ActivityKind, Contact};
use outpost_core::store::Store;

use crate::support::*;

const DIR_VAR: &str = "OUTPOST_CRASH_TEST_DIR";

/// The writer, run only as the child of `killed_writer_loses_no_acknowledged_edit`.
#[test]
#[ignore = "runs as a child process of the crash test"]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let mut s = Store::open(
        std::path::Path::new(&dir).join("store.db"),
        author("writer"),
        opts(),
    )
    .unwrap();
    let doc = match s.document_ids().unwrap().first() {
        Some((d, _)) => *d,
        None => s
            .create_account(Account {
                name: "Crash Test AS".into(),
                ..Default::default()
            })
            .unwrap(),
    };
    for i in 0u64.. {
        let id = if i % 2 == 0 {
            s.create(
                doc,
                Contact {
                    first_name: format!("Person{i}"),
                    ..Default::default()
                },
            )
            .unwrap()
        } else {
            s.create(
                doc,
                Activity {
                    kind: ActivityKind::Visit,
                    subject: format!("Visit {i}"),
                    report: "x".repeat((i % 500) as usize),
                    ..Default::default()
                },
            )
            .unwrap()
        };
        println!("ACK {doc} {i} {id}");
    }
}

#[test]
fn killed_writer_loses_no_acknowledged_edit() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acked: Vec<(DocumentId, u64, String)> = Vec::new();
    for round in 0..3 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash::crash_child_writer",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR_VAR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let want = 20 + rand::random_range(0..150) + round * 7;
        let mut seen = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let mut parts = line.split_whitespace();
            if parts.next() != Some("ACK") {
                continue;
            }
            let doc: DocumentId = parts.next().unwrap().parse().unwrap();
            let i: u64 = parts.next().unwrap().parse().unwrap();
            acked.push((doc, i, parts.next().unwrap().to_owned()));
            seen += 1;
            if seen >= want {
                break;
            }
        }
        child.kill().unwrap(); // SIGKILL: no destructors, no flush
        child.wait().unwrap();
        assert!(seen >= want, "child stopped early after {seen} acks");

        let mut s = Store::open(dir.path().join("store.db"), author("checker"), opts()).unwrap();
        for (doc, i, id) in &acked {
            if i % 2 == 0 {
                let c = s.get::<Contact>(*doc, id).unwrap();
                assert_eq!(
                    c.unwrap().record.first_name,
                    format!("Person{i}"),
                    "round {round}"
                );
            } else {
                let a = s.get::<Activity>(*doc, id).unwrap();
                assert_eq!(
                    a.unwrap().record.subject,
                    format!("Visit {i}"),
                    "round {round}"
                );
            }
        }
        // the index agrees with the documents
        let doc = acked[0].0;
        let contacts = s.list::<Contact>(doc).unwrap().len();
        let indexed = s.search_contacts("person", 100_000).unwrap().len();
        assert_eq!(contacts, indexed, "round {round}");
    }
}
