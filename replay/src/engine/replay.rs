//! Rule replay: events in, [`Alert`]s out.
//!
//! [`Engine`] holds the immutable, shared part (the compiled rules behind an `Arc`, the match
//! mode, the resolved context fields); [`Scratch`] the per-worker buffers. Replaying one
//! chunk is a function of (starting state, events, engine) to alerts: [`Engine::replay_chunk`]
//! for native chunks (each restored from its checkpoint, in parallel with rayon) and
//! [`Engine::replay_trace`] for any trace read front to back. [`Engine::replay_paths`] runs
//! files in parallel and returns results in input order, each trace's alerts in event
//! order, so the output is identical for any number of threads. [`replay_trace_each`]
//! evaluates several engines (rule sets) in one pass over a trace.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hindsight_format::event::EventRef;
use hindsight_format::native::{ChunkEvents, ChunkFrame, NativeReader};
use hindsight_format::{Compression, DecodeError, TraceReader};
use rayon::prelude::*;
use thiserror::Error;

use super::profile::Profile;
use super::replayer::Replayer;
use super::source::{arg_of, EventSource};
use super::window::{Span, TimeWindow};
use crate::fields::catalog::flags::{HEX, IS_LIST, JSON_RAW_TS, NO_OUTPUT_VALUE};
use crate::fields::catalog::{FieldId, FieldType};
use crate::fields::ctx::{Arg, Ctx};
use crate::fields::extract::{extract, extract_by_name};
use crate::fields::value::{Out, Val};
use crate::output::{Alert, FieldValue, Priority, CONTEXT_FIELDS};
use crate::rules::output::{printable, IPNET_TEXT};
use crate::rules::{CompiledRules, EvalScratch, FieldArg};
use crate::state::libs_view::{self, Fate};
use crate::state::{checkpoint, State};

/// Falco's `rule_matching` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MatchMode {
    /// At most one alert per event: the first matching rule in load order (Falco's default).
    #[default]
    First,
    /// One alert per matching rule.
    All,
}

/// Why a trace could not be replayed.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The trace could not be read.
    #[error("{path}: {source}")]
    Decode {
        /// The trace.
        path: String,
        /// The cause.
        #[source]
        source: DecodeError,
    },
}

/// What replaying one trace produced.
#[derive(Debug, Default)]
pub struct TraceOutcome {
    /// Alerts in event order.
    pub alerts: Vec<Alert>,
    /// Events read.
    pub events: u64,
    /// Damage reported by the reader, as text.
    pub warnings: Vec<String>,
    /// Chunks skipped because no rule could match their event types or they lie outside the
    /// time window: never decompressed.
    pub skipped_chunks: usize,
    /// Chunks of a native trace decompressed and replayed (0 for plain and gzip traces).
    pub decoded_chunks: usize,
    /// Per-rule evaluation costs; empty unless the engine profiles ([`Engine::profile`]).
    pub profile: Profile,
}

/// The default of [`Engine::segment_min`]: below a few megabytes, a second worker does not
/// pay for the start-up and the skimming.
pub const SEGMENT_MIN: u64 = 8 << 20;

/// Per-worker buffers, created once per thread and reused for every event.
#[derive(Debug, Default)]
pub struct Scratch {
    eval: EvalScratch,
    out: Out,
    hits: Vec<usize>,
    profile: Option<Profile>,
    pub(super) span: Span,
}

