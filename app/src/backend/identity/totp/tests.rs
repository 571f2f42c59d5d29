//! Unit tests of the parent module.
use super::*;

const RFC_SECRET: TotpSecret = TotpSecret::from_bytes(*b"12345678901234567890");

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_micros(seconds * 1_000_000)
}

#[test]
fn rfc6238_sha1_vectors_last_six_digits() {
    let vectors = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];
    for (seconds, expected) in vectors {
        let step = step_of(at(seconds));
        assert_eq!(step, seconds / 30);
        assert_eq!(code_at_step(&RFC_SECRET, step), expected, "T = {seconds}");
        assert_eq!(verify(&RFC_SECRET, expected, at(seconds), None), Some(step), "T = {seconds}");
    }
}

#[test]
fn step_floors_including_sub_second_and_negative_times() {
    assert_eq!(step_of(Timestamp::from_micros(0)), 0);
    assert_eq!(step_of(Timestamp::from_micros(29_999_999)), 0);
    assert_eq!(step_of(Timestamp::from_micros(30_000_000)), 1);
    assert_eq!(step_of(Timestamp::from_micros(-1)), -1);
}

#[test]
fn accepts_one_step_either_side_and_refuses_two() {
    let now = at(1_234_567_890);
    let step = step_of(now);
    for delta in [-1, 0, 1] {
        let code = code_at_step(&RFC_SECRET, step + delta);
        assert_eq!(verify(&RFC_SECRET, &code, now, None), Some(step + delta), "delta {delta}");
    }
    for delta in [-2, 2] {
        let code = code_at_step(&RFC_SECRET, step + delta);
        // Guard against an accidental collision with a code inside the window.
        let inside = (-1..=1).any(|d| code_at_step(&RFC_SECRET, step + d) == code);
        assert!(!inside);
        assert_eq!(verify(&RFC_SECRET, &code, now, None), None, "delta {delta}");
    }
}

#[test]
fn refuses_replay_and_older_codes() {
    let now = at(1_234_567_890);
    let step = step_of(now);
    let code = code_at_step(&RFC_SECRET, step);
    let used = verify(&RFC_SECRET, &code, now, None);
    assert_eq!(used, Some(step));
    // The same code again: refused.
    assert_eq!(verify(&RFC_SECRET, &code, now, used), None);
    // Still refused a step later, while it remains inside the window.
    assert_eq!(verify(&RFC_SECRET, &code, now.plus_seconds(30), used), None);
    // An older code, still in the window, after a newer one was used: refused.
    let older = code_at_step(&RFC_SECRET, step - 1);
    assert_eq!(verify(&RFC_SECRET, &older, now, used), None);
    // The next step's code is still welcome.
    let newer = code_at_step(&RFC_SECRET, step + 1);
    assert_eq!(verify(&RFC_SECRET, &newer, now, used), Some(step + 1));
}

#[test]
fn refuses_malformed_codes_and_tolerates_spaces() {
    let now = at(59);
    for bad in ["12345", "1234567", "abcdef", "", "      ", "28708２", "+28708", "287-082", "٢٨٧٠٨٢"] {
        assert_eq!(verify(&RFC_SECRET, bad, now, None), None, "{bad:?}");
    }
    assert_eq!(verify(&RFC_SECRET, " 287 082 ", now, None), Some(1));
    assert_eq!(verify(&RFC_SECRET, "287082", now, None), Some(1));
}

#[test]
fn base32_rfc4648_vectors() {
    let vectors: [(&[u8], &str); 7] = [
        (b"", ""),
        (b"f", "MY"),
        (b"fo", "MZXQ"),
        (b"foo", "MZXW6"),
        (b"foob", "MZXW6YQ"),
        (b"fooba", "MZXW6YTB"),
        (b"foobar", "MZXW6YTBOI"),
    ];
    for (bytes, text) in vectors {
        assert_eq!(base32_encode(bytes), text);
        assert_eq!(base32_decode(text).as_deref(), Some(bytes));
    }
    assert_eq!(base32_decode("MZXW6YQ=").as_deref(), Some(&b"foob"[..]));
    // Impossible lengths, non-zero leftover bits, foreign characters.
    for bad in ["M", "MZX", "MZXW6Y", "MZ", "MZXW1", "MZXW8", "MZ!Q"] {
        assert_eq!(base32_decode(bad), None, "{bad:?}");
    }
}

