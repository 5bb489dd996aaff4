//! From collected definitions to a [`RuleSet`], and from a selection to [`CompiledRules`].
//!
//! [`Loader::finish`] flattens lists, parses and checks every macro, expands and compiles every
//! syscall rule (condition with its exceptions, output format, event types), and reports
//! unused lists and macros, all as located diagnostics. [`RuleSet::select`] applies a
//! [`RuleSelection`] and indexes the enabled rules by event type.

use std::collections::HashMap;

use super::ast::{Expr, Span, SrcId};
use super::compile::{self, Condition};
use super::diag::{Diagnostic, Location, Severity, TextMap};
use super::eval::EvalScratch;
use super::evttype::{self, EventTypes};
use super::expand::{Expander, MacroEntry, MacroState};
use super::loader::{Loader, Text};
use super::memo::Interner;
use super::output::OutputFormat;
use super::parse::parse_condition;
use super::select::{Priority, RuleSelection, Selector};
use super::values::FieldSource;

/// One rule, compiled.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// Rule name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Event source (always `syscall` here).
    pub source: String,
    /// Whether the rule runs (its `enabled` key and the selection).
    pub enabled: bool,
    /// The condition, with exceptions, macros and lists compiled in.
    pub condition: Condition,
    /// The output format.
    pub output: OutputFormat,
    /// The event types the condition can match.
    pub event_types: EventTypes,
    /// Where the rule is defined.
    pub location: Location,
}

/// Loaded and compiled rules with their diagnostics.
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    diagnostics: Vec<Diagnostic>,
    lists: HashMap<String, (Vec<String>, usize)>,
    macros: Vec<MacroEntry>,
    macro_names: HashMap<String, usize>,
    /// The highest `required_engine_version` of the files.
    pub required_engine_version: Option<String>,
    /// `required_plugin_versions` entries as (name, version).
    pub required_plugins: Vec<(String, String)>,
}

/// Immutable, indexed rules for evaluation; share it across threads with `Arc`.
#[derive(Clone, Debug)]
pub struct CompiledRules {
    rules: Vec<CompiledRule>,
    by_type: Vec<Vec<u32>>,
    union: EventTypes,
    /// How many distinct checks the enabled rules have ([`super::memo`]).
    slots: usize,
}

struct Sources {
    texts: Vec<(TextMap, String)>,
}

impl Sources {
    fn add(&mut self, t: &Text, item: &str) -> SrcId {
        self.texts.push((t.map.clone(), item.to_string()));
        SrcId(self.texts.len() as u32 - 1)
    }
    fn locate(&self, span: Span, fallback: &Location) -> (Location, String) {
        match self.texts.get(span.src.0 as usize) {
            Some((map, item)) => (
                map.locate(span.start as usize)
                    .unwrap_or_else(|| fallback.clone()),
                item.clone(),
            ),
            None => (fallback.clone(), String::new()),
        }
    }
}

fn diag(
    diags: &mut Vec<Diagnostic>,
    severity: Severity,
    code: &'static str,
    location: Location,
    item: &str,
    message: String,
) {
    diags.push(Diagnostic {
        severity,
        code,
        location,
        item: Some(item.to_string()),
        message,
    });
}