impl Scratch {
    /// Takes the rule costs recorded so far (empty when the engine does not profile).
    pub fn take_profile(&mut self) -> Profile {
        self.profile
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// The shared, immutable part of a replay.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: Arc<CompiledRules>,
    mode: MatchMode,
    priorities: Vec<Priority>,
    exits_only: bool,
    profile: bool,
    pub(super) window: TimeWindow,
    segment_min: u64,
}

/// A value of the extraction buffer as an owned [`FieldValue`]: a single number or boolean
/// stays typed, anything else is rendered as text, several values separated by spaces as in
/// libsinsp's outputs, sanitised in current libs' view (`sanitize`, see
/// [`crate::fields::sanitize`]).
pub fn field_value(out: &Out, sanitize: bool) -> FieldValue {
    match out.vals.as_slice() {
        [] => FieldValue::Null,
        [Val::U64(v)] => FieldValue::U64(*v),
        [Val::I64(v)] => FieldValue::I64(*v),
        [Val::Bool(b)] => FieldValue::Bool(*b),
        [Val::Double(d)] => FieldValue::F64(*d),
        _ => {
            let mut b = Vec::new();
            out.render_all(b" ", &mut b);
            FieldValue::Str(crate::fields::sanitize::output_string(&b, sanitize))
        }
    }
}

/// The values of a list field as libsinsp's `tojson` gives them: an array of the values as
/// text, `null` when there is none.
fn list_value(out: &Out, sanitize: bool) -> FieldValue {
    if out.is_empty() {
        return FieldValue::Null;
    }
    let mut items = Vec::with_capacity(out.vals.len());
    let mut b = Vec::new();
    for i in 0..out.vals.len() {
        b.clear();
        out.render(i, &mut b);
        items.push(crate::fields::sanitize::output_string(&b, sanitize));
    }
    FieldValue::List(items)
}

/// An integer field printed in hexadecimal (`PF_HEX`): libsinsp's JSON gives the text.
fn hex_value(out: &Out, sanitize: bool) -> FieldValue {
    match out.vals.as_slice() {
        [Val::U64(v)] => FieldValue::Str(format!("{v:X}")),
        [Val::I64(v)] => FieldValue::Str(format!("{v:X}")),
        _ => field_value(out, sanitize),
    }
}

impl Engine {
    /// An engine over `rules`.
    pub fn new(rules: Arc<CompiledRules>, mode: MatchMode) -> Engine {
        let priorities = rules
            .rules()
            .iter()
            .map(|r| Priority::parse(r.priority.name()).unwrap_or(Priority::Debug))
            .collect();
        Engine {
            rules,
            mode,
            priorities,
            exits_only: true,
            profile: false,
            window: TimeWindow::default(),
            segment_min: SEGMENT_MIN,
        }
    }

    /// The size from which a plain trace is replayed in parallel byte segments
    /// ([`super::segments`]) when the thread pool has several threads; smaller traces are
    /// replayed on one thread, where skimming would cost more than it saves.
    pub fn segment_min(mut self, bytes: u64) -> Engine {
        self.segment_min = bytes;
        self
    }

    /// Evaluates only the events in `window` (`--since/--until`, [`super::window`]); the
    /// others still update the state. Native traces skip the chunks outside it unread.
    pub fn window(mut self, window: TimeWindow) -> Engine {
        self.window = window;
        self
    }

    /// Whether to measure each rule's evaluations, matches and time ([`super::profile`]);
    /// off by default, and then no clock is read on the hot path.
    pub fn profile(mut self, yes: bool) -> Engine {
        self.profile = yes;
        self
    }

    /// Per-worker buffers for this engine (with a [`Profile`] when it profiles).
    pub fn scratch(&self) -> Scratch {
        Scratch {
            profile: self.profile.then(|| Profile::new(self.rules.rules().len())),
            ..Scratch::default()
        }
    }

    /// Whether rules see only the exit of each enter/exit pair (the default) or every event.
    ///
    /// Current libs (0.22+, Falco 0.42+) convert each enter/exit pair into one exit event that
    /// carries the enter's parameters, so rules never see enter events; the upstream rules
    /// rely on it (`spawned_process` is just `evt.type in (execve, execveat)`, which on an
    /// enter event would describe the process *before* the exec). `false` gives the view of
    /// Falco 0.41 and earlier (`--enter-events`): every event libsinsp reads, enters included
    /// (`evt.dir` `>`), numbered as in the trace, with sysdig 0.29's field values; internal
    /// events such as `procinfo` reach the rules in both views, unlike sysdig's output.
    pub fn exits_only(mut self, yes: bool) -> Engine {
        self.exits_only = yes;
        self
    }

