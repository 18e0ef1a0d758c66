//! Demo community questions with answers, votes and one accepted answer, asked by the demo people in Chinese and English, so a fresh demo's `/community` has something to read.

use std::sync::Arc;

use anyhow::Context;
use domain::community::{Community, PostDraft};
use domain::identity::UnixSeconds;
use store::Store;

/// An answer: who writes it, hours after the question, and its text.
struct DemoAnswer {
    author: &'static str,
    after_h: i64,
    body: &'static str,
    /// The asker marks this one as the answer that solved it.
    accepted: bool,
    /// Demo people who up-vote it.
    up_votes: &'static [&'static str],
}

/// A question: who asks it, how many days ago, and what follows.
struct DemoQuestion {
    author: &'static str,
    days_ago: i64,
    title: &'static str,
    body: &'static str,
    up_votes: &'static [&'static str],
    answers: &'static [DemoAnswer],
}

const DEMO_QUESTIONS: &[DemoQuestion] = &[
    DemoQuestion {
        author: "usr_demo_alice",
        days_ago: 6,
        title: "提现一般多久到账？周末会处理吗？",
        body: "我周五晚上提交了一笔提现到招商银行卡，现在显示“审核中”。一般要多久才能到账？周末提交的会不会等到下周一？",
        up_votes: &["usr_demo_bob", "usr_demo_chen"],
        answers: &[
            DemoAnswer {
                author: "usr_demo_chen",
                after_h: 2,
                body: "我上个月提现过一次：较大金额会先经过财务审核，审核通过后当天就到账了。周末提交的一般在下一个工作日审核。在“交易记录”里点开这笔提现，可以看到每一步状态的时间。",
                accepted: true,
                up_votes: &["usr_demo_alice", "usr_demo_dana"],
            },
            DemoAnswer {
                author: "usr_demo_dana",
                after_h: 20,
                body: "Mine took about a day. The record's timeline shows when it leaves review and when the bank pays it out, so you don't have to guess.",
                accepted: false,
                up_votes: &[],
            },
        ],
    },
    DemoQuestion {
        author: "usr_demo_bob",
        days_ago: 4,
        title: "Can I send money to a friend who has no OKPay account yet?",
        body: "I'd like to pay a friend back for dinner, but she hasn't signed up. Can I send to her e-mail address and have the money wait for her?",
        up_votes: &["usr_demo_dana"],
        answers: &[DemoAnswer {
            author: "usr_demo_dana",
            after_h: 3,
            body: "As far as I know a transfer only goes to an existing account (by e-mail, mobile number or user id). Ask her to register first — it takes a minute with a 6-digit code — and then send it.",
            accepted: false,
            up_votes: &["usr_demo_bob"],
        }],
    },
    DemoQuestion {
        author: "usr_demo_chen",
        days_ago: 3,
        title: "换汇前在哪里能看到汇率和手续费？",
        body: "下个月去日本出差，想把一部分人民币换成日元。确认之前能不能先看到汇率、手续费和实际到账的金额？",
        up_votes: &["usr_demo_alice"],
        answers: &[DemoAnswer {
            author: "usr_demo_alice",
            after_h: 1,
            body: "在“钱包 → 换汇”里填好金额和币种，下一步的确认页会列出汇率、手续费（有优惠也会列出来）和到账金额。报价在有效期内确认，就按页面上的价格成交。",
            accepted: false,
            up_votes: &["usr_demo_chen"],
        }],
    },
    DemoQuestion {
        author: "usr_demo_dana",
        days_ago: 2,
        title: "Why was my card top-up declined?",
        body: "I tried to top up USD from my second card and it was declined at once, while my first card works fine. What does a decline usually mean, and where can I see the reason?",
        up_votes: &[],
        answers: &[DemoAnswer {
            author: "usr_demo_bob",
            after_h: 5,
            body: "Open the failed top-up in Records: it shows the reason code and what to do next. In the demo the card ending 0002 is a test card that is always declined; the one ending 4242 works.",
            accepted: false,
            up_votes: &["usr_demo_dana"],
        }],
    },
    DemoQuestion {
        author: "usr_demo_alice",
        days_ago: 1,
        title: "怎么开启两步验证？需要下载什么 App 吗？",
        body: "听说开启两步验证以后账户更安全，应该在哪里设置？需要专门下载验证器 App 吗？",
        up_votes: &[],
        answers: &[],
    },
];

/// Asks, answers, votes and accepts the demo questions through the community's use cases, the
/// way the pages do. Skipped when any demo person has already asked something, so loading twice
/// changes nothing.
pub async fn load_community(store: &Store, now: UnixSeconds) -> anyhow::Result<()> {
    let community = Community::new(Arc::new(store.clone()));
    let listed = community
        .questions(None, 100)
        .await
        .context("listing community questions")?;
    if listed
        .questions
        .iter()
        .any(|post| post.item.author.starts_with("usr_demo_"))
    {
        return Ok(());
    }
    for demo in DEMO_QUESTIONS {
        let asked_at = now - demo.days_ago * 86_400;
        let question = community
            .ask(
                demo.author,
                PostDraft {
                    title: demo.title.to_owned(),
                    body: demo.body.to_owned(),
                },
                asked_at,
            )
            .await
            .with_context(|| format!("asking {:?}", demo.title))?;
        for voter in demo.up_votes {
            community
                .vote(&question.id, voter, 1, asked_at + 600)
                .await?;
        }
        for demo_answer in demo.answers {
            let answered_at = asked_at + demo_answer.after_h * 3_600;
            let answer = community
                .answer(
                    &question.id,
                    demo_answer.author,
                    demo_answer.body,
                    answered_at,
                )
                .await
                .with_context(|| format!("answering {:?}", demo.title))?;
            for voter in demo_answer.up_votes {
                community
                    .vote(&answer.id, voter, 1, answered_at + 600)
                    .await?;
            }
            if demo_answer.accepted {
                community
                    .accept(&question.id, Some(&answer.id), demo.author)
                    .await?;
            }
        }
    }
    Ok(())
}
