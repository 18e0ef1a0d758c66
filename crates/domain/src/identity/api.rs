//! The accounts use cases behind one object-safe trait, so the web layer holds them without
//! knowing which store they run on.

use std::future::Future;
use std::pin::Pin;

use crate::identity::{
    Accounts, AuthError, Authenticated, Client, PasswordRefusal, RegisterError, Registration,
    SignInError, SignedIn, Strength, UnixSeconds, UserRecord, VerifyError,
};
use crate::identity::{
    AccountsStore, AddressChangeError, ChangePasswordError, FreezeSource, MoneyOutRefusal,
    NotMeError, NotMePreview, Notice, ResetError, SessionRecord, SignInAttempt, StartStepUpError,
    StepUpAction, StepUpError, StepUpStart, TotpError, TotpSetup,
};
use crate::notify::Channel;
use crate::staff::{
    StaffActionError, StaffAuthenticated, StaffCreateError, StaffCreated, StaffRecord,
    StaffRenameError, StaffRole, StaffSetupError, StaffSetupStart, StaffSignInError, StaffSignedIn,
    UserSecurityStatus,
};
use crate::store_port::StoreError;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the HTTP face may ask of accounts.
pub trait AccountsApi: Send + Sync + 'static {
    fn register<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        locale: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Registration, RegisterError>>;
    fn verify<'a>(
        &'a self,
        login: &'a str,
        code: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), VerifyError>>;
    fn sign_in<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        client: &'a Client,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<SignedIn, SignInError>>;
    fn authenticate<'a>(
        &'a self,
        token: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Authenticated, AuthError>>;
    fn sign_out<'a>(
        &'a self,
        token: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn profile<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>>;

    // --- webinfra (pages) ---
    fn resend_verification<'a>(
        &'a self,
        login: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), VerifyError>>;
    fn password_strength(
        &self,
        password: &str,
        personal: &[&str],
    ) -> (Strength, Result<(), PasswordRefusal>);
}

impl<S: AccountsStore> AccountsApi for Accounts<S> {
    fn register<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        locale: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Registration, RegisterError>> {
        Box::pin(Accounts::register(self, login, password, locale, now))
    }

    fn verify<'a>(
        &'a self,
        login: &'a str,
        code: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), VerifyError>> {
        Box::pin(Accounts::verify(self, login, code, now))
    }

    fn sign_in<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
        client: &'a Client,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<SignedIn, SignInError>> {
        Box::pin(Accounts::sign_in(self, login, password, client, now))
    }

    fn authenticate<'a>(
        &'a self,
        token: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Authenticated, AuthError>> {
        Box::pin(Accounts::authenticate(self, token, now))
    }

    fn sign_out<'a>(
        &'a self,
        token: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(Accounts::sign_out(self, token, now))
    }

    fn profile<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>> {
        Box::pin(Accounts::profile(self, user_id))
    }

    // --- webinfra (pages) ---
    fn resend_verification<'a>(
        &'a self,
        login: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), VerifyError>> {
        Box::pin(Accounts::resend_verification(self, login, now))
    }

    fn password_strength(
        &self,
        password: &str,
        personal: &[&str],
    ) -> (Strength, Result<(), PasswordRefusal>) {
        Accounts::password_strength(self, password, personal)
    }
}

/// Declares an object-safe trait whose every method boxes the future of the inherent method of
/// the same name on [`Accounts`], and implements it for `Accounts<S>`. Each method also gets a
/// default body answering "unavailable", so a test double implements only what it exercises.
macro_rules! object_safe_api {
    (
        $(#[$trait_meta:meta])*
        pub trait $name:ident {
            $(
                $(#[$meta:meta])*
                fn $method:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> Result<$ok:ty, $err:ty>;
            )*
        }
    ) => {
        $(#[$trait_meta])*
        pub trait $name: Send + Sync + 'static {
            $(
                $(#[$meta])*
                fn $method<'a>(&'a self $(, $arg: $ty)*) -> BoxFuture<'a, Result<$ok, $err>> {
                    let _ = ($($arg,)*);
                    Box::pin(async {
                        Err(StoreError::Unavailable(
                            concat!(stringify!($method), " is not provided").to_owned(),
                        )
                        .into())
                    })
                }
            )*
        }

        impl<S: AccountsStore> $name for Accounts<S> {
            $(
                fn $method<'a>(&'a self $(, $arg: $ty)*) -> BoxFuture<'a, Result<$ok, $err>> {
                    Box::pin(Accounts::$method(self $(, $arg)*))
                }
            )*
        }
    };
}

