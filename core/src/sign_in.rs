//! Checking the sign-in form before it is sent, with a specific message for each field.

/// What is wrong with one field of the sign-in form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInProblem {
    EmailMissing,
    EmailInvalid,
    PasswordMissing,
}

/// Wrong passwords allowed for one email within [`PAUSE_MINUTES`]; the next try must wait.
pub const MAX_WRONG_PASSWORDS: u32 = 5;
/// How long the oldest of those wrong passwords counts: signing in pauses for up to this long.
pub const PAUSE_MINUTES: u32 = 15;

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest password accepted, so a huge paste cannot make hashing slow.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A light check of an email address's shape: something@domain.tld, no spaces.
/// The backend stays the judge of whether the account exists.
pub fn email_is_plausible(email: &str) -> bool {
    let email = email.trim();
    if email.is_empty() || email.len() > MAX_EMAIL_LEN || email.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Problems with the email field, then the password field (empty when both are fine).
pub fn check_sign_in(
    email: &str,
    password: &str,
) -> (Option<SignInProblem>, Option<SignInProblem>) {
    let email_problem = if email.trim().is_empty() {
        Some(SignInProblem::EmailMissing)
    } else if !email_is_plausible(email) {
        Some(SignInProblem::EmailInvalid)
    } else {
        None
    };
    let password_problem = password
        .is_empty()
        .then_some(SignInProblem::PasswordMissing);
    (email_problem, password_problem)
}

/// Emails are compared case-insensitively and without surrounding spaces.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plausible_emails() {
        assert!(email_is_plausible("pat@example.com"));
        assert!(email_is_plausible("  Pat.Smith+x@mail.example.co.uk "));
        for bad in [
            "",
            "pat",
            "pat@",
            "@example.com",
            "pat@example",
            "pat@.com",
            "pat@example.",
            "p at@example.com",
            "a@b@c.com",
            "pat@ex..com",
        ] {
            assert!(!email_is_plausible(bad), "{bad:?}");
        }
    }

    #[test]
    fn each_field_gets_its_own_problem() {
        assert_eq!(
            check_sign_in("", ""),
            (
                Some(SignInProblem::EmailMissing),
                Some(SignInProblem::PasswordMissing)
            )
        );
        assert_eq!(
            check_sign_in("nope", "x"),
            (Some(SignInProblem::EmailInvalid), None)
        );
        assert_eq!(check_sign_in("a@b.co", "x"), (None, None));
    }

    #[test]
    fn normalising_ignores_case_and_spaces() {
        assert_eq!(normalise_email("  Pat@Example.COM "), "pat@example.com");
    }

    proptest! {
        #[test]
        fn checks_never_panic(e in ".{0,300}", p in ".{0,10}") {
            let _ = check_sign_in(&e, &p);
        }
    }
}
