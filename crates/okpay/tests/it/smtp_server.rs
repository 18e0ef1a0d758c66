//! A tiny SMTP server on loopback for tests: speaks enough SMTP for one client to hand over
//! messages, and can refuse the first connections to prove that delivery retries.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message as received: the envelope and the raw DATA.
#[derive(Clone, Debug)]
pub struct Received {
    pub recipients: Vec<String>,
    pub data: String,
}

pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    /// Listens on a free port; the first `refusals` connections are greeted with `421` and closed.
    pub async fn start(refusals: usize) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            let mut refusals_left = refusals;
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let refuse = refusals_left > 0;
                refusals_left = refusals_left.saturating_sub(1);
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, refuse, store).await;
                });
            }
        });
        SmtpServer {
            port,
            received,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("not poisoned").clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    refuse: bool,
    store: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    if refuse {
        writer
            .write_all(b"421 4.3.2 test server busy, try again later\r\n")
            .await?;
        return writer.shutdown().await;
    }
    writer.write_all(b"220 okpay-test ESMTP ready\r\n").await?;
    let mut lines = BufReader::new(reader).lines();
    let mut recipients = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let verb = line.get(..4).unwrap_or(&line).to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-okpay-test\r\n250 8BITMIME\r\n",
            "HELO" => b"250 okpay-test\r\n",
            "MAIL" => {
                recipients.clear();
                b"250 2.1.0 OK\r\n"
            }
            "RCPT" => {
                let address = line.split(['<', '>']).nth(1).unwrap_or_default().to_owned();
                recipients.push(address);
                b"250 2.1.5 OK\r\n"
            }
            "DATA" => {
                writer.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    data.push('\n');
                }
                store.lock().expect("not poisoned").push(Received {
                    recipients: recipients.clone(),
                    data,
                });
                b"250 2.0.0 queued\r\n"
            }
            "QUIT" => {
                writer.write_all(b"221 2.0.0 bye\r\n").await?;
                return writer.shutdown().await;
            }
            _ => b"250 OK\r\n",
        };
        writer.write_all(reply).await?;
    }
    Ok(())
}
