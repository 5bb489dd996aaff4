//! The condition AST: faithful to the source text, with a span on every node.
//!
//! [`parse`](super::parse) produces it from one condition string; macro names are still
//! [`Expr::Ident`] and list names still bare values. `expand` substitutes
//! both, and [`resolve`](super::resolve) turns the result into the typed, flat
//! [`Condition`](super::Condition). Spans are byte offsets into the text they came from,
//! tagged with a [`SrcId`] so that nodes pasted from a macro still point into the macro.

/// Which condition text a span points into (an index into the loader's source table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SrcId(pub u32);

/// A byte range in one condition text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The text it points into.
    pub src: SrcId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `src`.
    pub fn new(src: SrcId, start: usize, end: usize) -> Span {
        Span {
            src,
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// All children hold.
    And(Vec<Expr>, Span),
    /// Any child holds.
    Or(Vec<Expr>, Span),
    /// The child does not hold.
    Not(Box<Expr>, Span),
    /// A bare identifier: a macro reference.
    Ident(String, Span),
    /// A comparison.
    Check(Box<Check>),
}

impl Expr {
    /// Where this expression starts.
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, s) | Expr::Or(_, s) | Expr::Not(_, s) | Expr::Ident(_, s) => *s,
            Expr::Check(c) => c.span,
        }
    }
}

/// `lhs op rhs` or `lhs exists`.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The field (possibly transformed) on the left.
    pub lhs: Operand,
    /// The operator.
    pub op: Op,
    /// The right-hand side; `None` for `exists`.
    pub rhs: Option<Rhs>,
    /// The whole check.
    pub span: Span,
}

/// A field reference, possibly wrapped in transformers.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `name` or `name[arg]`.
    Field {
        /// The name as written (`evt.arg.flags`).
        name: String,
        /// The bracketed argument.
        arg: Option<String>,
        /// Where it is.
        span: Span,
    },
    /// `tolower(x)`, `len(x)`...
    Transform {
        /// Which transformer.
        tr: Transformer,
        /// Its operand.
        inner: Box<Operand>,
        /// Where it is.
        span: Span,
    },
}

impl Operand {
    /// Where this operand is.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field { span, .. } | Operand::Transform { span, .. } => *span,
        }
    }
}

/// The right-hand side of a check.
#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    /// One literal value (quoted or bare).
    Value(Value),
    /// A parenthesised list `(a, b, "c d")`.
    List(Vec<Value>, Span),
    /// `val(field)` or a transformed field: a field-to-field comparison.
    Field(Operand),
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// Its text, unescaped.
    pub text: String,
    /// Whether it was quoted (quoted values never name a list).
    pub quoted: bool,
    /// Where it is.
    pub span: Span,
}

/// Field transformers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transformer {
    /// ASCII lower case.
    ToLower,
    /// ASCII upper case.
    ToUpper,
    /// Base64 decoding.
    B64,
    /// Last path component.
    Basename,
    /// Length in bytes (or number of values of a list field).
    Len,
}

impl Transformer {
    /// The name/transformer table.
    pub const ALL: [(&'static str, Transformer); 5] = [
        ("tolower", Transformer::ToLower),
        ("toupper", Transformer::ToUpper),
        ("b64", Transformer::B64),
        ("basename", Transformer::Basename),
        ("len", Transformer::Len),
    ];

    /// The name as written.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("?", |(n, _)| n)
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` or `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `contains`.
    Contains,
    /// `icontains`.
    IContains,
    /// `bcontains` (hex bytes).
    BContains,
    /// `startswith`.
    StartsWith,
    /// `bstartswith` (hex bytes).
    BStartsWith,
    /// `endswith`.
    EndsWith,
    /// `glob`.
    Glob,
    /// `iglob`.
    IGlob,
    /// `regex`.
    Regex,
    /// `pmatch` (path prefix match).
    PMatch,
    /// `in`.
    In,
    /// `intersects`.
    Intersects,
    /// `exists` (unary).
    Exists,
}

impl Op {
    /// Operator spellings in the order the lexer tries them (longest first where one is a
    /// prefix of another). The flag says whether a blank must follow (word operators).
    pub const SPELLINGS: [(&'static str, Op, bool); 20] = [
        ("exists", Op::Exists, false),
        ("<=", Op::Le, false),
        ("<", Op::Lt, false),
        (">=", Op::Ge, false),
        (">", Op::Gt, false),
        ("==", Op::Eq, false),
        ("=", Op::Eq, false),
        ("!=", Op::Ne, false),
        ("glob", Op::Glob, true),
        ("iglob", Op::IGlob, true),
        ("contains", Op::Contains, true),
        ("icontains", Op::IContains, true),
        ("bcontains", Op::BContains, true),
        ("startswith", Op::StartsWith, true),
        ("bstartswith", Op::BStartsWith, true),
        ("endswith", Op::EndsWith, true),
        ("regex", Op::Regex, true),
        ("intersects", Op::Intersects, false),
        ("in", Op::In, false),
        ("pmatch", Op::PMatch, false),
    ];

    /// The canonical spelling.
    pub fn name(self) -> &'static str {
        Self::SPELLINGS
            .iter()
            .find(|(_, o, _)| *o == self)
            .map_or("?", |(n, _, _)| n)
    }

    /// Parses a canonical spelling (exception `comps`).
    pub fn from_name(s: &str) -> Option<Op> {
        Self::SPELLINGS
            .iter()
            .find(|(n, _, _)| *n == s)
            .map(|(_, o, _)| *o)
    }

    /// Whether the right-hand side is a list (`in`, `intersects`, `pmatch`).
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }

    /// Whether the operator orders numbers.
    pub fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}