#[test]
fn secret_base32_round_trip() {
    assert_eq!(RFC_SECRET.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let secret = TotpSecret::generate();
    let text = secret.to_base32();
    assert_eq!(text.len(), 32);
    assert!(text.bytes().all(|b| BASE32_ALPHABET.contains(&b)));
    let back = TotpSecret::from_base32(&text).map(|s| s.0);
    assert_eq!(back, Some(secret.0));
    let grouped = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
    assert_eq!(TotpSecret::from_base32(grouped).map(|s| s.0), Some(RFC_SECRET.0));
    // Wrong length (a valid 15-byte secret) and garbage are refused.
    assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBV").is_none());
    assert!(TotpSecret::from_base32("not base32 at all!").is_none());
    // Two fresh secrets differ.
    assert_ne!(TotpSecret::generate().0, TotpSecret::generate().0);
}

#[test]
fn debug_does_not_reveal_the_secret() {
    let shown = format!("{RFC_SECRET:?} {:?}", Some(RFC_SECRET.clone()));
    assert!(!shown.contains("GEZD"));
    assert!(!shown.contains("49"));
    assert!(!shown.contains("12345"));
    assert!(shown.contains("redacted"));
}

#[test]
fn otpauth_uri_encodes_issuer_and_account() {
    let uri = otpauth_uri(&RFC_SECRET, "银行", "张三@example.com");
    assert_eq!(
        uri,
        "otpauth://totp/%E9%93%B6%E8%A1%8C:%E5%BC%A0%E4%B8%89%40example.com\
         ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E9%93%B6%E8%A1%8C\
         &algorithm=SHA1&digits=6&period=30"
    );
    let uri = otpauth_uri(&RFC_SECRET, "A&B Bank", "x:y z~_.-");
    assert!(uri.starts_with("otpauth://totp/A%26B%20Bank:x%3Ay%20z~_.-?secret="));
    assert!(uri.contains("&issuer=A%26B%20Bank&"));
}

/// Paints the SVG path back onto a grid of modules (inverting `qr_svg`).
fn paint(path: &str, extent: usize) -> Vec<Vec<bool>> {
    let mut grid = vec![vec![false; extent]; extent];
    for piece in path.split('M').filter(|p| !p.is_empty()) {
        let (xy, rest) = piece.split_once('h').expect("h");
        let (x, y) = xy.split_once(',').expect("comma");
        let (run, rest) = rest.split_once("v1h-").expect("v1h-");
        assert_eq!(rest, format!("{run}z"));
        let (x, y, run): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
        for cell in &mut grid[y][x..x + run] {
            assert!(!*cell, "module painted twice");
            *cell = true;
        }
    }
    grid
}

fn attribute<'a>(svg: &'a str, prefix: &str) -> &'a str {
    let start = svg.find(prefix).expect(prefix) + prefix.len();
    let len = svg[start..].find('"').expect("closing quote");
    &svg[start..start + len]
}

