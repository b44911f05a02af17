//! `outpost-server`: the Outpost sync server.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use outpost_server::auth::Role;
use outpost_server::serve::{ServeArgs, open_auth, serve};

#[derive(Debug, Parser)]
#[command(
    name = "outpost-server",
    version,
    about = "Outpost sync server: field devices and office staff sync CRM accounts here"
)]
struct Cli {
    /// Where the server keeps its data (documents, users, tokens).
    #[arg(
        long,
        env = "OUTPOST_DATA_DIR",
        default_value = "./outpost-data",
        global = true
    )]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Give a user an account (by document id).
    Assign { user: String, document: String },
    /// Take an account away from a user.
    Unassign { user: String, document: String },
    /// Manage a user's territories.
    #[command(subcommand)]
    Territory(TerritoryCmd),
}

#[derive(Debug, Subcommand)]
enum UserCmd {
    /// Add a user.
    Add {
        id: String,
        #[arg(long, value_enum)]
        role: Role,
        #[arg(long)]
        team: Option<String>,
    },
    /// Change a user's role and team.
    SetRole {
        id: String,
        #[arg(long, value_enum)]
        role: Role,
        #[arg(long)]
        team: Option<String>,
    },
    /// Remove a user with their tokens (their open connections close).
    Remove { id: String },
    /// List users with their territories and assignments.
    List,
}

#[derive(Debug, Subcommand)]
enum TokenCmd {
    /// Issue a token for a user (printed once).
    Issue {
        user: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a token (the token itself, or its id from `token list`).
    Revoke { token: String },
    /// List a user's tokens (ids only).
    List { user: String },
}

#[derive(Debug, Subcommand)]
enum TerritoryCmd {
    Add { user: String, territory: String },
    Remove { user: String, territory: String },
}

/// The log filter: `RUST_LOG`, or `info`. Automerge is held at `warn`
/// unless `RUST_LOG` names it: automerge 0.12 opens an INFO span around
/// every change load that Debug-formats the document's whole change graph,
/// which cost 7 % of the writer thread's time in the throughput profile
/// (BENCHMARKS.md) and grows with each document's history.
fn log_filter(env: Option<String>) -> tracing_subscriber::EnvFilter {
    let mut spec = env
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "info".into());
    if !spec.contains("automerge") {
        spec.push_str(",automerge=warn");
    }
    tracing_subscriber::EnvFilter::try_new(&spec)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,automerge=warn"))
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(std::env::var("RUST_LOG").ok()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let dir = cli.data_dir;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(&dir, args),
        Command::User(UserCmd::Add { id, role, team }) => {
            open_auth(&dir)?.add_user(&id, role, team.as_deref())?;
            println!("user {id} added");
            Ok(())
        }
        Command::User(UserCmd::SetRole { id, role, team }) => {
            open_auth(&dir)?.set_role(&id, role, team.as_deref())?;
            println!("user {id} updated");
            Ok(())
        }
        Command::User(UserCmd::Remove { id }) => {
            open_auth(&dir)?.remove_user(&id)?;
            println!("user {id} removed");
            Ok(())
        }
        Command::User(UserCmd::List) => {
            for u in open_auth(&dir)?.users()? {
                println!("{}", serde_json::to_string(&u)?);
            }
            Ok(())
        }
        Command::Token(TokenCmd::Issue { user, label }) => {
            println!("{}", open_auth(&dir)?.issue_token(&user, label.as_deref())?);
            Ok(())
        }
        Command::Token(TokenCmd::Revoke { token }) => {
            open_auth(&dir)?.revoke_token(&token)?;
            println!("revoked");
            Ok(())
        }
        Command::Token(TokenCmd::List { user }) => {
            for (id, label, revoked) in open_auth(&dir)?.tokens(&user)? {
                println!(
                    "{id}\t{}\t{}",
                    label.unwrap_or_default(),
                    if revoked { "revoked" } else { "active" }
                );
            }
            Ok(())
        }
        Command::Assign { user, document } => {
            // accepts `automerge:<id>` too; stored as the bare id
            let document = document.parse::<outpost_core::DocumentId>()?.to_string();
            open_auth(&dir)?.assign(&user, &document)?;
            println!("assigned");
            Ok(())
        }
        Command::Unassign { user, document } => {
            let document = document.parse::<outpost_core::DocumentId>()?.to_string();
            open_auth(&dir)?.unassign(&user, &document)?;
            println!("unassigned");
            Ok(())
        }
        Command::Territory(TerritoryCmd::Add { user, territory }) => {
            open_auth(&dir)?.add_territory(&user, &territory)?;
            println!("territory added");
            Ok(())
        }
        Command::Territory(TerritoryCmd::Remove { user, territory }) => {
            open_auth(&dir)?.remove_territory(&user, &territory)?;
            println!("territory removed");
            Ok(())
        }
    }
}
