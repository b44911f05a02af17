//! Untrusted Automerge bytes are inflated through a bounded reader before
//! Automerge sees them.
//!
//! Automerge storage chunks may be DEFLATE-compressed: a whole change
//! (chunk type 2) or single columns of a document or bundle chunk (types 0
//! and 3). Automerge inflates them with `read_to_end`, unbounded: a 250 KB
//! sync message can inflate to gigabytes. Everything that takes such bytes
//! from another replica goes through [`bound_chunks`] /
//! [`decode_sync_message`] first:
//!
//! - a change chunk (type 1) counts its own length;
//! - a compressed change (type 2) is inflated through `Read::take` and
//!   replaced by the equivalent uncompressed change chunk (same checksum, as
//!   Automerge itself rebuilds it), so Automerge never inflates it;
//! - a document or bundle chunk (types 0 and 3) has each deflated column
//!   inflated into a counting sink that stops at the limit (memory stays
//!   flat); the chunk is then passed on as it is, known to be bounded.
//!
//! Every byte counts against one [`Budget`], shared by all the chunks of a
//! message. The walk here only reads lengths and column metadata (LEB128
//! through the `leb128` crate); it does not decode changes, which stays
//! Automerge's job. It is written here, not taken from Automerge, because
//! Automerge exposes no bounded parse.

use std::borrow::Cow;
use std::io::{Read, Write};

/// The first four bytes of every Automerge storage chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The deflate flag of a column specification.
const DEFLATE_BIT: u64 = 0b0000_1000;

/// Why untrusted bytes were refused before Automerge saw them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundError {
    /// The bytes inflate to more than the limit allows.
    #[error("too_large: the changes inflate to more than {limit} bytes")]
    TooLarge { limit: u64 },
    /// Not a well-formed chunk sequence.
    #[error("malformed Automerge bytes: {0}")]
    Malformed(&'static str),
}

/// Inflated bytes allowed for one message (or one load), counted as chunks
/// are walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    limit: u64,
    used: u64,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self { limit, used: 0 }
    }

    /// Bytes counted so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Bytes still allowed.
    pub fn left(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    fn take(&mut self, n: u64) -> Result<(), BoundError> {
        let used = self.used.saturating_add(n);
        if used > self.limit {
            return Err(BoundError::TooLarge { limit: self.limit });
        }
        self.used = used;
        Ok(())
    }
}

/// A cursor over a byte slice with the few reads the chunk walk needs.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], BoundError> {
        let n = usize::try_from(n).map_err(|_| BoundError::Malformed("length overflow"))?;
        if n > self.left() {
            return Err(BoundError::Malformed("truncated chunk"));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn uleb(&mut self) -> Result<u64, BoundError> {
        let mut rest = &self.bytes[self.pos..];
        let before = rest.len();
        let v = leb128::read::unsigned(&mut rest)
            .map_err(|_| BoundError::Malformed("bad LEB128 length"))?;
        self.pos += before - rest.len();
        Ok(v)
    }

    /// A count of items that each take at least `min_size` bytes: a count
    /// the remaining input cannot hold is malformed (no huge loops).
    fn count(&mut self, min_size: usize) -> Result<u64, BoundError> {
        let n = self.uleb()?;
        if n.saturating_mul(min_size.max(1) as u64) > self.left() as u64 {
            return Err(BoundError::Malformed("count larger than the chunk"));
        }
        Ok(n)
    }
}

