//! Issue 11, attack 6: token ids were matched with `LIKE`, so
//! `DELETE /api/admin/tokens/________` (or `%%%%%%%%`, or `outpost-server
//! token revoke ________`) revoked every token of every user. Only the exact
//! id the token list shows, or the whole token, may revoke, and only that
//! one token; anything else is refused (HTTP 400, CLI exit code 1) and
//! revokes nothing.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};

use outpost_e2e::{Server, http_request, server_binary};

fn delete(server: &Server, id: &str) -> (u16, String) {
    http_request(
        server.port(),
        "DELETE",
        &format!("/api/admin/tokens/{id}"),
        Some(server.admin_token()),
        None,
    )
}

/// Whether `token` still authenticates.
fn works(server: &Server, token: &str) -> bool {
    let (status, body) = server.http_get("/api/me", Some(token));
    assert!(status == 200 || status == 401, "{status}: {body}");
    status == 200
}

/// The ids `token list` shows for `user`, oldest first.
fn token_ids(server: &Server, user: &str) -> Vec<String> {
    server
        .cli(&["token", "list", user])
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect()
}

/// `outpost-server --data-dir D token revoke ARG`: (exit code, stdout, stderr).
fn cli_revoke(server: &Server, arg: &str) -> (i32, String, String) {
    let out = Command::new(server_binary())
        .arg("--data-dir")
        .arg(server.data_dir())
        .args(["token", "revoke", arg])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn only_an_exact_token_id_or_the_whole_token_revokes_and_only_that_token() {
    let server = Server::start();
    let kari = server.add_user("kari", "rep", Some("west"));
    let kari_tablet = server.issue_token("kari");
    let mona = server.add_user("mona", "manager", Some("west"));
    let admin = server.admin_token().to_owned();
    let every = [&kari, &kari_tablet, &mona, &admin];
    for t in every {
        assert!(works(&server, t));
    }
    let kari_ids = token_ids(&server, "kari");
    assert_eq!(kari_ids.len(), 2);
    let id = kari_ids[0].clone();
    assert_eq!(id.len(), 12);

    // HTTP: wildcards, prefixes and other forms are a 400 naming the form
    let upper = id.to_uppercase();
    for bad in [
        "________",
        "%%%%%%%%",
        "%",
        "%25%25%25%25%25%25%25%25", // %%%%%%%% percent-encoded
        "%25",
        "____________", // 12 wildcards: an id's length
        "%25%25%25%25%25%25%25%25%25%25%25%25",
        &id[..8], // the 8-character prefix the old code accepted
        upper.as_str(),
        &kari[..12], // 12 characters of a token: another form
        "opt_%25",
    ] {
        let (status, body) = delete(&server, bad);
        assert_eq!(status, 400, "DELETE /api/admin/tokens/{bad}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], "invalid_token_id", "{body}");
        let message = v["message"].as_str().unwrap();
        assert!(
            message.contains("12 lowercase hex characters") && message.contains("whole token"),
            "{message}"
        );
        for t in every {
            assert!(works(&server, t), "a token stopped working after {bad:?}");
        }
    }
    // a rep may not even try
    let (status, _) = http_request(
        server.port(),
        "DELETE",
        &format!("/api/admin/tokens/{id}"),
        Some(&kari),
        None,
    );
    assert_eq!(status, 403);
    assert!(works(&server, &kari));

    // the exact id revokes that one token
    let (status, body) = delete(&server, &id);
    assert_eq!(status, 204, "{body}");
    assert!(!works(&server, &kari));
    assert!(works(&server, &kari_tablet) && works(&server, &mona) && works(&server, &admin));
    let (status, body) = delete(&server, &id);
    assert_eq!(status, 404, "revoked already: {body}");

    // CLI: the same refusals, exit code 1 and a message naming the form
    for bad in ["________", "%%%%%%%%", "%", &id[..8]] {
        let (code, stdout, stderr) = cli_revoke(&server, bad);
        assert_eq!(code, 1, "token revoke {bad:?}: {stdout} {stderr}");
        assert!(!stdout.contains("revoked"), "{stdout}");
        assert!(
            stderr.contains("not a token id") && stderr.contains("12 lowercase hex characters"),
            "{stderr}"
        );
    }
    assert!(works(&server, &kari_tablet) && works(&server, &mona) && works(&server, &admin));

    // CLI: an exact id of another user's token revokes only that token
    let mona_id = token_ids(&server, "mona").remove(0);
    let (code, stdout, stderr) = cli_revoke(&server, &mona_id);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(!works(&server, &mona));
    assert!(works(&server, &kari_tablet) && works(&server, &admin));

    // the whole token, over HTTP, revokes it
    let (status, body) = delete(&server, &kari_tablet);
    assert_eq!(status, 204, "{body}");
    assert!(!works(&server, &kari_tablet));
    assert!(works(&server, &admin));
}
