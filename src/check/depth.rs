//! A bound on how deeply the syntax tree can nest, found before parsing. ruff's parser
//! grows its own stack, but the tree it builds is dropped recursively and our passes walk
//! it recursively: `-` repeated a million times, or a chain `a.b.b.b...` of half a million
//! attributes, would overflow the stack after the parse. CPython refuses such input too
//! (more than 200 nested brackets, more than 100 indentation levels), so this scan
//! refuses it first, with the place where the limit is crossed.
//!
//! The scan is lexical and errs on the side of counting: every bracket, every operator
//! or keyword that can nest an expression (`.`, `+`, `not`, `await`, `lambda`, `if` ...)
//! and every closed bracket (a call or subscript on the result) adds one level; a comma,
//! a colon, `=`, a comparison or the end of a statement ends the operand it counted.
//! Real code stays far below the limits; hostile input cannot slip through strings,
//! because f-string replacement fields are scanned as code.

use super::CheckError;

/// CPython's own limit on nested brackets (its tokenizer's MAXLEVEL).
const MAX_BRACKETS: usize = 200;

/// CPython's limit on indentation levels.
const MAX_INDENT_LEVELS: usize = 100;

/// Levels of expression nesting counted in one statement. Far above real code (a long
/// string concatenation is a few dozen), far below what overflows a 2 MiB thread stack
/// in a debug build (`deepest_accepted_nesting_fits_a_test_thread` in tests.rs holds us to it).
pub const MAX_EXPRESSION_DEPTH: usize = 1000;

/// One bracket level of the statement being scanned.
#[derive(Default)]
struct Level {
    /// Nesting counted in the operand being read at this level.
    count: usize,
    /// `lambda` keywords whose parameter list has not ended yet: their commas and the
    /// colon that ends them do not end the operand.
    lambda_params: usize,
    /// The `{` of an f-string replacement field: its `}` returns to the string's text.
    field: bool,
}

/// An f-string (or t-string) being scanned.
struct Interpolated {
    quote: u8,
    triple: bool,
    /// How many of its replacement fields are open (then the scan reads code).
    fields: usize,
}

pub fn check(text: &str) -> Result<(), CheckError> {
    Scan::new(text).run()
}

struct Scan<'t> {
    text: &'t [u8],
    source: &'t str,
    at: usize,
    /// The statement's bracket levels; the first is the statement itself.
    levels: Vec<Level>,
    /// Sum of the levels' counts plus the open brackets.
    total: usize,
    strings: Vec<Interpolated>,
    /// The indentation widths of the open blocks, outermost (0) first.
    indents: Vec<usize>,
}

impl<'t> Scan<'t> {
    fn new(source: &'t str) -> Self {
        Self {
            text: source.as_bytes(),
            source,
            at: 0,
            levels: vec![Level::default()],
            total: 0,
            strings: Vec::new(),
            indents: vec![0],
        }
    }