/// Counts bytes written and refuses past a limit.
struct CountingSink {
    written: u64,
    limit: u64,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written = self.written.saturating_add(buf.len() as u64);
        if self.written > self.limit {
            return Err(std::io::Error::other("inflated past the limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Inflates a deflated column into a counting sink (nothing kept).
fn count_inflated(data: &[u8], budget: &mut Budget) -> Result<(), BoundError> {
    let mut sink = CountingSink {
        written: 0,
        limit: budget.left(),
    };
    let mut decoder = flate2::read::DeflateDecoder::new(data);
    match std::io::copy(&mut decoder, &mut sink) {
        Ok(n) => budget.take(n),
        Err(_) if sink.written > sink.limit => Err(BoundError::TooLarge {
            limit: budget.limit,
        }),
        Err(_) => Err(BoundError::Malformed("bad DEFLATE data")),
    }
}

/// Column metadata: (specification, length) pairs.
fn columns(c: &mut Cursor<'_>) -> Result<Vec<(u64, u64)>, BoundError> {
    let n = c.count(2)?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push((c.uleb()?, c.uleb()?));
    }
    Ok(out)
}

/// Walks a block of column data, inflating the deflated ones into the budget.
fn column_data(
    c: &mut Cursor<'_>,
    cols: &[(u64, u64)],
    budget: &mut Budget,
) -> Result<(), BoundError> {
    for (spec, len) in cols {
        let data = c.take(*len)?;
        if spec & DEFLATE_BIT != 0 {
            count_inflated(data, budget)?;
        } else {
            budget.take(*len)?;
        }
    }
    Ok(())
}

fn skip_actors(c: &mut Cursor<'_>) -> Result<(), BoundError> {
    for _ in 0..c.count(1)? {
        let len = c.uleb()?;
        c.take(len)?;
    }
    Ok(())
}

fn skip_hashes(c: &mut Cursor<'_>) -> Result<(), BoundError> {
    let n = c.count(32)?;
    c.take(n * 32)?;
    Ok(())
}

/// A document chunk's body: actors, heads, change and op column metadata,
/// the columns, then head indices.
fn walk_document(body: &[u8], budget: &mut Budget) -> Result<(), BoundError> {
    let mut c = Cursor::new(body);
    skip_actors(&mut c)?;
    skip_hashes(&mut c)?;
    let change_cols = columns(&mut c)?;
    let op_cols = columns(&mut c)?;
    column_data(&mut c, &change_cols, budget)?;
    column_data(&mut c, &op_cols, budget)?;
    budget.take(c.left() as u64)
}

/// A bundle chunk's body: dependencies, actors, change columns, op columns.
fn walk_bundle(body: &[u8], budget: &mut Budget) -> Result<(), BoundError> {
    let mut c = Cursor::new(body);
    skip_hashes(&mut c)?;
    skip_actors(&mut c)?;
    let change_cols = columns(&mut c)?;
    column_data(&mut c, &change_cols, budget)?;
    let op_cols = columns(&mut c)?;
    column_data(&mut c, &op_cols, budget)?;
    budget.take(c.left() as u64)
}

/// Checks a sequence of storage chunks against `budget`, inflating what is
/// compressed through a bounded reader. Returns the bytes for Automerge: the
/// input itself, or a copy in which compressed changes are inflated.
pub fn bound_chunks<'a>(bytes: &'a [u8], budget: &mut Budget) -> Result<Cow<'a, [u8]>, BoundError> {
    let mut c = Cursor::new(bytes);
    let mut out: Option<Vec<u8>> = None;
    while c.left() > 0 {
        let start = c.pos;
        if c.take(4)? != MAGIC {
            return Err(BoundError::Malformed("not an Automerge chunk"));
        }
        let checksum = c.take(4)?;
        let kind = c.take(1)?[0];
        let len = c.uleb()?;
        let body = c.take(len)?;
        match kind {
            1 => budget.take(c.pos as u64 - start as u64)?,
            0 => walk_document(body, budget)?,
            3 => walk_bundle(body, budget)?,
            2 => {
                let mut inflated = Vec::new();
                let limit = budget.left();
                flate2::read::DeflateDecoder::new(body)
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut inflated)
                    .map_err(|_| BoundError::Malformed("bad DEFLATE data"))?;
                budget.take(inflated.len() as u64)?;
                // the same change, uncompressed: Automerge checks it against
                // the compressed chunk's checksum exactly like this
                let buf = out.get_or_insert_with(|| bytes[..start].to_vec());
                buf.extend_from_slice(&MAGIC);
                buf.extend_from_slice(checksum);
                buf.push(1);
                leb128::write::unsigned(buf, inflated.len() as u64)
                    .map_err(|_| BoundError::Malformed("length"))?;
                buf.extend_from_slice(&inflated);
                continue;
            }
            _ => return Err(BoundError::Malformed("unknown chunk type")),
        }
        if let Some(buf) = out.as_mut() {
            buf.extend_from_slice(&bytes[start..c.pos]);
        }
    }
    Ok(match out {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(bytes),
    })
}

