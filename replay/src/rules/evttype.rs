//! Event-type analysis: the set of event types a condition can match, as libsinsp computes it.
//!
//! `and` intersects its children's sets, `or` unites them; `evt.type = x`, `!= x` and
//! `in (...)` (and `syscall.type`) give explicit sets; any other check is neutral (all types).
//! Negation is pushed down to the leaves by De Morgan's laws, where it complements explicit
//! sets and leaves neutral checks neutral. `evt.num` checks that can never hold (`evt.num = 0`)
//! give the empty set, as in libsinsp. Names are mapped to ids with
//! `hindsight_format::schema::event_ids_by_name`.

use hindsight_format::schema;

use super::ast::{Check, Expr, Op, Operand, Rhs};

/// A set of event type ids, as a bitmap.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EventTypes {
    bits: Vec<u64>,
}

impl EventTypes {
    fn limit() -> usize {
        usize::from(schema::event_id_limit())
    }

    /// The empty set.
    pub fn none() -> EventTypes {
        EventTypes {
            bits: vec![0; Self::limit().div_ceil(64)],
        }
    }

    /// Every event type of the table.
    pub fn all() -> EventTypes {
        let mut s = Self::none();
        for id in 0..Self::limit() {
            if schema::event_info(id as u16).is_some() {
                s.insert(id as u16);
            }
        }
        s
    }

    /// Adds `id`.
    pub fn insert(&mut self, id: u16) {
        let i = usize::from(id);
        if let Some(w) = self.bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: u16) -> bool {
        let i = usize::from(id);
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Number of ids in the set.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.bits.len() * 64)
            .filter(|&i| self.contains(i as u16))
            .map(|i| i as u16)
    }

    /// The distinct event names of the set, in id order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = Vec::new();
        for id in self.iter() {
            if let Some(e) = schema::event_info(id) {
                if !v.contains(&e.name) {
                    v.push(e.name);
                }
            }
        }
        v
    }

    fn and(mut self, o: &EventTypes) -> EventTypes {
        self.bits.iter_mut().zip(&o.bits).for_each(|(a, b)| *a &= b);
        self
    }

    fn or(mut self, o: &EventTypes) -> EventTypes {
        self.bits.iter_mut().zip(&o.bits).for_each(|(a, b)| *a |= b);
        self
    }

    fn complement(&self) -> EventTypes {
        let all = Self::all();
        let mut s = self.clone();
        s.bits
            .iter_mut()
            .zip(&all.bits)
            .for_each(|(a, b)| *a = !*a & b);
        s
    }

    /// The events called `names`. A name no event has but a syscall has (`fadvise64`) is the
    /// generic `syscall` events that carry it, as libsinsp's `names_to_event_set` does.
    fn from_names<'a>(names: impl Iterator<Item = &'a str>) -> EventTypes {
        let mut s = Self::none();
        for n in names {
            let mut found = false;
            for id in schema::event_ids_by_name(n) {
                s.insert(id);
                found = true;
            }
            if !found && schema::names::SYSCALL_NAMES.contains(&n) {
                for id in schema::event_ids_by_name("syscall") {
                    s.insert(id);
                }
            }
        }
        s
    }
}

/// The event types `e` (expanded) can match.
pub fn event_types(e: &Expr) -> EventTypes {
    walk(e, false, false)
}

/// The event types `e` (expanded) can match once its `evt.dir` checks are taken into account
/// too: `evt.dir = >` keeps the enter events, `evt.dir = <` the exit events. libsinsp does not
/// index rules by direction, so [`event_types`] leaves `evt.dir` neutral; this finer set tells
/// which rules need the enter events that current libs hide from the rules.
pub fn event_types_by_direction(e: &Expr) -> EventTypes {
    walk(e, false, true)
}

/// The spans of the `evt.dir` checks of `e` (expanded), in order.
pub(crate) fn direction_checks(e: &Expr, out: &mut Vec<super::ast::Span>) {
    match e {
        Expr::And(v, _) | Expr::Or(v, _) => v.iter().for_each(|c| direction_checks(c, out)),
        Expr::Not(c, _) => direction_checks(c, out),
        Expr::Ident(..) => {}
        Expr::Check(c) => {
            if matches!(&c.lhs, Operand::Field { name, arg: None, .. } if name == "evt.dir") {
                out.push(c.span);
            }
        }
    }
}