    /// The compiled rules.
    pub fn rules(&self) -> &CompiledRules {
        &self.rules
    }

    /// Evaluates the rules for one event (already applied to the state) and appends its
    /// alerts. The hot path: no allocation unless a rule matches.
    pub fn on_event(
        &self,
        ctx: &Ctx<'_>,
        trace: &str,
        scratch: &mut Scratch,
        alerts: &mut Vec<Alert>,
    ) {
        let ty = ctx.p.ev.ty;
        if self.rules.candidates(ty).is_empty() {
            return;
        }
        let Scratch {
            eval,
            out,
            hits,
            profile,
            ..
        } = scratch;
        hits.clear();
        {
            let mut src = EventSource { ctx, out };
            if let Some(profile) = profile {
                self.profiled(ty, &mut src, eval, hits, profile);
            } else {
                match self.mode {
                    MatchMode::First => {
                        if let Some(i) = self.rules.first_match(ty, &mut src, eval) {
                            hits.push(i);
                        }
                    }
                    MatchMode::All => self.rules.all_matches(ty, &mut src, eval, hits),
                }
            }
        }
        for &i in hits.iter() {
            alerts.push(self.alert(i, ctx, trace, eval, out));
        }
    }

    /// [`Engine::on_event`]'s matching with each candidate rule timed: the same rules in the
    /// same order as `first_match`/`all_matches`, so the alerts do not change.
    fn profiled(
        &self,
        ty: u16,
        src: &mut EventSource<'_, '_>,
        eval: &mut EvalScratch,
        hits: &mut Vec<usize>,
        profile: &mut Profile,
    ) {
        for &i in self.rules.candidates(ty) {
            let i = i as usize;
            let Some(rule) = self.rules.rules().get(i) else {
                continue;
            };
            let started = std::time::Instant::now();
            let matched = rule.condition.eval(src, eval);
            profile.record(i, matched, started.elapsed());
            if matched {
                hits.push(i);
                if self.mode == MatchMode::First {
                    break;
                }
            }
        }
    }

    fn alert(
        &self,
        i: usize,
        ctx: &Ctx<'_>,
        trace: &str,
        eval: &mut EvalScratch,
        out: &mut Out,
    ) -> Alert {
        let rule = &self.rules.rules()[i];
        let mut output = String::new();
        {
            let mut src = EventSource { ctx, out };
            rule.output.render(&mut src, eval, &mut output);
        }
        let mut output_fields: Vec<(String, FieldValue)> = Vec::new();
        for fe in rule.output.fields() {
            let name = fe.field.display();
            if output_fields.iter().any(|(n, _)| *n == name) {
                continue;
            }
            // As libsinsp's formatter: a transformed field is listed under the field's own
            // name with its untransformed value.
            let info = fe.field.id.info();
            let found = extract(fe.field.id, &arg_of(&fe.field.arg), ctx, out);
            let v = if info.has(NO_OUTPUT_VALUE) || !found {
                FieldValue::Null
            } else if info.has(JSON_RAW_TS) {
                FieldValue::U64(ctx.p.ev.ts)
            } else if info.ty == FieldType::IpNet {
                FieldValue::Str(IPNET_TEXT.into())
            } else if info.ty == FieldType::Bytes {
                let first = out.vals.first().map_or(&[][..], |v| out.bytes(v));
                FieldValue::Str(first.iter().map(|&b| printable(b)).collect())
            } else if info.has(IS_LIST) {
                list_value(out, ctx.libs)
            } else if info.has(HEX) {
                hex_value(out, ctx.libs)
            } else {
                field_value(out, ctx.libs)
            };
            output_fields.push((name, v));
        }
        // Falco replaces `%container.info` by `container_id=%container.id
        // container_name=%container.name`, so both fields are output fields too.
        if rule.output.has_container_info() {
            for name in ["container.id", "container.name"] {
                if output_fields.iter().any(|(n, _)| n == name) {
                    continue;
                }
                let v = if extract_by_name(name, ctx, out) {
                    field_value(out, ctx.libs)
                } else {
                    FieldValue::Null
                };
                output_fields.push((name.to_owned(), v));
            }
        }
        Alert {
            time_ns: ctx.p.ev.ts,
            rule: rule.name.clone(),
            priority: self.priorities[i],
            tags: rule.tags.clone(),
            output,
            source: rule.source.clone(),
            hostname: ctx.st.hostname.clone(),
            trace: trace.to_owned(),
            evt_num: ctx.p.ev.num,
            output_fields,
            context: context_values(ctx, out),
        }
    }