/// Decodes an Automerge sync message whose changes inflate to at most
/// `limit` bytes (compressed changes arrive inflated). Returns the message
/// and how many bytes its changes hold once inflated.
pub fn decode_sync_message(
    bytes: &[u8],
    limit: u64,
) -> Result<(automerge::sync::Message, u64), SyncDecodeError> {
    let mut message =
        automerge::sync::Message::decode(bytes).map_err(|_| SyncDecodeError::Invalid)?;
    if !message.have.iter().all(|h| sound_bloom(&h.bloom)) {
        return Err(SyncDecodeError::Invalid);
    }
    let mut budget = Budget::new(limit);
    let mut rewritten = None;
    let chunks: Vec<&[u8]> = message.changes.iter().collect();
    for (i, chunk) in chunks.iter().enumerate() {
        if let Cow::Owned(v) = bound_chunks(chunk, &mut budget)? {
            rewritten
                .get_or_insert_with(|| chunks.iter().map(|c| c.to_vec()).collect::<Vec<_>>())[i] =
                v;
        }
    }
    if let Some(all) = rewritten {
        message.changes = all.into();
    }
    Ok((message, budget.used()))
}

/// Most probes a peer's Bloom filter may ask for (Automerge writes 7).
const MAX_BLOOM_PROBES: u64 = 64;

/// Whether a Bloom filter from a peer is one Automerge can use. Automerge
/// parses the filter's three parameters as they come and uses them when it
/// next generates a message for that peer: a filter with entries but no
/// bits divides by zero (a panic; on the server, in the writer thread,
/// which rolls back the whole group commit), and a huge probe count
/// allocates 4 bytes per probe for every change it checks (up to 16 GiB)
/// and loops as often. Found by the `sync_message` fuzz target.
fn sound_bloom(bloom: &automerge::sync::BloomFilter) -> bool {
    let bytes = bloom.to_bytes();
    if bytes.is_empty() {
        // no entries: Automerge never probes it
        return true;
    }
    let mut rest = bytes.as_slice();
    let mut next = || leb128::read::unsigned(&mut rest).ok();
    let (Some(_entries), Some(_bits_per_entry), Some(probes)) = (next(), next(), next()) else {
        return false;
    };
    // the probes are taken modulo the number of bits, a u32
    let bits = rest.len() as u64 * 8;
    bits > 0 && bits <= u64::from(u32::MAX) && probes <= MAX_BLOOM_PROBES
}