impl Loader {
    /// Compiles everything loaded so far into a [`RuleSet`].
    pub fn finish(self) -> RuleSet {
        let Loader {
            lists,
            macros,
            rules,
            mut diags,
            required_engine_version,
            required_plugins,
            enter_events,
            ..
        } = self;
        // Lists: flatten references to lists defined before.
        let by_name: HashMap<&str, usize> = lists
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.as_str(), i))
            .collect();
        let mut flat: Vec<Option<Vec<String>>> = vec![None; lists.len()];
        let mut used_lists = vec![false; lists.len()];
        for i in 0..lists.len() {
            flatten(
                i,
                &lists,
                &by_name,
                &mut flat,
                &mut used_lists,
                &mut diags,
                0,
            );
        }
        let list_map: HashMap<String, (Vec<String>, usize)> = lists
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), (flat[i].clone().unwrap_or_default(), i)))
            .collect();

        let mut sources = Sources { texts: Vec::new() };
        let mut entries = Vec::with_capacity(macros.len());
        let mut parse_failed = Vec::with_capacity(macros.len());
        for m in &macros {
            let src = sources.add(&m.cond, &m.name);
            let state = match parse_condition(&m.cond.text, src) {
                Ok(e) => MacroState::Parsed(e),
                Err(e) => {
                    let loc = m.cond.map.locate(e.offset).unwrap_or_else(|| m.loc.clone());
                    diag(
                        &mut diags,
                        Severity::Error,
                        "LOAD_ERR_COMPILE_CONDITION",
                        loc,
                        &m.name,
                        e.message,
                    );
                    MacroState::Broken
                }
            };
            parse_failed.push(matches!(state, MacroState::Broken));
            entries.push(MacroEntry {
                name: m.name.clone(),
                index: m.index,
                visibility: m.visibility,
                state,
                used: false,
            });
        }
        let macro_names: HashMap<String, usize> = macros
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        let mut ex = Expander {
            macros: entries,
            by_name: macro_names.clone(),
            lists: &list_map,
            used_lists,
        };
        for (i, m) in macros.iter().enumerate() {
            if parse_failed[i] {
                continue;
            }
            let span = Span::new(SrcId(i as u32), 0, 0);
            match ex.expand_macro(i, span) {
                Ok(e) => {
                    if let Err((span, msg)) = compile::compile(&e) {
                        let (loc, at) = sources.locate(span, &m.loc);
                        let msg = if at == m.name {
                            msg
                        } else {
                            format!("{msg} (in macro '{at}')")
                        };
                        diag(
                            &mut diags,
                            Severity::Error,
                            "LOAD_ERR_COMPILE_CONDITION",
                            loc,
                            &m.name,
                            msg,
                        );
                        ex.macros[i].state = MacroState::Broken;
                    }
                }
                Err((span, msg)) => {
                    if !msg.ends_with("(see its own error)") || span.src.0 as usize != i {
                        let (loc, _) = sources.locate(span, &m.loc);
                        diag(
                            &mut diags,
                            Severity::Error,
                            "LOAD_ERR_VALIDATE",
                            loc,
                            &m.name,
                            msg,
                        );
                    }
                }
            }
        }

        let mut compiled = Vec::new();
        for r in &rules {
            if r.source != "syscall" {
                continue;
            }
            if let Some(c) = compile_rule(r, &mut ex, &mut sources, &mut diags, enter_events) {
                compiled.push(c);
            }
        }
        for (i, m) in ex.macros.iter().enumerate() {
            if !m.used {
                diag(
                    &mut diags,
                    Severity::Warning,
                    "LOAD_UNUSED_MACRO",
                    macros[i].loc.clone(),
                    &m.name,
                    "macro not referred to by any other rule or macro".into(),
                );
            }
        }
        for (i, l) in lists.iter().enumerate() {
            if !ex.used_lists[i] {
                diag(
                    &mut diags,
                    Severity::Warning,
                    "LOAD_UNUSED_LIST",
                    l.loc.clone(),
                    &l.name,
                    "list not referred to by any other rule, macro or list".into(),
                );
            }
        }
        let macros = ex.macros;
        RuleSet {
            rules: compiled,
            diagnostics: diags,
            lists: list_map,
            macros,
            macro_names,
            required_engine_version,
            required_plugins,
        }
    }
}

fn flatten(
    i: usize,
    lists: &[super::loader::ListInfo],
    by_name: &HashMap<&str, usize>,
    flat: &mut Vec<Option<Vec<String>>>,
    used: &mut Vec<bool>,
    diags: &mut Vec<Diagnostic>,
    depth: usize,
) -> Vec<String> {
    if let Some(v) = &flat[i] {
        return v.clone();
    }
    let l = &lists[i];
    if depth > 64 {
        diag(
            diags,
            Severity::Error,
            "LOAD_ERR_VALIDATE",
            l.loc.clone(),
            &l.name,
            "lists refer to each other in a loop or nest deeper than 64".into(),
        );
        flat[i] = Some(Vec::new());
        return Vec::new();
    }
    let mut out = Vec::with_capacity(l.items.len());
    for item in &l.items {
        match by_name.get(item.as_str()) {
            Some(&j) if j != i && lists[j].index < l.visibility => {
                used[j] = true;
                out.extend(flatten(j, lists, by_name, flat, used, diags, depth + 1));
            }
            _ => out.push(item.clone()),
        }
    }
    flat[i] = Some(out.clone());
    out
}

