//! An in-memory stand-in for the domain's accounts, whose answers are chosen by the request:
//! each magic address, password, code or token below yields one outcome, so a test picks the
//! outcome it wants by what it sends. The real behaviour is tested in the domain and the binary.

use std::sync::Mutex;

use domain::StoreError;
use domain::identity::{
    AccountsApi, AuthError, Authenticated, BoxFuture, Client, CodeRefusal, LockReason, Login,
    OneTimeCode, PasswordPolicy, PasswordRefusal, RegisterError, Registration, SecurityApi,
    SignInError, SignedIn, Strength, UnixSeconds, UserRecord, UserStatus, VerifyError,
};

#[derive(Default)]
pub struct FakeAccounts {
    /// Every code `register` claims to have sent, which must never appear in an answer.
    sent_codes: Mutex<Vec<String>>,
}

impl FakeAccounts {
    pub fn sent_codes(&self) -> Vec<String> {
        self.sent_codes.lock().expect("not poisoned").clone()
    }
}

/// The account every successful sign-in and valid token belongs to.
pub const USER_ID: &str = "usr_fake0001";
pub const EMAIL: &str = "li.lei@example.com";
pub const PASSWORD: &str = "correct horse battery staple";
/// A session token `authenticate` accepts.
pub const TOKEN: &str = "tok_live";
/// A token whose lookup finds the database down.
pub const TOKEN_DATABASE_DOWN: &str = "tok_database_down";
/// The code `verify` accepts.
pub const CODE: &str = "493817";
/// 2027-01-15T08:00:00Z.
pub const LOCKED_UNTIL: UnixSeconds = 1_800_000_000;
/// 2026-11-23T11:09:10Z.
pub const CREATED_AT: UnixSeconds = 1_795_432_150;

/// Addresses whose requests fail a particular way.
pub const LOCKED: &str = "locked@example.com";
pub const FROZEN: &str = "frozen@example.com";
pub const PENDING: &str = "pending@example.com";
pub const NO_CODE: &str = "nocode@example.com";
pub const DATABASE_DOWN: &str = "down@example.com";
pub const HASHING_FAILS: &str = "hashing@example.com";

fn database_down() -> StoreError {
    StoreError::Unavailable("the fake database is down".to_owned())
}

fn user() -> UserRecord {
    UserRecord {
        id: USER_ID.to_owned(),
        email: Some(EMAIL.to_owned()),
        phone: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
        status: UserStatus::Active,
        locale: "zh-CN".to_owned(),
        created_at: CREATED_AT,
        verified_at: Some(CREATED_AT + 60),
    }
}

/// Sign-in security is exercised against the real accounts in the binary's tests; here a code
/// sent with a sign-in changes nothing.
impl SecurityApi for FakeAccounts {
    fn sign_in_with_code<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        _second_factor: Option<&'a str>,
        client: &'a Client,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<SignedIn, SignInError>> {
        AccountsApi::sign_in(self, login, password, client, now)
    }
}

impl AccountsApi for FakeAccounts {
    fn register<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        _locale: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Registration, RegisterError>> {
        Box::pin(async move {
            let login = Login::parse(login)?;
            let refusal = match password {
                "short" => Some(PasswordRefusal::TooShort { length_min: 8 }),
                "long" => Some(PasswordRefusal::TooLong { length_max: 128 }),
                "password1" => Some(PasswordRefusal::TooCommon),
                "li.lei@example.com!" => Some(PasswordRefusal::ContainsPersonalInfo),
                _ => None,
            };
            if let Some(refusal) = refusal {
                return Err(refusal.into());
            }
            match login.as_str() {
                DATABASE_DOWN => Err(database_down().into()),
                HASHING_FAILS => Err(RegisterError::Hashing),
                _ => Ok(Registration {
                    user_id: USER_ID.to_owned(),
                    login,
                    code: Some(self.send_code()),
                }),
            }
        })
    }

    fn verify<'a>(
        &'a self,
        login: &'a str,
        code: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), VerifyError>> {
        Box::pin(async move {
            let login = Login::parse(login)?;
            match (login.as_str(), code) {
                (NO_CODE, _) => Err(VerifyError::NoLiveCode),
                (DATABASE_DOWN, _) => Err(database_down().into()),
                (_, CODE) => Ok(()),
                (_, "expired") => Err(CodeRefusal::Expired.into()),
                (_, "exhausted") => Err(CodeRefusal::TooManyAttempts.into()),
                _ => Err(CodeRefusal::Wrong { attempts_left: 2 }.into()),
            }
        })
    }

    fn sign_in<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        _client: &'a Client,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<SignedIn, SignInError>> {
        Box::pin(async move {
            match login {
                LOCKED => Err(SignInError::Locked {
                    until: LOCKED_UNTIL,
                    reason: LockReason::TooManyFailures {
                        failures: 5,
                        window_s: 900,
                    },
                }),
                FROZEN => Err(SignInError::Frozen),
                PENDING => Err(SignInError::NotVerified),
                DATABASE_DOWN => Err(database_down().into()),
                EMAIL if password == PASSWORD => Ok(SignedIn {
                    token: TOKEN.to_owned(),
                    session_id: "ses_fake0001".to_owned(),
                    user_id: USER_ID.to_owned(),
                }),
                _ => Err(SignInError::InvalidCredentials),
            }
        })
    }

    fn authenticate<'a>(
        &'a self,
        token: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Authenticated, AuthError>> {
        Box::pin(async move {
            match token {
                TOKEN => Ok(Authenticated {
                    session_id: "ses_fake0001".to_owned(),
                    user_id: USER_ID.to_owned(),
                }),
                TOKEN_DATABASE_DOWN => Err(database_down().into()),
                _ => Err(AuthError::NotSignedIn),
            }
        })
    }

    fn sign_out<'a>(
        &'a self,
        _token: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }

    fn profile<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>> {
        Box::pin(async move { Ok((user_id == USER_ID).then(user)) })
    }

    fn resend_verification<'a>(
        &'a self,
        login: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), VerifyError>> {
        Box::pin(async move {
            match login {
                DATABASE_DOWN => Err(VerifyError::Store(database_down())),
                _ => Ok(()),
            }
        })
    }

    fn password_strength(
        &self,
        password: &str,
        personal: &[&str],
    ) -> (Strength, Result<(), PasswordRefusal>) {
        let personal: Vec<Login> = personal
            .iter()
            .filter_map(|login| Login::parse(login).ok())
            .collect();
        (
            domain::identity::strength(password, &personal),
            PasswordPolicy::default().check(password, &personal),
        )
    }
}

impl FakeAccounts {
    fn send_code(&self) -> OneTimeCode {
        let code = OneTimeCode::generate();
        let mut sent = self.sent_codes.lock().expect("not poisoned");
        sent.push(code.as_str().to_owned());
        code
    }
}