    fn error(&self, message: &str) -> CheckError {
        let mut at = self.at.min(self.source.len());
        while !self.source.is_char_boundary(at) {
            at -= 1;
        }
        let before = &self.source[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        CheckError::Syntax {
            line,
            column: before[line_start..].chars().count() + 1,
            message: message.to_string(),
        }
    }

    fn top(&mut self) -> &mut Level {
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    fn nest(&mut self) -> Result<(), CheckError> {
        self.top().count += 1;
        self.total += 1;
        if self.total > MAX_EXPRESSION_DEPTH {
            return Err(self.error(&format!(
                "expression nested too deeply (more than {MAX_EXPRESSION_DEPTH} levels)"
            )));
        }
        Ok(())
    }

    /// The operand at the current level ends (`,`, `:`, `=`, a comparison).
    fn end_operand(&mut self) {
        let top = self.top();
        let count = std::mem::take(&mut top.count);
        self.total -= count;
    }

    fn open(&mut self, field: bool) -> Result<(), CheckError> {
        if self.levels.len() > MAX_BRACKETS {
            return Err(self.error(&format!(
                "too many nested parentheses (CPython allows {MAX_BRACKETS})"
            )));
        }
        self.levels.push(Level {
            field,
            ..Level::default()
        });
        self.total += 1;
        self.nest()
    }

    /// Returns whether the bracket closed an f-string replacement field.
    fn close(&mut self) -> Result<bool, CheckError> {
        if self.levels.len() <= 1 {
            // Unbalanced: the parser reports it.
            return Ok(false);
        }
        let level = self.levels.pop().unwrap_or_default();
        self.total = self.total.saturating_sub(level.count + 1);
        // `f(x)(y)`, `a[0][1]`: the closed bracket nests the expression once more.
        self.nest()?;
        Ok(level.field)
    }

    fn end_statement(&mut self) {
        if self.levels.len() == 1 {
            self.end_operand();
        }
    }

    fn run(mut self) -> Result<(), CheckError> {
        self.indentation()?;
        while self.at < self.text.len() {
            if self.strings.last().is_some_and(|s| s.fields == 0) {
                self.interpolated_text()?;
                continue;
            }
            let c = self.text[self.at];
            match c {
                b' ' | b'\t' | b'\r' => self.skip_while(|c| matches!(c, b' ' | b'\t' | b'\r')),
                b'#' => self.skip_while(|c| c != b'\n'),
                b'\n' => {
                    self.end_statement();
                    let continued = self.at > 0 && self.text[self.at - 1] == b'\\';
                    self.at += 1;
                    if self.levels.len() == 1 && self.strings.is_empty() && !continued {
                        self.indentation()?;
                    }
                }
                b'\'' | b'"' => self.string(self.at, b"")?,
                b'0'..=b'9' => self.skip_number(),
                b'.' if self.text.get(self.at + 1).is_some_and(u8::is_ascii_digit) => {
                    self.skip_number()
                }
                b'(' | b'[' | b'{' => {
                    self.open(false)?;
                    self.at += 1;
                }
                b')' | b']' | b'}' => {
                    self.at += 1;
                    if self.close()? {
                        if let Some(s) = self.strings.last_mut() {
                            s.fields = s.fields.saturating_sub(1);
                        }
                    }
                }
                b',' => {
                    if self.top().lambda_params == 0 {
                        self.end_operand();
                    }
                    self.at += 1;
                }
                b':' => {
                    let top = self.top();
                    if top.lambda_params > 0 {
                        top.lambda_params -= 1;
                    } else {
                        self.end_operand();
                    }
                    self.at += 1;
                }
                b';' | b'=' | b'<' | b'>' | b'!' => {
                    self.end_operand();
                    self.at += 1;
                }
                b'.' | b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' => {
                    self.nest()?;
                    self.at += 1;
                }
                c if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => self.word()?,
                _ => self.at += 1,
            }
        }
        Ok(())
    }

    /// At the start of a line outside brackets and strings: CPython refuses more than
    /// 100 levels of indentation, and names the line where the 101st starts.
    fn indentation(&mut self) -> Result<(), CheckError> {
        let start = self.at;
        self.skip_while(|c| c == b' ' || c == b'\t');
        let indent = self.at - start;
        if matches!(self.text.get(self.at), None | Some(b'\n' | b'\r' | b'#')) {
            return Ok(());
        }
        while self.indents.last().is_some_and(|&top| indent < top) {
            self.indents.pop();
        }
        if self.indents.last().is_some_and(|&top| indent > top) {
            self.indents.push(indent);
        }
        if self.indents.len() > MAX_INDENT_LEVELS {
            return Err(self.error(&format!(
                "too many levels of indentation (CPython allows {MAX_INDENT_LEVELS})"
            )));
        }
        Ok(())
    }

    /// Moves past the bytes that match (one tight loop: most of a file is spaces,
    /// names and string text).
    fn skip_while(&mut self, matches: impl Fn(u8) -> bool) {
        let rest = &self.text[self.at..];
        self.at += rest.iter().position(|&c| !matches(c)).unwrap_or(rest.len());
    }

    fn skip_number(&mut self) {
        while let Some(&c) = self.text.get(self.at) {
            let exponent_sign = matches!(c, b'+' | b'-')
                && matches!(self.text.get(self.at.wrapping_sub(1)), Some(b'e' | b'E'))
                && !matches!(self.text.get(self.at.wrapping_sub(2)), Some(b'x' | b'X'));
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn word(&mut self) -> Result<(), CheckError> {
        let start = self.at;
        self.skip_while(|c| c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80);
        let word = &self.text[start..self.at];
        if matches!(self.text.get(self.at), Some(b'\'' | b'"')) && is_string_prefix(word) {
            return self.string(self.at, word);
        }
        match word {
            b"lambda" => {
                self.nest()?;
                self.top().lambda_params += 1;
            }
            b"not" | b"await" | b"if" | b"else" | b"yield" => self.nest()?,
            b"and" | b"or" | b"in" | b"is" | b"for" => self.end_operand(),
            _ => {}
        }
        Ok(())
    }

    /// A string starting at the quote at `quote_at`, with its prefix.
    fn string(&mut self, quote_at: usize, prefix: &[u8]) -> Result<(), CheckError> {
        let quote = self.text[quote_at];
        let triple = self.text[quote_at..].starts_with(&[quote, quote, quote]);
        self.at = quote_at + if triple { 3 } else { 1 };
        let interpolated = prefix
            .iter()
            .any(|c| matches!(c.to_ascii_lowercase(), b'f' | b't'));
        if interpolated {
            self.strings.push(Interpolated {
                quote,
                triple,
                fields: 0,
            });
            return Ok(());
        }
        while self.at < self.text.len() {
            self.skip_while(|c| c != quote && c != b'\\' && c != b'\n');
            let Some(&c) = self.text.get(self.at) else {
                break;
            };
            if c == b'\\' {
                self.at += 2;
            } else if c == quote && (!triple || self.text[self.at..].starts_with(&[c, c, c])) {
                self.at += if triple { 3 } else { 1 };
                return Ok(());
            } else if c == b'\n' && !triple {
                // Unterminated: the parser reports it.
                return Ok(());
            } else {
                self.at += 1;
            }
        }
        Ok(())
    }

    /// The literal text of the innermost f-string, up to its end or a replacement field.
    fn interpolated_text(&mut self) -> Result<(), CheckError> {
        let Some(string) = self.strings.last() else {
            return Ok(());
        };
        let (quote, triple) = (string.quote, string.triple);
        while self.at < self.text.len() {
            let c = self.text[self.at];
            match c {
                b'\\' => self.at += 2,
                b'{' if self.text.get(self.at + 1) == Some(&b'{') => self.at += 2,
                b'{' => {
                    self.at += 1;
                    if let Some(s) = self.strings.last_mut() {
                        s.fields += 1;
                    }
                    return self.open(true);
                }
                b'\n' if !triple => {
                    self.strings.pop();
                    return Ok(());
                }
                c if c == quote && (!triple || self.text[self.at..].starts_with(&[c, c, c])) => {
                    self.at += if triple { 3 } else { 1 };
                    self.strings.pop();
                    return Ok(());
                }
                _ => self.at += 1,
            }
        }
        self.strings.pop();
        Ok(())
    }
}

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str) -> Option<(usize, usize, String)> {
        match check(code) {
            Err(CheckError::Syntax {
                line,
                column,
                message,
            }) => Some((line, column, message)),
            _ => None,
        }
    }

    #[test]
    fn brackets_past_cpythons_limit_are_refused_where_the_limit_is_crossed() {
        let code = format!("x = 1\ny = {}1{}\n", "(".repeat(300), ")".repeat(300));
        let (line, column, message) = refused(&code).expect("refused");
        assert_eq!((line, column), (2, 205));
        assert!(message.contains("parentheses"), "{message}");
        let fine = format!("y = {}1{}\n", "(".repeat(150), ")".repeat(150));
        assert!(check(&fine).is_ok());
    }

    #[test]
    fn chains_that_nest_without_brackets_are_counted() {
        for code in [
            format!("x = a{}\n", ".b".repeat(5000)),
            format!("x = {}1\n", "-".repeat(5000)),
            format!("x = {}1\n", "not ".repeat(5000)),
            format!("x = {}1\n", "lambda a, b: ".repeat(5000)),
            format!("x = f{}\n", "()".repeat(5000)),
            format!("x = {}\n", "1 if c else ".repeat(5000) + "2"),
            format!("x = f'{{{}}}'\n", "-".repeat(5000) + "1"),
        ] {
            assert!(refused(&code).is_some(), "{}", &code[..40]);
        }
    }

    #[test]
    fn long_flat_statements_and_strings_are_fine() {
        let list = format!("x = [{}]\n", "a.b.c + 1, ".repeat(20_000));
        let call = format!("f({})\n", "key=value.attr, ".repeat(20_000));
        let text = format!(
            "s = '{}' + \"\"\"{}\"\"\"\n",
            "(-.".repeat(5000),
            ")".repeat(5000)
        );
        let fstring = format!("s = f'{}{{x}}'\n", "((((".repeat(5000));
        for code in [list, call, text, fstring] {
            assert!(check(&code).is_ok(), "{}", &code[..30]);
        }
    }
}