fn compile_rule(
    r: &super::loader::RuleInfo,
    ex: &mut Expander,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
    enter_events: bool,
) -> Option<CompiledRule> {
    let src = sources.add(&r.cond, &r.name);
    let err = |diags: &mut Vec<Diagnostic>, code, loc: Location, msg: String| {
        diag(diags, Severity::Error, code, loc, &r.name, msg)
    };
    let parsed = match parse_condition(&r.cond.text, src) {
        Ok(e) => e,
        Err(e) => {
            err(
                diags,
                "LOAD_ERR_COMPILE_CONDITION",
                r.cond.map.locate(e.offset).unwrap_or_else(|| r.loc.clone()),
                e.message,
            );
            return None;
        }
    };
    let with_exceptions =
        match super::exceptions::apply(parsed, &r.exceptions, sources_add(sources, r)) {
            Ok(e) => e,
            Err((loc, msg)) => {
                err(diags, "LOAD_ERR_VALIDATE", loc, msg);
                return None;
            }
        };
    let expanded = match ex.expand(&with_exceptions, u32::MAX) {
        Ok(e) => e,
        Err((span, msg)) => {
            let (loc, _) = sources.locate(span, &r.loc);
            err(diags, "LOAD_ERR_VALIDATE", loc, msg);
            return None;
        }
    };
    let condition = match compile::compile(&expanded) {
        Ok(c) => c,
        Err((span, msg)) => {
            let (loc, at) = sources.locate(span, &r.loc);
            let unknown = msg.starts_with("unknown field");
            let msg = if at == r.name || at.is_empty() {
                msg
            } else {
                format!("{msg} (in macro '{at}')")
            };
            if unknown && r.skip_if_unknown_filter {
                diag(
                    diags,
                    Severity::Warning,
                    "LOAD_UNKNOWN_FILTER",
                    loc,
                    &r.name,
                    format!("{msg}; rule skipped (skip-if-unknown-filter)"),
                );
            } else {
                err(diags, "LOAD_ERR_COMPILE_CONDITION", loc, msg);
            }
            return None;
        }
    };
    let output = match OutputFormat::parse(&r.output.text) {
        Ok(o) => o,
        Err((off, msg)) => {
            err(
                diags,
                "LOAD_ERR_COMPILE_OUTPUT",
                r.output.map.locate(off).unwrap_or_else(|| r.loc.clone()),
                msg,
            );
            return None;
        }
    };
    if output
        .segments
        .iter()
        .any(|s| matches!(s, super::output::Segment::ContainerInfo))
    {
        diag(
            diags,
            Severity::Warning,
            "LOAD_DEPRECATED_ITEM",
            r.loc.clone(),
            &r.name,
            "%container.info is deprecated (Falco 0.41+ adds container fields itself); it renders as container_id=... container_name=...".into(),
        );
    }
    let mut unknown = Vec::new();
    evttype::unknown_names(&expanded, &mut unknown);
    for (span, name) in unknown {
        let (loc, _) = sources.locate(span, &r.loc);
        diag(
            diags,
            Severity::Warning,
            "LOAD_UNKNOWN_FILTER",
            loc,
            &r.name,
            format!("unknown event type '{name}' (not in the scap event table); it never matches"),
        );
    }
    let event_types = evttype::event_types(&expanded);
    let all = EventTypes::all();
    if r.warn_evttypes && !event_types.is_empty() && (event_types.len() > 100 || event_types == all)
    {
        diag(diags, Severity::Warning, "LOAD_NO_EVTTYPE", r.loc.clone(), &r.name,
            "rule matches too many event types (no evt.type restriction); this has a significant performance cost: add an evt.type condition".into());
    }
    if !enter_events {
        for (span, msg) in super::view::needs_enters(&expanded) {
            let loc = span.map_or_else(|| r.loc.clone(), |s| sources.locate(s, &r.loc).0);
            diag(
                diags,
                Severity::Warning,
                "LOAD_DEPRECATED_ITEM",
                loc,
                &r.name,
                msg,
            );
        }
    }
    Some(CompiledRule {
        name: r.name.clone(),
        desc: r.desc.clone(),
        priority: r.priority,
        tags: r.tags.clone(),
        source: r.source.clone(),
        enabled: r.enabled,
        condition,
        output,
        event_types,
        location: r.loc.clone(),
    })
}

/// Registers the exceptions' pseudo-source (spans of exception checks point at their key).
fn sources_add<'a>(
    sources: &'a mut Sources,
    r: &super::loader::RuleInfo,
) -> impl FnMut(&Location) -> SrcId + 'a {
    let name = r.name.clone();
    move |loc: &Location| {
        sources.texts.push((TextMap::at(loc), name.clone()));
        SrcId(sources.texts.len() as u32 - 1)
    }
}