    /// Applies `ev` to `rp`'s state and evaluates it with this engine's rules, appending its
    /// alerts to `alerts`: one step of a replay, for callers that feed events one at a time
    /// (the flight recorder evaluates a live stream this way). `trace` names the source in
    /// the alerts.
    pub fn evaluate<'r>(
        &self,
        rp: &mut Replayer,
        trace: &str,
        scratch: &mut Scratch,
        alerts: &mut Vec<Alert>,
        ev: &EventRef<'r>,
    ) {
        run_each(
            std::slice::from_ref(self),
            rp,
            trace,
            std::slice::from_mut(scratch),
            std::slice::from_mut(alerts),
            ev,
        );
    }

    /// Replays a whole trace front to back on this thread (any format).
    pub fn replay_trace(&self, path: &Path) -> Result<TraceOutcome, EngineError> {
        let mut outcomes = replay_trace_each(std::slice::from_ref(self), path)?;
        Ok(outcomes.pop().unwrap_or_default())
    }

    /// Replays chunk `i` of a native trace from `start` (the state its checkpoint holds),
    /// evaluating every event (the engine's window is resolved against the whole trace by
    /// [`Engine::replay_chunks`]).
    pub fn replay_chunk(
        &self,
        path: &Path,
        i: usize,
        start: Replayer,
    ) -> Result<TraceOutcome, EngineError> {
        self.replay_chunk_in(path, i, start, Span::ALL)
    }

    /// [`Engine::replay_chunk`], evaluating only the events in `span`.
    fn replay_chunk_in(
        &self,
        path: &Path,
        i: usize,
        start: Replayer,
        span: Span,
    ) -> Result<TraceOutcome, EngineError> {
        let decode = |source| EngineError::Decode {
            path: path.display().to_string(),
            source,
        };
        let mut reader = NativeReader::open_chunks(path, Some(&[i])).map_err(decode)?;
        let events = reader.read_chunk(i).map_err(decode)?;
        Ok(self.replay_events(path, events, start, span))
    }

    /// Replays the decoded events of one chunk from `start`, evaluating those in `span`.
    fn replay_events(
        &self,
        path: &Path,
        mut events: ChunkEvents,
        start: Replayer,
        span: Span,
    ) -> TraceOutcome {
        let trace = path.display().to_string();
        let mut rp = start;
        let mut scratch = self.scratch();
        scratch.span = span;
        let mut res = TraceOutcome {
            decoded_chunks: 1,
            ..TraceOutcome::default()
        };
        while let Some(ev) = events.next_event() {
            res.events += 1;
            self.evaluate(&mut rp, &trace, &mut scratch, &mut res.alerts, &ev);
        }
        res.profile = scratch.take_profile();
        res.warnings = events.warnings().iter().map(ToString::to_string).collect();
        res
    }

