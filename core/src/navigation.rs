//! The portal's sections, who may open them, and where to go after signing in.

use crate::api::Role;

/// Who may open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// Only signed-in people with one of these roles.
    Roles(&'static [Role]),
}

/// What to do when someone opens a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Show,
    /// Send to sign-in, coming back to `return_to` afterwards.
    SignIn {
        return_to: String,
    },
    /// Signed in, but this page is not for their role.
    Forbidden,
}

impl Access {
    pub fn gate(self, role: Option<Role>, current_path: &str) -> Gate {
        match (self, role) {
            (Access::Public, _) => Gate::Show,
            (_, None) => Gate::SignIn {
                return_to: current_path.to_string(),
            },
            (Access::SignedIn, Some(_)) => Gate::Show,
            (Access::Roles(allowed), Some(r)) if allowed.contains(&r) => Gate::Show,
            (Access::Roles(_), Some(_)) => Gate::Forbidden,
        }
    }
}

/// Who may use the content team's Studio.
pub const STUDIO_ACCESS: Access = Access::Roles(&[Role::Editor]);
/// Reminders hold health data: signed-in people only.
pub const REMINDERS_ACCESS: Access = Access::SignedIn;

/// Accepts a return path only if it stays inside this app, so a crafted sign-in link cannot send a
/// person to another site after they enter their password (open-redirect protection).
pub fn safe_return_path(candidate: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(p) = candidate else {
        return HOME.into();
    };
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && !p.chars().any(|c| c.is_control() || c == '\\')
        && !p.starts_with("/account/sign-in")
        && p.len() <= 512;
    if ok {
        p.to_string()
    } else {
        HOME.into()
    }
}

/// Percent-encodes a path for use as a query value (`?next=`).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Reverses [`encode_query_value`]; `None` when the result is not UTF-8 or an escape is broken.
pub fn decode_query_value(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = value.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The sign-in URL that brings a person back to `return_to`.
pub fn sign_in_url(return_to: &str) -> String {
    let path = safe_return_path(Some(return_to));
    if path == "/" {
        "/account/sign-in".into()
    } else {
        format!("/account/sign-in?next={}", encode_query_value(&path))
    }
}

/// The app ships as separate bundles so a patient never downloads the caregivers' reminders engine
/// or the content team's editor. Each path belongs to one of them; the backend and the service
/// worker serve that bundle's page, and the app hands paths of another bundle to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Home, Learn, Ask, the account pages and everything else.
    Patient,
    /// Reminders, Today, people and history.
    Care,
    /// The content team's Studio.
    Studio,
}

impl Entry {
    pub const ALL: [Entry; 3] = [Entry::Patient, Entry::Care, Entry::Studio];

    /// The bundle that serves `path` (a URL path, without query or fragment).
    pub fn for_path(path: &str) -> Entry {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/reminders") {
            Entry::Care
        } else if under("/studio") {
            Entry::Studio
        } else {
            Entry::Patient
        }
    }

    /// The built page that starts this bundle.
    pub fn html_file(self) -> &'static str {
        match self {
            Entry::Patient => "index.html",
            Entry::Care => "care.html",
            Entry::Studio => "studio.html",
        }
    }
}

/// The browser history entries a page added for its own steps, as far as the page can follow
/// them, so its own Back button can go back through history instead of adding an entry (which
/// would make the browser's Back walk forward through the steps again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail<T> {
    entries: Vec<T>,
    at: usize,
    /// Whether the first entry is where the page was opened (before it is another page), or
    /// only where the trail was lost and found again (before it are entries not followed).
    opened_here: bool,
}

impl<T: Copy + PartialEq> Trail<T> {
    /// The entry the page was opened on, showing `first`.
    pub fn new(first: T) -> Trail<T> {
        Trail {
            entries: vec![first],
            at: 0,
            opened_here: true,
        }
    }

    /// An entry added after the current one (`pushState`); those after it are gone, as in the
    /// browser.
    pub fn push(&mut self, entry: T) {
        self.entries.truncate(self.at + 1);
        self.entries.push(entry);
        self.at = self.entries.len() - 1;
    }

    /// The browser's Back or Forward reached an entry showing `entry` (`popstate`). One that is
    /// not next to the current one starts a new trail: what lies around it is unknown.
    /// A move that could have gone either way (both neighbours show `entry`, or an entry not
    /// followed lies behind) loses the trail too: better to know nothing than the wrong thing.
    pub fn moved_to(&mut self, entry: T) {
        let back = self.at > 0 && self.entries.get(self.at - 1) == Some(&entry);
        let forward = self.entries.get(self.at + 1) == Some(&entry);
        let unknown_behind = self.at == 0 && !self.opened_here;
        match (back, forward) {
            (true, false) => self.at -= 1,
            (false, true) if !unknown_behind => self.at += 1,
            _ => {
                *self = Trail {
                    entries: vec![entry],
                    at: 0,
                    opened_here: false,
                }
            }
        }
    }

