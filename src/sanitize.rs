//! The one sanitiser for text that came from input (a workflow, the desired state, a token, a
//! log, a server's answer) on its way out. Every renderer uses it:
//!
//! - human text, template, drift, GitHub annotations and SARIF messages show a control
//!   character, a bidirectional override or an invisible character as `<U+202E>`
//!   ([`visible`], [`visible_line`], the [`Visible`] writer), so nothing a stranger wrote can
//!   move the cursor, recolour the terminal, ring the bell, write into the Actions log as a
//!   workflow command or reorder what the reader sees;
//! - JSON keeps every value exact, with those characters written as `\u` escapes
//!   ([`write_json`]), so the document reads the same in any viewer;
//! - two names that differ only by such characters or by look-alike letters (Cyrillic `а` for
//!   Latin `a`, `0` for `o`) are called out ([`lookalike`]).
//!
//! Source lines quoted in snippets are normalised by annotate-snippets itself (control
//! characters as `␛`, bidirectional overrides as `�`).

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a reader as it is: a control character (except line feed and
/// tab), a bidirectional control, a zero-width or other invisible formatting character
/// (Unicode category Cf), a line or paragraph separator, or an invisible filler.
pub fn is_suspicious(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff9}'..='\u{fffb}' | '\u{600}'..='\u{605}' | '\u{6dd}' | '\u{70f}'
        | '\u{110bd}' | '\u{110cd}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e0fff}')
}

/// A symbol that a variation selector may follow to choose its emoji or text form (`⚠️` is
/// U+26A0 U+FE0F): the symbols, arrows, dingbats and pictographs that have both forms.
fn has_presentation_forms(c: char) -> bool {
    matches!(c,
        '\u{a9}' | '\u{ae}' | '\u{203c}'..='\u{2bff}' | '\u{3030}' | '\u{303d}' | '\u{3297}'
        | '\u{3299}' | '\u{1f000}'..='\u{1faff}')
}

/// Whether `c`, after `previous`, must not reach a reader as it is: [`is_suspicious`], except
/// one presentation selector (U+FE0E, U+FE0F) right after a symbol that has both forms, which
/// is how emoji are written (a message's `⚠️`); a second selector, or one after a letter, is
/// still shown (selectors are a known way of hiding data in text).
pub fn is_suspicious_after(previous: Option<char>, c: char) -> bool {
    is_suspicious(c)
        && !(matches!(c, '\u{fe0e}' | '\u{fe0f}') && previous.is_some_and(has_presentation_forms))
}

/// The characters of `text` that [`visible`] shows as `<U+XXXX>`.
pub fn suspicious_in(text: &str) -> Vec<char> {
    let mut previous = None;
    let mut found = Vec::new();
    for c in text.chars() {
        if c != '\n' && c != '\t' && is_suspicious_after(previous, c) {
            found.push(c);
        }
        previous = Some(c);
    }
    found
}

/// Whether a byte can only start or continue a character that [`is_suspicious`] may flag: a
/// quick test that lets plain ASCII through untouched.
fn may_be_suspicious(b: u8) -> bool {
    !(0x20..0x7f).contains(&b)
}

fn push_code(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "<U+{:04X}>", u32::from(c));
}

