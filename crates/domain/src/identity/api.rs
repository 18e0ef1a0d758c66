//! The accounts use cases behind one object-safe trait, so the web layer holds them without
//! knowing which store they run on.

use std::future::Future;
use std::pin::Pin;

use crate::identity::{
    Accounts, AuthError, Authenticated, Client, RegisterError, Registration, SignInError, SignedIn,
    UnixSeconds, UserRecord, VerifyError,
};
use crate::notify::OutboxStore;
use crate::store_port::{IdentityStore, StoreError};

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
}

impl<S: IdentityStore + OutboxStore> AccountsApi for Accounts<S> {
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
}