#[test]
fn qr_svg_structure_and_modules() {
    let text = "HELLO";
    let svg = qr_svg(text, "Scan <me> & \"you'll\" see").expect("fits");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" "));
    assert!(svg.ends_with("</svg>"));
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"shape-rendering="crispEdges""#));
    assert!(!svg.contains(" width=\"100%") && !svg.contains("<svg width"));
    assert!(svg.contains("<title id=\""));
    assert!(svg.contains(">Scan &lt;me&gt; &amp; &quot;you&apos;ll&quot; see</title>"));
    let id = attribute(&svg, "aria-labelledby=\"");
    assert!(svg.contains(&format!("<title id=\"{id}\">")));
    assert_eq!(svg.matches("<path ").count(), 1);
    assert!(svg.find("<rect ").expect("rect") < svg.find("<path ").expect("path"));

    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).expect("fits");
    let size = qr.size();
    let extent = (size + 2 * QUIET_ZONE) as usize;
    assert_eq!(attribute(&svg, "viewBox=\""), format!("0 0 {extent} {extent}"));

    let grid = paint(attribute(&svg, " d=\""), extent);
    let mut dark = 0;
    for y in 0..extent as i32 {
        for x in 0..extent as i32 {
            // get_module is false outside the symbol, i.e. in the quiet zone.
            let expected = qr.get_module(x - QUIET_ZONE, y - QUIET_ZONE);
            assert_eq!(grid[y as usize][x as usize], expected, "module ({x}, {y})");
            dark += usize::from(expected);
        }
    }
    let painted: usize = grid.iter().flatten().filter(|&&c| c).count();
    assert_eq!(painted, dark);
    assert!(dark > 0);
}

#[test]
fn qr_svg_for_an_enrollment_uri_and_too_long_input() {
    let uri = otpauth_uri(&TotpSecret::generate(), "某某农村商业银行", "zhangsan@example.com");
    let svg = qr_svg(&uri, "身份验证器二维码").expect("fits");
    assert!(svg.contains(">身份验证器二维码</title>"));
    assert!(!svg.contains(&uri), "the secret is in the modules, not in the text");
    assert!(qr_svg(&"x".repeat(8000), "too long").is_none());
}

#[test]
fn xml_escape_drops_forbidden_controls() {
    assert_eq!(xml_escape("a\u{0}b\u{1b}c\td"), "abc\td");
}

#[test]
fn recovery_codes_format_and_distinct() {
    let codes = generate_recovery_codes();
    assert_eq!(codes.len(), 10);
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 10);
    for code in &codes {
        assert_eq!(code.len(), 11, "{code}");
        assert_eq!(code.as_bytes()[5], b'-', "{code}");
        for (i, b) in code.bytes().enumerate().filter(|&(i, _)| i != 5) {
            assert!(RECOVERY_ALPHABET.contains(&b), "{code} at {i}");
            assert!(!b"0o1il".contains(&b), "{code}");
            assert!(!b.is_ascii_uppercase(), "{code}");
        }
        assert_eq!(normalize_recovery_code(code).len(), 10);
    }
}

#[test]
fn recovery_code_normalization_and_matching() {
    assert_eq!(normalize_recovery_code("ABCDE-FGHJK "), "abcdefghjk");
    assert_eq!(normalize_recovery_code(" ab cde-fg hjk\t"), "abcdefghjk");
    assert_eq!(normalize_recovery_code("ＡＢＣＤＥ－ｆｇｈｊｋ"), "abcdefghjk");
    let stored = hash_recovery_code("abcde-fghjk");
    assert!(recovery_code_matches("ABCDE-FGHJK ", &stored));
    assert!(recovery_code_matches("abcdefghjk", &stored));
    assert!(!recovery_code_matches("abcde-fghjm", &stored));
    assert!(!recovery_code_matches("", &stored));
    assert!(!recovery_code_matches("abcde-fghjk", ""));
}

#[test]
fn recovery_code_hash_is_stable_sha256_hex() {
    // SHA-256("abcdefghjk"), fixed so that a change of hash or normalization,
    // which would orphan every stored code, fails here.
    assert_eq!(hash_recovery_code("ABCDE-FGHJK"), hash_recovery_code("abcdefghjk"));
    let h = hash_recovery_code("abcde-fghjk");
    assert_eq!(h, "22f3f00d7f9cfe6eeefa9b71bdcb093a9080fcf4981d2dbf932648fa15a2d793");
    assert_eq!(h.len(), 64);
    assert!(h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
}
