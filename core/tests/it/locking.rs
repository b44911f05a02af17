//! One writer per store file: a second handle or another process gets a
//! typed `Locked` instead of corrupting documents, the lock dies with its
//! holder (even a killed one); and a store file restored onto a second
//! phone writes under a new actor, so two installations sharing a device id
//! never produce duplicate sequence numbers.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use outpost_core::CoreError;
use outpost_core::model::{Account, Contact};
use outpost_core::store::Store;

use crate::support::*;

const DIR_VAR: &str = "OUTPOST_LOCK_TEST_DIR";

#[test]
fn a_second_handle_on_one_store_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let a = Store::open(&path, author("kari"), opts()).unwrap();
    // the same device id, as an app extension or a second `open_store` would
    assert!(matches!(
        Store::open(&path, a.author().clone(), opts()),
        Err(CoreError::Locked)
    ));
    drop(a);
    let b = Store::open(&path, author("kari"), opts()).unwrap();
    drop(b);
}

/// The holder, run only as the child of `another_process_is_refused_until_the_holder_dies`.
#[test]
#[ignore = "runs as a child process of the locking test"]
fn lock_child_holder() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let _s = Store::open(
        std::path::Path::new(&dir).join("store.db"),
        author("worker"),
        opts(),
    )
    .unwrap();
    println!("HOLDING");
    std::thread::sleep(std::time::Duration::from_secs(120));
}

#[test]
fn another_process_is_refused_until_the_holder_dies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "locking::lock_child_holder",
            "--nocapture",
        ])
        .env(DIR_VAR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    // wait for the holder to say it has the lock (not a sleep)
    loop {
        let line = lines.next().expect("the child ended early").unwrap();
        if line.contains("HOLDING") {
            break;
        }
    }
    assert!(matches!(
        Store::open(&path, author("kari"), opts()),
        Err(CoreError::Locked)
    ));
    // killed, not closed: the OS releases the lock
    child.kill().unwrap();
    child.wait().unwrap();
    let s = Store::open(&path, author("kari"), opts()).unwrap();
    drop(s);
}

#[test]
fn a_store_restored_onto_a_second_phone_writes_under_a_new_actor() {
    let dir = tempfile::tempdir().unwrap();
    let first_path = dir.path().join("phone-a.db");
    let me = author("kari");
    let mut first = Store::open(&first_path, me.clone(), opts()).unwrap();
    let doc = first
        .create_account(Account {
            name: "Nordlys AS".into(),
            ..Default::default()
        })
        .unwrap();
    first
        .create(
            doc,
            Contact {
                first_name: "Kari".into(),
                ..Default::default()
            },
        )
        .unwrap();
    // phone B is restored from phone A's backup: the same file, same device id
    drop(first);
    let second_path = dir.path().join("phone-b.db");
    std::fs::copy(&first_path, &second_path).unwrap();
    let mut first = Store::open(&first_path, me.clone(), opts()).unwrap();
    let mut second = Store::open(&second_path, me.clone(), opts()).unwrap();
    // both go on writing the same account
    for i in 0..3 {
        first
            .create(
                doc,
                Contact {
                    first_name: format!("A{i}"),
                    ..Default::default()
                },
            )
            .unwrap();
        second
            .create(
                doc,
                Contact {
                    first_name: format!("B{i}"),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    // what both wrote merges (no "duplicate seq"), on either side and on reopen
    let from_second = second.export(doc).unwrap();
    first.apply(doc, &from_second).unwrap();
    let from_first = first.export(doc).unwrap();
    second.apply(doc, &from_first).unwrap();
    assert_eq!(first.list::<Contact>(doc).unwrap().len(), 7);
    assert_eq!(second.list::<Contact>(doc).unwrap().len(), 7);
    drop(first);
    let reopened = Store::open(&first_path, me, opts()).unwrap();
    drop(reopened);
}