    /// Replays chunk `i` that opens a new trace section (it has no checkpoint: its own
    /// header blocks give the state), numbering its events from `first_num`. `None` when
    /// the chunk does not start with a section header.
    fn replay_section_chunk(
        &self,
        path: &Path,
        events: &ChunkEvents,
        first_num: u64,
        span: Span,
    ) -> Option<TraceOutcome> {
        let trace = path.display().to_string();
        let data = events.data().to_vec();
        let mut reader = TraceReader::from_reader(Box::new(std::io::Cursor::new(data))).ok()?;
        reader.set_next_num(first_num);
        let mut rp = Replayer::resume(State::from_header(reader.header()), 0, true);
        let mut scratch = self.scratch();
        scratch.span = span;
        let mut res = TraceOutcome {
            decoded_chunks: 1,
            ..TraceOutcome::default()
        };
        let alerts = &mut res.alerts;
        res.events = rp
            .replay_all(
                &mut reader,
                |_| (),
                |rp, ev| {
                    self.evaluate(rp, &trace, &mut scratch, alerts, ev);
                    Ok(())
                },
            )
            .ok()?;
        res.profile = scratch.take_profile();
        res.warnings = reader.warnings().iter().map(ToString::to_string).collect();
        Some(res)
    }

    /// Replays a native trace chunk by chunk in parallel, each chunk from its checkpoint (or
    /// its own header blocks when it opens a section), skipping chunks whose event types no
    /// rule can match. Falls back to a front-to-back replay when a chunk cannot be started
    /// independently (no or unreadable checkpoint), and for plain/gzip traces.
    pub fn replay_file(&self, path: &Path) -> Result<TraceOutcome, EngineError> {
        self.replay_chunks(path, None)
    }

    /// Replays the chunks of a native trace whose indices `only` lists (all of them for
    /// `None`) as [`Engine::replay_file`] does: the alerts are exactly those a whole replay
    /// gives for the events of these chunks. With `only`, a trace that is not chunked
    /// ([`super::work::units`] makes it one unit) is replayed whole when `only` holds 0.
    pub fn replay_chunks(
        &self,
        path: &Path,
        only: Option<&[usize]>,
    ) -> Result<TraceOutcome, EngineError> {
        enum Part {
            Skipped,
            Done(TraceOutcome),
            NeedSequential,
        }
        let decode = |source| EngineError::Decode {
            path: path.display().to_string(),
            source,
        };
        let whole = || match only {
            Some(only) if !only.contains(&0) => Ok(TraceOutcome::default()),
            _ => self.replay_trace(path),
        };
        let compression = sniff(path);
        if compression == Some(Compression::None) && only.is_none_or(|o| o.contains(&0)) {
            let workers = rayon::current_num_threads();
            // A local file's length; a trace in object storage is read on one thread.
            let len = std::fs::metadata(path).map_or(0, |m| m.len());
            if workers > 1 && len >= self.segment_min.max(1) {
                return self.replay_segments(path, len, workers);
            }
        }
        if compression != Some(Compression::Native) {
            return whole();
        }
        let reader = NativeReader::open_chunks(path, only).map_err(decode)?;
        let chunks = reader.chunks().to_vec();
        if chunks.len() < 2 {
            let read = only.is_none_or(|o| o.contains(&0));
            return whole().map(|mut o| {
                o.decoded_chunks = if read { chunks.len() } else { 0 };
                o
            });
        }
        let warnings: Vec<String> = reader.warnings().iter().map(ToString::to_string).collect();
        // One reader for every chunk: over object storage this is one ranged read per chunk,
        // after the index and header read once. It is held only while a frame is fetched.
        let checkpoints = reader.checkpoints().clone();
        let shared = std::sync::Mutex::new(reader);
        let fetch = |i: usize| {
            // The lock is released before decompressing, which then runs in parallel.
            let frame = shared
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .read_frame(i);
            frame.map(ChunkFrame::decompress).map_err(decode)
        };
        let selected = |i: usize| only.is_none_or(|o| o.contains(&i));
        let header = shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .header()
            .clone();
        let first_ts = chunks.first().map_or(0, |c| c.stats.first_ts);
        let span = self.window.resolve(first_ts);
        let wanted = self.rules.event_types();
        let parts: Vec<Result<Part, EngineError>> = chunks
            .par_iter()
            .enumerate()
            .filter(|(i, _)| selected(*i))
            .map(|(i, c)| {
                let can_match = span.overlaps(c.stats.first_ts, c.stats.last_ts)
                    && (0..hindsight_format::schema::event_id_limit())
                        .any(|t| wanted.contains(t) && c.stats.has_type(t));
                if !can_match {
                    return Ok(Part::Skipped);
                }
                // Decoded now, not when the trace was opened: one chunk's state at a time.
                let cp = if c.has_checkpoint {
                    checkpoints.get(i)
                } else {
                    None
                };
                let start = match (i, cp) {
                    (0, _) => Replayer::from_header(&header),
                    (_, Some(cp)) => match checkpoint::load(&cp) {
                        Ok(st) => Replayer::resume(st, first_ts, true),
                        Err(_) => return Ok(Part::NeedSequential),
                    },
                    (_, None) => {
                        let events = fetch(i)?;
                        return Ok(self
                            .replay_section_chunk(path, &events, c.stats.first_num.max(1), span)
                            .map_or(Part::NeedSequential, Part::Done));
                    }
                };
                Ok(Part::Done(self.replay_events(path, fetch(i)?, start, span)))
            })
            .collect();
        let mut res = TraceOutcome {
            warnings,
            ..TraceOutcome::default()
        };
        for p in parts {
            match p? {
                Part::Done(o) => {
                    res.events += o.events;
                    res.decoded_chunks += o.decoded_chunks;
                    res.profile.merge(&o.profile);
                    res.alerts.extend(o.alerts);
                    res.warnings.extend(o.warnings);
                }
                Part::Skipped => res.skipped_chunks += 1,
                Part::NeedSequential => {
                    let mut all = self.replay_trace(path)?;
                    all.decoded_chunks = chunks.len();
                    if only.is_some() {
                        // Keep the alerts of the selected chunks' events.
                        let ranges: Vec<(u64, u64)> = (0..chunks.len())
                            .filter(|&i| selected(i))
                            .map(|i| {
                                let s = &chunks[i].stats;
                                (s.first_num, s.first_num.saturating_add(s.count))
                            })
                            .collect();
                        all.alerts.retain(|a| {
                            ranges.iter().any(|&(lo, hi)| (lo..hi).contains(&a.evt_num))
                        });
                        all.events = ranges.iter().map(|&(lo, hi)| hi - lo).sum();
                    }
                    return Ok(all);
                }
            }
        }
        Ok(res)
    }