fn sanitize(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = bytes
        .iter()
        .position(|&b| may_be_suspicious(b) && b != b'\n' && b != b'\t')
    else {
        return Cow::Borrowed(text);
    };
    let mut out = String::new();
    let mut changed = false;
    let mut previous = text[..first].chars().next_back();
    for (i, c) in text[first..].char_indices() {
        let shown = is_suspicious_after(previous, c);
        previous = Some(c);
        if shown {
            if !changed {
                out.reserve(text.len() + 16);
                out.push_str(&text[..first + i]);
                changed = true;
            }
            push_code(&mut out, c);
        } else if changed {
            out.push(c);
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with every suspicious character shown as `<U+XXXX>`; line feeds and tabs are kept
/// (for text of several lines, such as a help paragraph).
pub fn visible(text: &str) -> Cow<'_, str> {
    sanitize(text)
}

/// `text` as one line: like [`visible`], and a line feed or tab is shown as `<U+000A>` or
/// `<U+0009>` too (for names and messages, which are one line).
pub fn visible_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\t']) {
        return visible(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut previous = None;
    for c in text.chars() {
        let shown = is_suspicious_after(previous, c);
        previous = Some(c);
        if shown || c == '\n' || c == '\t' {
            push_code(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A writer that shows suspicious characters visibly in everything written through it, and
/// lets through, unchanged, only what is written with [`Visible::raw`] (the renderer's own
/// colours). Human renderers write through one.
pub struct Visible<'w> {
    inner: &'w mut dyn Write,
    /// The start of a character split across two writes.
    carry: Vec<u8>,
}

impl<'w> Visible<'w> {
    /// Wraps `inner`.
    pub fn new(inner: &'w mut dyn Write) -> Self {
        Self {
            inner,
            carry: Vec::new(),
        }
    }

    /// Writes `text` as it is: the renderer's own styling, or text already sanitised.
    pub fn raw(&mut self, text: &str) -> io::Result<()> {
        self.flush_carry()?;
        self.inner.write_all(text.as_bytes())
    }

    /// Writes `text` in `style` (the style's codes raw, the text sanitised).
    pub fn styled(&mut self, style: anstyle::Style, text: &str) -> io::Result<()> {
        self.raw(&style.render().to_string())?;
        self.write_all(text.as_bytes())?;
        self.raw(&style.render_reset().to_string())
    }

    fn flush_carry(&mut self) -> io::Result<()> {
        if self.carry.is_empty() {
            return Ok(());
        }
        let rest = String::from_utf8_lossy(&std::mem::take(&mut self.carry)).into_owned();
        self.inner.write_all(visible(&rest).as_bytes())
    }
}

impl Write for Visible<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => bytes.len(),
        };
        let (text, rest) = bytes.split_at(valid);
        self.inner
            .write_all(visible(&String::from_utf8_lossy(text)).as_bytes())?;
        self.carry = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_carry()?;
        self.inner.flush()
    }
}

impl Drop for Visible<'_> {
    fn drop(&mut self) {
        let _ = self.flush_carry();
    }
}

/// A serde_json formatter that writes suspicious characters as `\u` escapes (values stay
/// exact), and is otherwise serde_json's pretty formatter.
struct JsonFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for JsonFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if !fragment.bytes().any(|b| b >= 0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            if is_suspicious(c) {
                writer.write_all(&fragment.as_bytes()[last..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                last = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as pretty JSON and a newline, suspicious characters `\u`-escaped.
pub fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        JsonFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut ser).map_err(io::Error::from)?;
    writeln!(out)
}

/// The Latin letter a look-alike stands for: Cyrillic and Greek homoglyphs, fullwidth forms,
/// and the digits and capitals that pass for letters (`0`, `1`, `I`).
fn skeleton_char(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'Ь' | 'Ƅ' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ε' => 'e',
        'ɡ' => 'g',
        'һ' => 'h',
        'і' | 'ι' | 'ı' => 'i',
        'ј' | 'ϳ' => 'j',
        'κ' => 'k',
        '1' | 'I' | 'ӏ' | 'Ӏ' | 'ǀ' | '|' => 'l',
        'ո' => 'n',
        '0' | 'о' | 'ο' | 'О' | 'Ο' | 'օ' => 'o',
        'р' | 'ρ' | 'Р' | 'Ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' | 'ս' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ѡ' => 'w',
        'х' | 'χ' | 'Х' | 'Χ' => 'x',
        'у' | 'γ' | 'ү' | 'Υ' => 'y',
        'А' | 'Α' => 'a',
        'В' | 'Β' => 'b',
        'Е' | 'Ε' => 'e',
        'Ζ' => 'z',
        'Н' | 'Η' => 'h',
        'Ι' => 'l',
        'К' | 'Κ' => 'k',
        'М' | 'Μ' => 'm',
        'Ν' => 'n',
        'С' | 'Ϲ' => 'c',
        'Т' | 'Τ' => 't',
        'ѐ' => 'e',
        '\u{ff01}'..='\u{ff5e}' => {
            skeleton_char(char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c))
        }
        other => other.to_ascii_lowercase(),
    }
}

/// What two names look like once invisible characters are dropped and look-alikes replaced by
/// the letter they imitate.
fn skeleton(name: &str) -> String {
    name.chars()
        .filter(|&c| !is_suspicious(c))
        .map(skeleton_char)
        .collect()
}

/// When `a` and `b` differ, but only by invisible characters or look-alike letters (not by
/// case alone), one sentence that says how, naming each character by its code point.
pub fn lookalike(a: &str, b: &str) -> Option<String> {
    if a == b || a.eq_ignore_ascii_case(b) || skeleton(a) != skeleton(b) {
        return None;
    }
    let odd = |s: &str| -> Vec<String> {
        s.chars()
            .filter(|&c| is_suspicious(c) || (!c.is_ascii() && skeleton_char(c).is_ascii()))
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect()
    };
    let mut codes = odd(a);
    codes.extend(odd(b));
    codes.dedup();
    let how = if codes.is_empty() {
        "look-alike letters or digits (such as `0` for `o`, `1` or `I` for `l`)".to_owned()
    } else {
        format!(
            "invisible characters or look-alike letters ({})",
            codes.join(", ")
        )
    };
    Some(format!(
        "`{}` and `{}` look the same but differ by {how}",
        visible_line(a),
        visible_line(b)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_invisible_characters_are_shown() {
        assert_eq!(visible("release"), "release");
        assert!(matches!(visible("plain text\n\tok"), Cow::Borrowed(_)));
        assert_eq!(visible("a\u{1b}[31mb"), "a<U+001B>[31mb");
        assert_eq!(
            visible("x\u{202e}y\u{200b}z\u{7}"),
            "x<U+202E>y<U+200B>z<U+0007>"
        );
        assert_eq!(visible("é🐍\r"), "é🐍<U+000D>");
        assert_eq!(visible_line("a\nb\tc"), "a<U+000A>b<U+0009>c");
        assert_eq!(visible("tag\u{e0041}"), "tag<U+E0041>");
    }

    #[test]
    fn the_writer_sanitises_text_but_keeps_its_own_styles() {
        let mut out = Vec::new();
        {
            let mut w = Visible::new(&mut out);
            w.styled(anstyle::Style::new().bold(), "a\u{1b}b").unwrap();
            // A character split across two writes.
            let snake = "🐍\u{202e}".as_bytes();
            w.write_all(&snake[..2]).unwrap();
            w.write_all(&snake[2..]).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{1b}[1ma<U+001B>b\u{1b}[0m🐍<U+202E>"
        );
    }

    #[test]
    fn json_keeps_values_exact_and_escapes_what_hides() {
        let mut out = Vec::new();
        write_json(
            &mut out,
            &serde_json::json!({"e": "a\u{202e}b\u{1b}é🐍\u{e0041}"}),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(r#""a\u202eb\u001bé🐍\udb40\udc41""#),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["e"], "a\u{202e}b\u{1b}é🐍\u{e0041}");
    }

    #[test]
    fn lookalike_names_are_called_out() {
        let note = lookalike("pypi", "руpі").unwrap();
        assert!(note.contains("U+0440") && note.contains("U+0456"), "{note}");
        assert!(
            lookalike("pypi", "pypi\u{200b}")
                .unwrap()
                .contains("U+200B")
        );
        assert!(lookalike("release", "re1ease").is_some());
        assert_eq!(
            lookalike("pypi", "PyPI"),
            None,
            "case alone is not a look-alike"
        );
        assert_eq!(lookalike("pypi", "testpypi"), None);
        assert_eq!(lookalike("pypi", "pypi"), None);
    }

    #[test]
    fn an_emoji_presentation_selector_is_kept_and_a_hidden_one_shown() {
        assert_eq!(
            visible("\u{26a0}\u{fe0f} Warning"),
            "\u{26a0}\u{fe0f} Warning"
        );
        assert_eq!(visible("a\u{fe0f}"), "a<U+FE0F>");
        assert_eq!(
            visible("\u{26a0}\u{fe0f}\u{fe0f}"),
            "\u{26a0}\u{fe0f}<U+FE0F>"
        );
        assert_eq!(suspicious_in("\u{26a0}\u{fe0f}x\u{fe0e}"), vec!['\u{fe0e}']);
    }
}