object_safe_api! {
    /// Sign-in security for the HTTP face: second factors, password reset and change, step-up,
    /// sessions, login history, freezes, the message center and staff.
    pub trait SecurityApi {
        fn sign_in_with_code(&self, login: &'a str, password: &'a str, second_factor: Option<&'a str>, client: &'a Client, now: UnixSeconds) -> Result<SignedIn, SignInError>;
        fn request_password_reset(&self, login: &'a str, now: UnixSeconds) -> Result<(), ResetError>;
        fn request_stolen_code(&self, login: &'a str, now: UnixSeconds) -> Result<(), ResetError>;
        fn confirm_stolen(&self, login: &'a str, code: &'a str, now: UnixSeconds) -> Result<String, ResetError>;
        fn confirm_password_reset(&self, login: &'a str, code: &'a str, new_password: &'a str, second_factor: Option<&'a str>, now: UnixSeconds) -> Result<(), ResetError>;
        fn request_address_change(&self, user_id: &'a str, new_address: &'a str, step_up_token: Option<&'a str>, now: UnixSeconds) -> Result<Channel, AddressChangeError>;
        fn confirm_address_change(&self, user_id: &'a str, new_address: &'a str, code: &'a str, now: UnixSeconds) -> Result<(), AddressChangeError>;
        fn change_password(&self, user_id: &'a str, session_id: &'a str, new_password: &'a str, step_up_token: Option<&'a str>, now: UnixSeconds) -> Result<(), ChangePasswordError>;
        fn totp_enabled(&self, owner: &'a str) -> Result<bool, StoreError>;
        fn totp_setup(&self, owner: &'a str, account_label: &'a str, now: UnixSeconds) -> Result<TotpSetup, TotpError>;
        fn totp_enable(&self, user_id: &'a str, session_id: &'a str, code: &'a str, now: UnixSeconds) -> Result<Vec<String>, TotpError>;
        fn totp_disable(&self, user_id: &'a str, session_id: &'a str, step_up_token: Option<&'a str>, now: UnixSeconds) -> Result<(), TotpError>;
        fn recovery_codes_left(&self, owner: &'a str) -> Result<i64, StoreError>;
        fn start_step_up(&self, user_id: &'a str, action: StepUpAction, code: Option<&'a str>, now: UnixSeconds) -> Result<StepUpStart, StartStepUpError>;
        fn require_step_up(&self, user_id: &'a str, action: StepUpAction, token: Option<&'a str>, now: UnixSeconds) -> Result<(), StepUpError>;
        fn sessions(&self, user_id: &'a str, now: UnixSeconds) -> Result<Vec<SessionRecord>, StoreError>;
        fn revoke_session(&self, user_id: &'a str, session_id: &'a str, now: UnixSeconds) -> Result<bool, StoreError>;
        fn login_history(&self, user_id: &'a str, limit: i64) -> Result<Vec<SignInAttempt>, StoreError>;
        fn not_me_preview(&self, token: &'a str, now: UnixSeconds) -> Result<NotMePreview, NotMeError>;
        fn not_me_confirm(&self, token: &'a str, now: UnixSeconds) -> Result<(), NotMeError>;
        fn freeze(&self, user_id: &'a str, source: FreezeSource, now: UnixSeconds) -> Result<(), StoreError>;
        fn ensure_may_move_money_out(&self, user_id: &'a str) -> Result<(), MoneyOutRefusal>;
        fn notices(&self, user_id: &'a str, limit: i64, starting_after: Option<&'a str>) -> Result<Vec<Notice>, StoreError>;
        fn unread_notices(&self, user_id: &'a str) -> Result<i64, StoreError>;
        fn mark_notices_read(&self, user_id: &'a str, notice_id: Option<&'a str>, now: UnixSeconds) -> Result<u64, StoreError>;
        fn create_staff(&self, email: &'a str, name: Option<&'a str>, role: StaffRole, locale: &'a str, now: UnixSeconds) -> Result<StaffCreated, StaffCreateError>;
        fn staff_setup_start(&self, token: &'a str, now: UnixSeconds) -> Result<StaffSetupStart, StaffSetupError>;
        fn staff_setup_finish(&self, token: &'a str, password: &'a str, totp_code: &'a str, now: UnixSeconds) -> Result<Vec<String>, StaffSetupError>;
        fn staff_sign_in(&self, email: &'a str, password: &'a str, totp_code: Option<&'a str>, client: &'a Client, now: UnixSeconds) -> Result<StaffSignedIn, StaffSignInError>;
        fn authenticate_staff(&self, token: &'a str, now: UnixSeconds) -> Result<Option<StaffAuthenticated>, StoreError>;
        fn staff_sign_out(&self, session_id: &'a str, now: UnixSeconds) -> Result<(), StoreError>;
        fn find_user(&self, query: &'a str) -> Result<Option<UserRecord>, StoreError>;
        fn staff_members(&self) -> Result<Vec<StaffRecord>, StoreError>;
        fn rename_staff(&self, admin_id: &'a str, staff_id: &'a str, name: &'a str) -> Result<StaffRecord, StaffRenameError>;
        fn user_security_status(&self, staff_id: &'a str, user_id: &'a str, now: UnixSeconds) -> Result<UserSecurityStatus, StaffActionError>;
        fn staff_unlock(&self, staff_id: &'a str, user_id: &'a str, reason: &'a str, now: UnixSeconds) -> Result<(), StaffActionError>;
        fn staff_unfreeze(&self, staff_id: &'a str, user_id: &'a str, reason: &'a str, now: UnixSeconds) -> Result<(), StaffActionError>;
        fn outbox(&self, limit: i64) -> Result<Vec<crate::notify::OutboxEntry>, StoreError>;
        fn record_staff_action(&self, staff_id: &'a str, action: &'static str, subject: &'a str, detail: &'a str) -> Result<(), StoreError>;
    }
}