    /// Replays several traces in parallel; results come back in input order.
    pub fn replay_paths(&self, paths: &[PathBuf]) -> Vec<Result<TraceOutcome, EngineError>> {
        paths.par_iter().map(|p| self.replay_file(p)).collect()
    }
}

/// Applies `ev` to `rp`'s state once and evaluates it with every engine of `engines`,
/// appending each engine's alerts to the matching element of `alerts`. The hot path: it
/// allocates only when a rule matches.
fn run_each(
    engines: &[Engine],
    rp: &mut Replayer,
    trace: &str,
    scratch: &mut [Scratch],
    alerts: &mut [Vec<Alert>],
    ev: &EventRef<'_>,
) {
    // Current libs' view (the default): what their capture converter and libsinsp hand to
    // the rules, numbered as they number it. Otherwise the view of Falco 0.41 and earlier:
    // every event libsinsp reads, enters included; unlike sysdig's output, which hides
    // internal events, Falco's rules see those (`procinfo`) in both views.
    // Decided before the event is applied; the enter view only when an engine uses it (the
    // pair lookup would otherwise run on every event of a default replay).
    let libs_visible = rp.shows(ev, true);
    let enter_visible = engines.iter().any(|e| !e.exits_only)
        && !rp.is_leading_container(ev)
        && (libs_view::fate(ev) == Fate::Visible || libs_view::has_exit(ev));
    // Whether an engine reads this event's fields: it sees the event, and a rule can match
    // its type. No context (it pairs the event with its enter) otherwise.
    let reads = |engine: &Engine, scratch: &Scratch| {
        let visible = if engine.exits_only {
            libs_visible
        } else {
            enter_visible
        };
        visible && scratch.span.contains(ev.ts) && !engine.rules.candidates(ev.ty).is_empty()
    };
    // An event whose fields nobody reads is applied as a skim is: the facts about this event
    // alone that only its fields read (`fd.name_changed`) are not worked out.
    if engines.iter().zip(scratch.iter()).any(|(e, s)| reads(e, s)) {
        rp.apply(ev);
    } else {
        rp.skim(ev);
        return;
    }
    for ((engine, scratch), alerts) in engines.iter().zip(scratch).zip(alerts) {
        if reads(engine, scratch) {
            engine.on_event(&rp.ctx(ev, engine.exits_only), trace, scratch, alerts);
        }
    }
}

