//! Where a form may send the browser back to: only a path on this site, never an
//! open redirect to another host (`//evil.example`, `/\evil.example`, a scheme, or a
//! header-splitting control character all fall back).
pub fn local_path<'a>(back: &'a str, fallback: &'a str) -> &'a str {
    let safe = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.chars().all(|c| !c.is_control());
    if safe {
        back
    } else {
        fallback
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirects_stay_on_site() {
        let local = |back| local_path(back, "/");
        assert_eq!(local("/accounts?x=1"), "/accounts?x=1");
        assert_eq!(local("//evil.example"), "/");
        assert_eq!(local("/\\evil.example"), "/");
        assert_eq!(local("https://evil.example"), "/");
        assert_eq!(local(""), "/");
        assert_eq!(local("/a\r\nSet-Cookie: x"), "/");
    }
}