    /// Whether the entry before the current one shows `entry`, so `history.back()` reaches it.
    pub fn is_previous(&self, entry: T) -> bool {
        self.at > 0 && self.entries.get(self.at - 1) == Some(&entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_trail_follows_steps_forward_and_back() {
        let mut trail = Trail::new(1);
        trail.push(2);
        trail.push(3);
        // Back by the page's own button: the browser's Back, so no entry is added.
        assert!(trail.is_previous(2));
        trail.moved_to(2);
        assert!(trail.is_previous(1));
        assert!(!trail.is_previous(3));
        trail.moved_to(1);
        assert!(!trail.is_previous(1));
        // Forward again, then a new step drops the entries that were ahead.
        trail.moved_to(2);
        trail.push(5);
        assert!(trail.is_previous(2));
        trail.moved_to(2);
        trail.moved_to(5);
        assert!(trail.is_previous(2));
        // A move either way to the same step: the trail is lost, and claims nothing.
        let mut trail = Trail::new(6);
        trail.push(3);
        trail.push(6);
        trail.moved_to(3);
        trail.moved_to(6);
        assert!(!trail.is_previous(3));
        assert!(!trail.is_previous(6));
    }

    proptest! {
        #[test]
        fn the_previous_entry_is_always_the_one_back_reaches(moves in proptest::collection::vec((0u8..3, 0u8..6), 0..40)) {
            // A model browser: a list of entries and a position.
            let (mut entries, mut at) = (vec![0u8], 0usize);
            let mut trail = Trail::new(0u8);
            for (kind, step) in moves {
                match kind {
                    0 => {
                        entries.truncate(at + 1);
                        entries.push(step);
                        at += 1;
                        trail.push(step);
                    }
                    1 if at > 0 => {
                        at -= 1;
                        trail.moved_to(entries[at]);
                    }
                    2 if at + 1 < entries.len() => {
                        at += 1;
                        trail.moved_to(entries[at]);
                    }
                    _ => {}
                }
                // Whatever it believes is just behind is what the browser would go back to.
                for s in 0u8..6 {
                    if trail.is_previous(s) {
                        prop_assert!(at > 0 && entries[at - 1] == s);
                    }
                }
            }
        }
    }

    #[test]
    fn gates_follow_roles() {
        assert_eq!(Access::Public.gate(None, "/learn"), Gate::Show);
        assert_eq!(
            REMINDERS_ACCESS.gate(None, "/reminders"),
            Gate::SignIn {
                return_to: "/reminders".into()
            }
        );
        assert_eq!(
            REMINDERS_ACCESS.gate(Some(Role::Patient), "/reminders"),
            Gate::Show
        );
        assert_eq!(
            STUDIO_ACCESS.gate(Some(Role::Patient), "/studio"),
            Gate::Forbidden
        );
        assert_eq!(
            STUDIO_ACCESS.gate(Some(Role::Caregiver), "/studio"),
            Gate::Forbidden
        );
        assert_eq!(
            STUDIO_ACCESS.gate(Some(Role::Editor), "/studio"),
            Gate::Show
        );
    }

    #[test]
    fn return_path_refuses_other_sites() {
        assert_eq!(safe_return_path(Some("/reminders?x=1")), "/reminders?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_path(Some("/account/sign-in?next=/x")), "/");
        assert_eq!(safe_return_path(None), "/");
    }

    #[test]
    fn sign_in_url_round_trips() {
        let url = sign_in_url("/studio?tab=a b");
        assert_eq!(url, "/account/sign-in?next=/studio%3Ftab%3Da%20b");
        let next = url.split_once("next=").unwrap().1;
        assert_eq!(decode_query_value(next).unwrap(), "/studio?tab=a b");
        assert_eq!(sign_in_url("https://evil.example"), "/account/sign-in");
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(s in ".{0,64}") {
            prop_assert_eq!(decode_query_value(&encode_query_value(&s)), Some(s));
        }

        #[test]
        fn safe_path_is_always_local(s in ".{0,64}") {
            let p = safe_return_path(Some(&s));
            prop_assert!(p.starts_with('/') && !p.starts_with("//"));
            let _ = decode_query_value(&s);
        }
    }

    #[test]
    fn each_path_has_one_bundle() {
        for (path, entry) in [
            ("/", Entry::Patient),
            ("/learn/inhalers", Entry::Patient),
            ("/ask", Entry::Patient),
            ("/account/sign-in", Entry::Patient),
            ("/reminders", Entry::Care),
            ("/reminders/", Entry::Care),
            ("/reminders/edit/abc", Entry::Care),
            ("/remindersx", Entry::Patient),
            ("/studio", Entry::Studio),
            ("/studio/edit/a/en", Entry::Studio),
            ("/studios", Entry::Patient),
        ] {
            assert_eq!(Entry::for_path(path), entry, "{path}");
        }
        let files: std::collections::HashSet<_> =
            Entry::ALL.iter().map(|e| e.html_file()).collect();
        assert_eq!(files.len(), Entry::ALL.len());
    }
}