/// Replays a whole trace front to back once, on this thread, evaluating the rules of every
/// engine of `engines` at each event (the state is rebuilt once for all of them).
///
/// Returns one [`TraceOutcome`] per engine, in the order of `engines`, so the alerts of a set
/// are tagged by its index; each outcome carries the trace's event count and warnings. This
/// is how two rule sets are compared over the same events (`hindsight diff`); a single engine
/// should use [`Engine::replay_file`], which also runs the chunks of a native trace in
/// parallel.
///
/// # Errors
///
/// The trace cannot be opened or read.
pub fn replay_trace_each(
    engines: &[Engine],
    path: &Path,
) -> Result<Vec<TraceOutcome>, EngineError> {
    let decode = |source| EngineError::Decode {
        path: path.display().to_string(),
        source,
    };
    let trace = path.display().to_string();
    let mut reader = TraceReader::open(path).map_err(decode)?;
    let mut rp = Replayer::from_header(reader.header());
    let mut scratch: Vec<Scratch> = engines.iter().map(Engine::scratch).collect();
    let mut alerts: Vec<Vec<Alert>> = engines.iter().map(|_| Vec::new()).collect();
    let mut started = false;
    let events = rp.replay_all(&mut reader, decode, |rp, ev| {
        if !started {
            // Relative bounds count from the trace's first event.
            started = true;
            for (e, s) in engines.iter().zip(scratch.iter_mut()) {
                s.span = e.window.resolve(ev.ts);
            }
        }
        run_each(engines, rp, &trace, &mut scratch, &mut alerts, ev);
        Ok(())
    })?;
    let warnings: Vec<String> = reader.warnings().iter().map(ToString::to_string).collect();
    Ok(alerts
        .into_iter()
        .zip(&mut scratch)
        .map(|(alerts, scratch)| TraceOutcome {
            alerts,
            events,
            warnings: warnings.clone(),
            skipped_chunks: 0,
            decoded_chunks: 0,
            profile: scratch.take_profile(),
        })
        .collect())
}

/// The compression of a trace, from its first bytes.
pub(crate) fn sniff(path: &Path) -> Option<Compression> {
    let b = hindsight_format::location::prefix(path, 8).ok()?;
    Some(hindsight_format::source::sniff(&b))
}

/// The values of [`CONTEXT_FIELDS`] for an event, in order.
pub fn context_values(ctx: &Ctx<'_>, out: &mut Out) -> Vec<FieldValue> {
    CONTEXT_FIELDS
        .iter()
        .map(|f| {
            if extract_by_name(f.name, ctx, out) {
                field_value(out, ctx.libs)
            } else {
                FieldValue::Null
            }
        })
        .collect()
}

/// Extracts field `id` with `arg` as an owned value (for callers outside the hot loop).
pub fn value_of(id: FieldId, arg: &FieldArg, ctx: &Ctx<'_>) -> FieldValue {
    let mut out = Out::default();
    let a: Arg<'_> = arg_of(arg);
    if extract(id, &a, ctx, &mut out) {
        field_value(&out, ctx.libs)
    } else {
        FieldValue::Null
    }
}
