//! Reading `- rule:` items: definitions, `append`, `override`, `enabled`-only toggles and
//! exceptions, following Falco's rule loader.

use serde_yaml::{Mapping, Value as Yaml};

use super::ast::Op;
use super::diag::Severity;
use super::loader::{err, scalar, Ctx, Either, ExceptionInfo, ItemError, Loader, RuleInfo, RULE};
use super::select::Priority;
use crate::fields::catalog;

const APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "capture",
    "capture_duration",
    "tags",
    "exceptions",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

fn bool_key(ctx: &Ctx, m: &Mapping, key: &str) -> Result<Option<bool>, ItemError> {
    match m.get(key) {
        None => Ok(None),
        Some(Yaml::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(err(
            ctx.key(key),
            format!("value of '{key}' must be true or false"),
        )),
    }
}

fn tags(ctx: &Ctx, m: &Mapping) -> Result<Option<Vec<String>>, ItemError> {
    match m.get("tags") {
        None => Ok(None),
        Some(Yaml::Null) => Ok(Some(Vec::new())),
        Some(Yaml::Sequence(s)) => {
            let mut t = s
                .iter()
                .map(|v| scalar(v).ok_or_else(|| err(ctx.key("tags"), "tags must be strings")))
                .collect::<Result<Vec<_>, _>>()?;
            t.sort();
            t.dedup();
            Ok(Some(t))
        }
        Some(_) => Err(err(ctx.key("tags"), "'tags' must be a sequence of strings")),
    }
}

fn priority(ctx: &Ctx, m: &Mapping) -> Result<Option<Priority>, ItemError> {
    let Some(p) = Loader::str_key(ctx, m, "priority")? else {
        return Ok(None);
    };
    Priority::parse(&p).map(Some).ok_or_else(|| {
        (ctx.key("priority"), "LOAD_ERR_VALIDATE", format!(
            "invalid priority '{p}': expected one of emergency, alert, critical, error, warning, notice, informational (info), debug"
        ))
    })
}

fn either(v: &Yaml) -> Option<Either> {
    match v {
        Yaml::Sequence(s) => s
            .iter()
            .map(scalar)
            .collect::<Option<Vec<_>>>()
            .map(Either::Many),
        v => scalar(v).map(Either::One),
    }
}

/// Whether `text` is a field usable on the left of an exception check.
fn valid_field(text: &str) -> bool {
    let name = text.split('[').next().unwrap_or(text);
    catalog::lookup(name).is_some()
}

/// Whether the exception comps are operators Falco accepts for this field form.
pub(crate) fn exception_ops_ok(ex: &ExceptionInfo) -> Result<(), String> {
    match (&ex.fields, &ex.comps) {
        (Some(Either::One(f)), Some(Either::One(c))) => {
            if !matches!(c.trim(), "in" | "pmatch" | "intersects") {
                return Err("when 'fields' is a single field, 'comps' must be one of in, pmatch, intersects".into());
            }
            if !valid_field(f) {
                return Err(format!("'{f}' is not a supported filter field"));
            }
        }
        (Some(Either::Many(fs)), Some(Either::Many(cs))) => {
            if fs.len() != cs.len() {
                return Err("'fields' and 'comps' lists must have equal length".into());
            }
            if let Some(c) = cs.iter().find(|c| Op::from_name(c.trim()).is_none()) {
                return Err(format!("'{c}' is not a supported comparison operator"));
            }
            if let Some(f) = fs.iter().find(|f| !valid_field(f)) {
                return Err(format!("'{f}' is not a supported filter field"));
            }
        }
        (Some(_), Some(_)) => {
            return Err("'fields' and 'comps' must both be strings or both be lists".into())
        }
        _ => {}
    }
    Ok(())
}

impl Loader {
    fn read_exceptions(
        ctx: &Ctx,
        m: &Mapping,
        appending: bool,
    ) -> Result<Vec<ExceptionInfo>, ItemError> {
        let loc = ctx.key("exceptions");
        let list = match m.get("exceptions") {
            None | Some(Yaml::Null) => return Ok(Vec::new()),
            Some(Yaml::Sequence(s)) => s,
            Some(_) => return Err(err(loc, "'exceptions' must be a sequence")),
        };
        let mut out = Vec::new();
        for e in list {
            let Yaml::Mapping(e) = e else {
                return Err(err(loc, "each exception must be a mapping"));
            };
            let Some(name) = e.get("name").and_then(scalar) else {
                return Err(err(loc, "exception has no 'name'"));
            };
            let bad = |what: &str| err(loc.clone(), format!("exception '{name}': {what}"));
            let fields = match e.get("fields") {
                None => None,
                Some(v) => Some(
                    either(v).ok_or_else(|| bad("'fields' must be a field or a list of fields"))?,
                ),
            };
            let comps = match e.get("comps") {
                None => None,
                Some(v) => Some(
                    either(v)
                        .ok_or_else(|| bad("'comps' must be an operator or a list of operators"))?,
                ),
            };
            let values = match e.get("values") {
                None | Some(Yaml::Null) => Vec::new(),
                Some(Yaml::Sequence(v)) => v.clone(),
                Some(_) => return Err(bad("'values' must be a sequence")),
            };
            let mut ex = ExceptionInfo {
                name: name.clone(),
                fields,
                comps,
                values,
                loc: loc.clone(),
            };
            if !appending {
                if ex.fields.is_none() {
                    return Err(bad("has no 'fields'"));
                }
                normalize_exception(&mut ex).map_err(|m| bad(&m))?;
            }
            out.push(ex);
        }
        Ok(out)
    }

    pub(crate) fn read_rule(&mut self, ctx: &Ctx, m: &Mapping) -> Result<(), ItemError> {
        let name = Self::req_key(ctx, m, "rule")?;
        let source = Self::str_key(ctx, m, "source")?;
        let append = self.append_flag(ctx, m)?;
        let (app, rep) = Self::overrides(ctx, m, APPENDABLE, REPLACEABLE)?;
        let prev = self.by_name[RULE].get(&name).copied();
        if let (Some(i), Some(s)) = (prev, &source) {
            if &self.rules[i].source != s {
                return Err((
                    ctx.key("source"),
                    "LOAD_ERR_VALIDATE",
                    "rule has been re-defined with a different source".into(),
                ));
            }
        }
        if !app.is_empty() || !rep.is_empty() {
            for k in APPENDABLE.iter().chain(REPLACEABLE) {
                if m.contains_key(*k) && !app.iter().chain(&rep).any(|x| x == k) {
                    return Err((
                        ctx.key(k),
                        "LOAD_ERR_VALIDATE",
                        format!("unexpected key '{k}': no corresponding entry under 'override'"),
                    ));
                }
            }
            let Some(i) = prev else {
                return Err((
                    ctx.loc(),
                    "LOAD_ERR_VALIDATE",
                    format!(
                        "rule '{name}' has 'override' but no rule of that name was defined before"
                    ),
                ));
            };
            self.next_index += 1;
            for k in &app {
                self.apply(ctx, m, i, k, true)?;
            }
            for k in &rep {
                self.apply(ctx, m, i, k, false)?;
            }
            return Ok(());
        }
        if append {
            let Some(i) = prev else {
                return Err((
                    ctx.loc(),
                    "LOAD_ERR_VALIDATE",
                    format!(
                        "rule '{name}' has 'append' but no rule of that name was defined before"
                    ),
                ));
            };
            if !m.contains_key("condition") && !m.contains_key("exceptions") {
                return Err(err(
                    ctx.loc(),
                    "appended rule must have a 'condition' or 'exceptions' key",
                ));
            }
            for k in ["condition", "exceptions"] {
                if m.contains_key(k) {
                    self.apply(ctx, m, i, k, true)?;
                }
            }
            self.next_index += 1;
            return Ok(());
        }
        if !["condition", "output", "desc", "priority"]
            .iter()
            .any(|k| m.contains_key(*k))
        {
            let Some(enabled) = bool_key(ctx, m, "enabled")? else {
                return Err(err(ctx.loc(), "rule has none of 'condition', 'output', 'desc', 'priority' (a rule item with only a name must set 'enabled')"));
            };
            let Some(i) = prev else {
                return Err((
                    ctx.loc(),
                    "LOAD_ERR_VALIDATE",
                    format!(
                        "rule '{name}' sets 'enabled' but no rule of that name was defined before"
                    ),
                ));
            };
            self.diag(Severity::Warning, "LOAD_DEPRECATED_ITEM", ctx.key("enabled"), ctx.item.clone(),
                "a rule item with only 'enabled' is deprecated; use 'override: {enabled: replace}' instead");
            self.rules[i].enabled = enabled;
            return Ok(());
        }
        let cond = ctx.text(Self::req_key(ctx, m, "condition")?, "condition");
        let output = Self::req_key(ctx, m, "output")?;
        let output = ctx.text(output.trim().to_string(), "output");
        let desc = Self::req_key(ctx, m, "desc")?;
        let Some(priority) = priority(ctx, m)? else {
            return Err(err(ctx.loc(), "item has no 'priority' key"));
        };
        let source = source.unwrap_or_else(|| "syscall".to_string());
        if source != "syscall" {
            self.diag(
                Severity::Warning,
                "LOAD_UNKNOWN_SOURCE",
                ctx.key("source"),
                ctx.item.clone(),
                format!(
                    "unknown source '{source}', rule skipped (hindsight evaluates syscall rules)"
                ),
            );
        }
        let info = RuleInfo {
            name: name.clone(),
            cond,
            output,
            desc,
            priority,
            source,
            enabled: bool_key(ctx, m, "enabled")?.unwrap_or(true),
            warn_evttypes: bool_key(ctx, m, "warn_evttypes")?.unwrap_or(true),
            skip_if_unknown_filter: bool_key(ctx, m, "skip-if-unknown-filter")?.unwrap_or(false),
            tags: tags(ctx, m)?.unwrap_or_default(),
            exceptions: Self::read_exceptions(ctx, m, false)?,
            loc: ctx.loc(),
        };
        self.next_index += 1;
        if let Some(i) = prev {
            self.rules[i] = info;
        } else {
            self.by_name[RULE].insert(name, self.rules.len());
            self.rules.push(info);
        }
        Ok(())
    }

    /// Appends (`append`) or replaces one key of rule `i` from item `m`.
    fn apply(
        &mut self,
        ctx: &Ctx,
        m: &Mapping,
        i: usize,
        key: &str,
        append: bool,
    ) -> Result<(), ItemError> {
        match key {
            "condition" | "output" => {
                let t = ctx.text(Self::req_key(ctx, m, key)?, key);
                let r = &mut self.rules[i];
                let slot = if key == "condition" {
                    &mut r.cond
                } else {
                    &mut r.output
                };
                if append {
                    slot.append(&t);
                } else {
                    *slot = t;
                }
            }
            "desc" => {
                let d = Self::req_key(ctx, m, key)?;
                let r = &mut self.rules[i];
                if append {
                    r.desc.push(' ');
                    r.desc.push_str(&d);
                } else {
                    r.desc = d;
                }
            }
            "tags" => {
                let t = tags(ctx, m)?.unwrap_or_default();
                let r = &mut self.rules[i];
                if append {
                    r.tags.extend(t);
                    r.tags.sort();
                    r.tags.dedup();
                } else {
                    r.tags = t;
                }
            }
            "priority" => self.rules[i].priority = priority(ctx, m)?.expect("key present"),
            "enabled" => self.rules[i].enabled = bool_key(ctx, m, key)?.unwrap_or(true),
            "warn_evttypes" => self.rules[i].warn_evttypes = bool_key(ctx, m, key)?.unwrap_or(true),
            "skip-if-unknown-filter" => {
                self.rules[i].skip_if_unknown_filter = bool_key(ctx, m, key)?.unwrap_or(false)
            }
            "exceptions" => {
                let new = Self::read_exceptions(ctx, m, append)?;
                if !append {
                    self.rules[i].exceptions = new;
                    return Ok(());
                }
                for ex in new {
                    let existing = self.rules[i]
                        .exceptions
                        .iter_mut()
                        .find(|e| e.name == ex.name);
                    match existing {
                        Some(e) => {
                            if ex.fields.is_some() || ex.comps.is_some() {
                                return Err((ex.loc, "LOAD_ERR_VALIDATE", format!("exception '{}': cannot append 'fields' or 'comps' to an existing exception, only 'values'", ex.name)));
                            }
                            e.values.extend(ex.values);
                        }
                        None => {
                            let mut ex = ex;
                            if ex.fields.is_none() || ex.values.is_empty() {
                                return Err((ex.loc, "LOAD_ERR_VALIDATE", format!("exception '{}': a new exception needs 'fields' and 'values'", ex.name)));
                            }
                            let loc = ex.loc.clone();
                            normalize_exception(&mut ex)
                                .map_err(|m| (loc, "LOAD_ERR_VALIDATE", m))?;
                            self.rules[i].exceptions.push(ex);
                        }
                    }
                }
            }
            // capture and capture_duration do not affect replay.
            _ => {}
        }
        Ok(())
    }
}

/// Fills in default comps and validates an exception definition.
fn normalize_exception(ex: &mut ExceptionInfo) -> Result<(), String> {
    if ex.comps.is_none() {
        ex.comps = match &ex.fields {
            Some(Either::Many(f)) => Some(Either::Many(vec!["=".to_string(); f.len()])),
            _ => Some(Either::One("in".to_string())),
        };
    }
    exception_ops_ok(ex).map_err(|m| format!("exception '{}': {m}", ex.name))
}
