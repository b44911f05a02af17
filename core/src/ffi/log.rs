//! The logging hook: core's `tracing` events (level, target, message with
//! its fields) to a `LogSink` the app implements, e.g. Logcat on Android or
//! `os_log` on iOS. A small `tracing` subscriber of this library's own
//! (every Rust library in a process has its own `tracing` globals), installed
//! by the first `set_log_sink`. Events are queued and handed to the sink on
//! one thread, in order, never while the store is busy; core's events name
//! ids only, never personal data.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

use super::dispatch::Call;
use super::error::ObserverError;

/// How severe a log message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn of(level: Level) -> Self {
        match level {
            Level::ERROR => Self::Error,
            Level::WARN => Self::Warn,
            Level::INFO => Self::Info,
            Level::DEBUG => Self::Debug,
            _ => Self::Trace,
        }
    }

    fn filter(self) -> tracing::level_filters::LevelFilter {
        use tracing::level_filters::LevelFilter;
        match self {
            Self::Error => LevelFilter::ERROR,
            Self::Warn => LevelFilter::WARN,
            Self::Info => LevelFilter::INFO,
            Self::Debug => LevelFilter::DEBUG,
            Self::Trace => LevelFilter::TRACE,
        }
    }
}

/// Receives the library's log messages, on one thread of the library, in
/// order. `target` is the Rust module (e.g. `outpost_core::sync::client`,
/// `outpost::observer` for an observer that threw). Return quickly.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), ObserverError>;
}

/// No sink: nothing is enabled.
const OFF: u8 = u8::MAX;

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
/// The most verbose level passed to the sink (`LogLevel as u8`), or `OFF`.
static MAX: AtomicU8 = AtomicU8::new(OFF);
static QUEUE: OnceLock<Mutex<Sender<Line>>> = OnceLock::new();

struct Line {
    level: LogLevel,
    target: &'static str,
    message: String,
}

/// Sends the library's log messages at `min_level` and above (`Warn`:
/// warnings and errors) to `sink`, replacing any sink set before.
#[uniffi::export]
pub fn set_log_sink(sink: Arc<dyn LogSink>, min_level: LogLevel) {
    if !super::dispatch::gate_open() {
        return;
    }
    install();
    let old = SINK
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .replace(sink);
    MAX.store(min_level as u8, Ordering::SeqCst);
    tracing::callsite::rebuild_interest_cache();
    drop(old);
}

/// Stops sending log messages to the sink.
#[uniffi::export]
pub fn remove_log_sink() {
    MAX.store(OFF, Ordering::SeqCst);
    tracing::callsite::rebuild_interest_cache();
    let old = SINK.write().unwrap_or_else(|e| e.into_inner()).take();
    drop(old);
}

/// `shutdown`: the sink is released on the caller's thread.
pub(crate) fn release_sink() {
    remove_log_sink();
}

/// Installs the subscriber and starts the sink's thread, once.
fn install() {
    QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Line>();
        let started = std::thread::Builder::new()
            .name("outpost-log".into())
            .spawn(move || {
                for line in rx {
                    let Some(_call) = Call::enter() else {
                        continue;
                    };
                    let sink = SINK.read().unwrap_or_else(|e| e.into_inner()).clone();
                    if let Some(sink) = sink {
                        // a sink that throws cannot be told so: dropped
                        let _ = sink.log(line.level, line.target.to_owned(), line.message);
                    }
                }
            });
        if started.is_ok() {
            let _ = tracing::subscriber::set_global_default(SinkSubscriber);
        }
        Mutex::new(tx)
    });
}

fn enabled(level: &Level) -> bool {
    let max = MAX.load(Ordering::Relaxed);
    max != OFF && (LogLevel::of(*level) as u8) <= max
}

/// Forwards events to the sink's thread; spans are not tracked.
struct SinkSubscriber;

impl Subscriber for SinkSubscriber {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // asked again on every event: the level changes at run time
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && enabled(metadata.level())
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        match MAX.load(Ordering::Relaxed) {
            OFF => Some(tracing::level_filters::LevelFilter::OFF),
            m => [
                LogLevel::Error,
                LogLevel::Warn,
                LogLevel::Info,
                LogLevel::Debug,
                LogLevel::Trace,
            ]
            .into_iter()
            .find(|l| *l as u8 == m)
            .map(LogLevel::filter),
        }
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        if !enabled(meta.level()) {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        let line = Line {
            level: LogLevel::of(*meta.level()),
            target: meta.target(),
            message: text.0,
        };
        if let Some(q) = QUEUE.get() {
            let _ = q.lock().unwrap_or_else(|e| e.into_inner()).send(line);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// "message key=value key=value".
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let rest = std::mem::take(&mut self.0);
            let _ = write!(self.0, "{value:?}");
            if !rest.is_empty() {
                self.0.push(' ');
                self.0.push_str(&rest);
            }
        } else {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            let _ = write!(self.0, "{}={value}", field.name());
        }
    }
}