fn walk(e: &Expr, neg: bool, dir: bool) -> EventTypes {
    match e {
        Expr::And(v, _) | Expr::Or(v, _) => {
            let conj = matches!(e, Expr::And(..)) != neg;
            let mut it = v.iter().map(|c| walk(c, neg, dir));
            let first = it.next().unwrap_or_else(|| {
                if conj {
                    EventTypes::all()
                } else {
                    EventTypes::none()
                }
            });
            it.fold(first, |acc, s| if conj { acc.and(&s) } else { acc.or(&s) })
        }
        Expr::Not(c, _) => walk(c, !neg, dir),
        Expr::Ident(..) => EventTypes::all(),
        Expr::Check(c) => leaf(c, neg, dir),
    }
}

/// The event types of one direction (`>` enter, `<` exit); `None` for another text.
fn of_direction(text: &str) -> Option<EventTypes> {
    let want = match text {
        ">" => schema::Direction::Enter,
        "<" => schema::Direction::Exit,
        _ => return None,
    };
    let mut s = EventTypes::none();
    for id in EventTypes::all().iter() {
        if schema::Direction::of(id) == want {
            s.insert(id);
        }
    }
    Some(s)
}

/// The event types an `evt.dir` check admits; all types for a check it cannot read.
fn direction_leaf(c: &Check, neg: bool) -> EventTypes {
    let set = match (&c.op, &c.rhs) {
        (Op::Eq | Op::Ne, Some(Rhs::Value(v))) => of_direction(&v.text),
        (Op::In, Some(Rhs::List(vs, _))) => vs.iter().try_fold(EventTypes::none(), |acc, v| {
            of_direction(&v.text).map(|s| acc.or(&s))
        }),
        _ => None,
    };
    let Some(set) = set else {
        return EventTypes::all();
    };
    if (c.op != Op::Ne) != neg {
        set
    } else {
        set.complement()
    }
}

fn leaf(c: &Check, neg: bool, dir: bool) -> EventTypes {
    let Operand::Field {
        name, arg: None, ..
    } = &c.lhs
    else {
        return EventTypes::all();
    };
    if name == "evt.num" {
        if let Some(known) = evt_num_invariant(c) {
            let s = if known {
                EventTypes::all()
            } else {
                EventTypes::none()
            };
            return if neg { s.complement() } else { s };
        }
        return EventTypes::all();
    }
    if dir && name == "evt.dir" {
        return direction_leaf(c, neg);
    }
    if name != "evt.type" && name != "syscall.type" {
        return EventTypes::all();
    }
    let set = match (&c.op, &c.rhs) {
        (Op::Eq | Op::Ne, Some(Rhs::Value(v))) => {
            EventTypes::from_names(std::iter::once(v.text.as_str()))
        }
        (Op::In, Some(Rhs::List(vs, _))) => {
            EventTypes::from_names(vs.iter().map(|v| v.text.as_str()))
        }
        _ => return EventTypes::all(),
    };
    let positive = (c.op != Op::Ne) != neg;
    if positive {
        set
    } else {
        set.complement()
    }
}

/// `Some(true)` if an `evt.num` check always holds, `Some(false)` if never (numbers start at 1).
fn evt_num_invariant(c: &Check) -> Option<bool> {
    let num = |v: &super::ast::Value| super::resolve::parse_int(&v.text).filter(|n| *n >= 0);
    match (&c.op, &c.rhs) {
        (Op::In, Some(Rhs::List(vs, _))) => {
            if vs.iter().all(|v| num(v) == Some(0)) {
                Some(false)
            } else {
                None
            }
        }
        (op, Some(Rhs::Value(v))) => {
            let n = num(v)?;
            match op {
                Op::Eq if n == 0 => Some(false),
                Op::Ne if n == 0 => Some(true),
                Op::Lt if n <= 1 => Some(false),
                Op::Le if n == 0 => Some(false),
                Op::Gt if n == 0 => Some(true),
                Op::Ge if n <= 1 => Some(true),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `evt.type`/`syscall.type` values of `e` that name no event of the table, with their spans.
pub(crate) fn unknown_names(e: &Expr, out: &mut Vec<(super::ast::Span, String)>) {
    match e {
        Expr::And(v, _) | Expr::Or(v, _) => v.iter().for_each(|c| unknown_names(c, out)),
        Expr::Not(c, _) => unknown_names(c, out),
        Expr::Ident(..) => {}
        Expr::Check(c) => {
            let Operand::Field { name, .. } = &c.lhs else {
                return;
            };
            if name != "evt.type" && name != "syscall.type" {
                return;
            }
            let vals: Vec<&super::ast::Value> = match &c.rhs {
                Some(Rhs::Value(v)) => vec![v],
                Some(Rhs::List(vs, _)) => vs.iter().collect(),
                _ => vec![],
            };
            for v in vals {
                if schema::event_ids_by_name(&v.text).next().is_none()
                    && !out.iter().any(|(_, n)| *n == v.text)
                {
                    out.push((v.span, v.text.clone()));
                }
            }
        }
    }
}
