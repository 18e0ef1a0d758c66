//! Transfers over real HTTP from many clients at once: the load of `okpay bench http` and of the
//! wallet's concurrency test. People are made directly in the store (one password hash shared by
//! all), sign in, add a card and top up over the API, then send each other random amounts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::IdentityStore;
use domain::identity::{PasswordHashing, UserRecord, UserStatus};
use domain::limits::KycTier;
use ledger::Currency;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::app::Running;

const LOAD_PASSWORD: &str = "load-test-password-2026";

/// Someone the load signs in as.
#[derive(Clone, Debug)]
pub struct LoadPerson {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// What one load run did.
#[derive(Clone, Debug, Default)]
pub struct LoadFigures {
    pub seconds: f64,
    pub completed: u64,
    /// Refused with a 4xx (insufficient funds, mostly): correct answers, not errors.
    pub refused: u64,
    /// 5xx answers or transport errors.
    pub failed: u64,
    /// Latency of every request, in microseconds, sorted.
    pub latencies_us: Vec<u64>,
}

impl LoadFigures {
    pub fn per_second(&self) -> f64 {
        self.completed as f64 / self.seconds.max(f64::EPSILON)
    }

    pub fn percentile_ms(&self, percentile: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((percentile / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        self.latencies_us[rank.min(self.latencies_us.len() - 1)] as f64 / 1_000.0
    }
}

fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .context("an HTTP client")
}

async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    anyhow::ensure!(status.is_success(), "{status}: {body}");
    Ok(body)
}

/// Makes `count` people with `balance` minor units of CNY each, at the enhanced tier (so limits
/// do not end the run), signed in.
pub async fn people(
    running: &Running,
    count: usize,
    balance: i64,
) -> anyhow::Result<Vec<LoadPerson>> {
    let base = running.url();
    let digest = PasswordHashing::default()
        .hash(LOAD_PASSWORD)
        .await
        .map_err(|_| anyhow::anyhow!("hashing the load password"))?;
    let now = running.wallet.now();
    let run = domain::ids::new_id("load");
    let client = client()?;
    let mut people = Vec::with_capacity(count);
    for index in 0..count {
        let id = domain::ids::new_id("usr");
        let email = format!("{run}-{index}@load.okpay.test");
        running
            .store
            .insert_user(&UserRecord {
                id: id.clone(),
                email: Some(email.clone()),
                phone: None,
                password_hash: digest.as_phc().to_owned(),
                status: UserStatus::Active,
                locale: "en".into(),
                created_at: now,
                verified_at: Some(now),
            })
            .await?;
        running.wallet.set_kyc_tier(&id, KycTier::Enhanced).await?;
        people.push((id, email));
    }
    // Sign-ins verify argon2id hashes two at a time on the server: four in flight keep it busy.
    let mut signed_in = Vec::with_capacity(count);
    for chunk in people.chunks(4) {
        let mut tasks = Vec::new();
        for (id, email) in chunk {
            let client = client.clone();
            let base = base.clone();
            let (id, email) = (id.clone(), email.clone());
            tasks.push(tokio::spawn(async move {
                let answer = post(
                    &client,
                    format!("{base}/api/v1/auth/login"),
                    None,
                    json!({"login": email, "password": LOAD_PASSWORD}),
                )
                .await?;
                let token = answer["token"].as_str().context("a token")?.to_owned();
                let card = post(
                    &client,
                    format!("{base}/api/v1/cards"),
                    Some(&token),
                    json!({"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2031, "cvc": "123", "holder_name": "LOAD TEST"}),
                )
                .await?;
                post(
                    &client,
                    format!("{base}/api/v1/topups"),
                    Some(&token),
                    json!({"card_id": card["id"], "amount": balance, "currency": Currency::Cny.code()}),
                )
                .await?;
                anyhow::Ok(LoadPerson { id, email, token })
            }));
        }
        for task in tasks {
            signed_in.push(task.await??);
        }
    }
    Ok(signed_in)
}

/// `clients` clients each send transfers of 0.01–10.00 CNY between random people, one after
/// another, for `duration`.
pub async fn transfers(
    base_url: &str,
    people: Arc<Vec<LoadPerson>>,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<LoadFigures> {
    anyhow::ensure!(people.len() >= 2, "transfers need two people");
    let client = client()?;
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for seed in 0..clients {
        let client = client.clone();
        let people = Arc::clone(&people);
        let url = format!("{base_url}/api/v1/transfers");
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed as u64);
            let mut figures = LoadFigures::default();
            let mut sent = 0_u64;
            while Instant::now() < deadline {
                let from = rng.random_range(0..people.len());
                let mut to = rng.random_range(0..people.len() - 1);
                if to >= from {
                    to += 1;
                }
                let amount: i64 = rng.random_range(1..=1_000);
                sent += 1;
                let began = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(&people[from].token)
                    .header("idempotency-key", format!("load-{seed}-{sent}"))
                    .json(&json!({"to": people[to].id, "amount": amount, "currency": "CNY"}))
                    .send()
                    .await;
                let status = match answer {
                    Ok(response) => {
                        let status = response.status();
                        let _ = response.bytes().await;
                        Some(status)
                    }
                    Err(_) => None,
                };
                figures
                    .latencies_us
                    .push(began.elapsed().as_micros() as u64);
                match status {
                    Some(status) if status.is_success() => figures.completed += 1,
                    Some(status) if status.is_client_error() => figures.refused += 1,
                    _ => figures.failed += 1,
                }
            }
            figures
        }));
    }
    let mut total = LoadFigures::default();
    for task in tasks {
        let figures = task.await?;
        total.completed += figures.completed;
        total.refused += figures.refused;
        total.failed += figures.failed;
        total.latencies_us.extend(figures.latencies_us);
    }
    total.seconds = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    Ok(total)
}