/// An error compiling a standalone filter (`hindsight print FILTER`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at byte {offset}: {message}")]
pub struct FilterError {
    /// Byte offset in the filter text (0 when the problem is inside a macro).
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl RuleSet {
    /// Loads the given files and directories in order and compiles them.
    pub fn load<P: AsRef<std::path::Path>>(paths: &[P]) -> RuleSet {
        let mut l = Loader::new();
        for p in paths {
            l.add_path(p.as_ref());
        }
        l.finish()
    }

    /// Every error and warning, in load order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The compiled syscall rules in load order (rules with errors are left out).
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The flattened items of list `name`.
    pub fn list(&self, name: &str) -> Option<&[String]> {
        self.lists.get(name).map(|(v, _)| v.as_slice())
    }

    /// Applies `sel` and indexes the enabled rules by event type.
    pub fn select(&self, sel: &RuleSelection) -> CompiledRules {
        let s = Selector::new(sel);
        let mut rules = self.rules.clone();
        for r in &mut rules {
            r.enabled = r.enabled && s.allows(&r.name, &r.tags, r.priority);
        }
        CompiledRules::new(rules)
    }

    /// Compiles a standalone filter, with this set's macros and lists available.
    pub fn compile_filter(&self, text: &str) -> Result<CompiledFilter, FilterError> {
        compile_filter_with(text, Some(self))
    }
}

/// A standalone filter, compiled: its condition and the event types it can match, so that
/// events of other types are turned away without evaluating it (as rules are indexed).
#[derive(Debug)]
pub struct CompiledFilter {
    /// The compiled condition.
    pub condition: Condition,
    /// The event types the condition can match, `evt.dir` checks included.
    pub event_types: EventTypes,
}

/// Compiles a standalone filter (`hindsight print FILTER`), with the macros and lists of
/// `defs` if given.
pub fn compile_filter(text: &str, defs: Option<&RuleSet>) -> Result<CompiledFilter, FilterError> {
    compile_filter_with(text, defs)
}

fn compile_filter_with(text: &str, defs: Option<&RuleSet>) -> Result<CompiledFilter, FilterError> {
    let src = SrcId(u32::MAX);
    let e = parse_condition(text, src).map_err(|e| FilterError {
        offset: e.offset,
        message: e.message,
    })?;
    let empty = HashMap::new();
    let (macros, by_name, lists) = match defs {
        Some(d) => (d.macros.clone(), d.macro_names.clone(), &d.lists),
        None => (Vec::new(), HashMap::new(), &empty),
    };
    let n = lists.len();
    let mut ex = Expander {
        macros,
        by_name,
        lists,
        used_lists: vec![false; n],
    };
    let at = |span: Span| {
        if span.src == src {
            span.start as usize
        } else {
            0
        }
    };
    let e: Expr = ex.expand(&e, u32::MAX).map_err(|(s, m)| FilterError {
        offset: at(s),
        message: m,
    })?;
    let condition = compile::compile(&e).map_err(|(s, m)| FilterError {
        offset: at(s),
        message: m,
    })?;
    Ok(CompiledFilter {
        condition,
        event_types: super::evttype::event_types_by_direction(&e),
    })
}

impl CompiledRules {
    /// Indexes `rules` (in priority of load order) by event type.
    pub fn new(mut rules: Vec<CompiledRule>) -> CompiledRules {
        let mut interner = Interner::default();
        for r in rules.iter_mut().filter(|r| r.enabled) {
            let c = &mut r.condition;
            c.slots = c.checks.iter().map(|k| interner.slot(k)).collect();
        }
        let limit = usize::from(hindsight_format::schema::event_id_limit());
        let mut by_type = vec![Vec::new(); limit];
        let mut union = EventTypes::none();
        for (i, r) in rules.iter().enumerate().filter(|(_, r)| r.enabled) {
            for t in r.event_types.iter() {
                if let Some(v) = by_type.get_mut(usize::from(t)) {
                    v.push(i as u32);
                    union.insert(t);
                }
            }
        }
        CompiledRules {
            rules,
            by_type,
            union,
            slots: interner.slots(),
        }
    }

    /// All rules in load order, enabled or not.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// Indexes (into [`rules`](Self::rules)) of the enabled rules that can match `evt_type`.
    pub fn candidates(&self, evt_type: u16) -> &[u32] {
        self.by_type
            .get(usize::from(evt_type))
            .map_or(&[], Vec::as_slice)
    }

    /// The event types any enabled rule can match (chunks without them can be skipped).
    pub fn event_types(&self) -> &EventTypes {
        &self.union
    }

    /// The first enabled rule (in load order) that matches the event: Falco's
    /// `rule_matching: first`.
    pub fn first_match<S: FieldSource + ?Sized>(
        &self,
        evt_type: u16,
        src: &mut S,
        scratch: &mut EvalScratch,
    ) -> Option<usize> {
        scratch.memo.begin(self.slots);
        self.candidates(evt_type)
            .iter()
            .map(|&i| i as usize)
            .find(|&i| self.rules[i].condition.eval_shared(src, scratch))
    }

    /// Every enabled rule that matches the event, appended to `out` in load order.
    pub fn all_matches<S: FieldSource + ?Sized>(
        &self,
        evt_type: u16,
        src: &mut S,
        scratch: &mut EvalScratch,
        out: &mut Vec<usize>,
    ) {
        scratch.memo.begin(self.slots);
        for &i in self.candidates(evt_type) {
            if self.rules[i as usize].condition.eval_shared(src, scratch) {
                out.push(i as usize);
            }
        }
    }
}