/// Why a sync message was not decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncDecodeError {
    /// Not an Automerge sync message.
    #[error("not a valid sync message")]
    Invalid,
    /// Its changes are malformed or inflate past the limit.
    #[error(transparent)]
    Bound(#[from] BoundError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    fn change_bytes(text_len: usize) -> (Vec<u8>, Vec<u8>) {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "note", "x".repeat(text_len)).unwrap();
        let mut change = doc.get_last_local_change().unwrap().clone();
        let raw = change.raw_bytes().to_vec();
        let compressed = change.bytes().to_vec();
        (raw, compressed)
    }

    #[test]
    fn plain_changes_pass_unchanged_and_count_their_length() {
        let (raw, _) = change_bytes(10);
        let mut b = Budget::new(1 << 20);
        let out = bound_chunks(&raw, &mut b).unwrap();
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(b.used(), raw.len() as u64);
    }

    #[test]
    fn compressed_changes_arrive_inflated_and_load_the_same() {
        let (raw, compressed) = change_bytes(100_000);
        assert_eq!(compressed[8], 2, "automerge compressed the change");
        assert!(compressed.len() < raw.len() / 10);
        let mut b = Budget::new(1 << 20);
        let out = bound_chunks(&compressed, &mut b).unwrap();
        assert_eq!(out.as_ref(), raw.as_slice());
        let mut doc = automerge::Automerge::new();
        doc.load_incremental(&out).unwrap();
        assert_eq!(doc.get_heads().len(), 1);
        // past the budget: refused before anything is kept
        let mut small = Budget::new(50_000);
        assert_eq!(
            bound_chunks(&compressed, &mut small),
            Err(BoundError::TooLarge { limit: 50_000 })
        );
    }

    #[test]
    fn deflated_document_columns_are_counted_against_the_budget() {
        let mut doc = AutoCommit::new();
        for i in 0..2_000 {
            doc.put(ROOT, format!("k{i}"), "same value repeated")
                .unwrap();
        }
        let saved = doc.save();
        let mut big = Budget::new(1 << 24);
        assert!(matches!(
            bound_chunks(&saved, &mut big).unwrap(),
            Cow::Borrowed(_)
        ));
        assert!(big.used() >= saved.len() as u64 / 2);
        let mut tiny = Budget::new(256);
        assert_eq!(
            bound_chunks(&saved, &mut tiny),
            Err(BoundError::TooLarge { limit: 256 })
        );
    }

    #[test]
    fn a_deflate_bomb_is_refused_with_flat_memory() {
        // 64 MiB of zeros deflate to ~64 KB; wrapped as a compressed change
        let zeros = vec![0u8; 64 << 20];
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&zeros).unwrap();
        let body = enc.finish().unwrap();
        let mut chunk = MAGIC.to_vec();
        chunk.extend_from_slice(&[0, 0, 0, 0, 2]);
        leb128::write::unsigned(&mut chunk, body.len() as u64).unwrap();
        chunk.extend_from_slice(&body);
        let mut b = Budget::new(1 << 20);
        assert_eq!(
            bound_chunks(&chunk, &mut b),
            Err(BoundError::TooLarge { limit: 1 << 20 })
        );
    }

    /// A sync message whose `have` carries the Bloom filter `filter` (its
    /// wire form: entries, bits per entry, probes, bits).
    fn message_with_bloom(filter: &[u8]) -> Vec<u8> {
        let bloom = automerge::sync::BloomFilter::try_from(filter).unwrap();
        automerge::sync::Message {
            heads: Vec::new(),
            need: Vec::new(),
            have: vec![automerge::sync::Have {
                last_sync: Vec::new(),
                bloom,
            }],
            changes: Vec::<Vec<u8>>::new().into(),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        }
        .encode()
    }

    /// Found by the `sync_message` fuzz target (regression input
    /// `fuzz-targets/regressions/sync_message/bloom-without-bits`): a
    /// filter with entries and no bits made Automerge divide by zero when
    /// it generated the reply; a huge probe count would allocate gigabytes.
    #[test]
    fn bloom_filters_automerge_cannot_use_are_refused() {
        // one entry, 0 bits per entry (so no bits), one probe
        let no_bits = message_with_bloom(&[1, 0, 1]);
        assert_eq!(
            decode_sync_message(&no_bits, 1 << 20).map(|_| ()),
            Err(SyncDecodeError::Invalid)
        );
        // one entry, 8 bits, 2^32 - 1 probes
        let probes = message_with_bloom(&[1, 8, 0xff, 0xff, 0xff, 0xff, 0x0f, 0]);
        assert_eq!(
            decode_sync_message(&probes, 1 << 20).map(|_| ()),
            Err(SyncDecodeError::Invalid)
        );
        // what Automerge itself writes passes
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "k", "v").unwrap();
        let mut state = automerge::sync::State::new();
        let mut peer = AutoCommit::new();
        let first = peer
            .sync()
            .generate_sync_message(&mut state)
            .unwrap()
            .encode();
        assert!(decode_sync_message(&first, 1 << 20).is_ok());
        let mut s2 = automerge::sync::State::new();
        use automerge::sync::SyncDoc;
        doc.sync()
            .receive_sync_message(&mut s2, automerge::sync::Message::decode(&first).unwrap())
            .unwrap();
        let reply = doc.sync().generate_sync_message(&mut s2).unwrap();
        assert!(!reply.have.is_empty());
        assert!(decode_sync_message(&reply.encode(), 1 << 20).is_ok());
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let mut b = Budget::new(1 << 20);
        for bad in [
            &b"nope"[..],
            &[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 9, 0][..],
            &[
                0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f,
            ][..],
            &[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0x7f][..],
        ] {
            assert!(matches!(
                bound_chunks(bad, &mut b),
                Err(BoundError::Malformed(_))
            ));
        }
    }
}
