//! Retrieval quality on the fixtures: the questions of `bench/ask-eval.json` asked of the
//! standard fixture and of a small shop written here, answered by `repowiki ask --json`; a
//! question counts when one of its files is among the first five results' files. The real
//! repositories' questions are asked by `bench/ask.py`.

mod support;

use std::path::Path;

use support::*;

const CART: &str = r#""""The shopping cart: lines, quantities and the total with tax."""

TAX_RATE = 0.2


class Cart:
    """Products chosen by a customer, with their quantities."""

    def __init__(self):
        self.lines = {}

    def add(self, product, quantity=1):
        """Puts a product in the cart, or more of it."""
        self.lines[product] = self.lines.get(product, 0) + quantity

    def total(self):
        """The price of every line, with tax added."""
        subtotal = sum(p.price * q for p, q in self.lines.items())
        return round(subtotal * (1 + TAX_RATE), 2)
"#;

const DISCOUNTS: &str = r#""""Discount codes: which are valid, and what they take off."""

CODES = {"WELCOME10": 0.10, "VIP25": 0.25}


def validate_code(code):
    """Checks a discount code against the known codes; unknown or expired codes are refused."""
    if code not in CODES:
        raise ValueError("unknown discount code")
    return CODES[code]
"#;

const PAYMENTS: &str = r#""""Payments: charging a card and refunding it."""
import math


def charge(card, amount):
    """Charges the card through the payment gateway."""
    return {"card": card[-4:], "amount": amount}


def refund(charge, amount):
    """Refunds part of a charge, rounded down to the cent."""
    return math.floor(amount * 100) / 100
"#;

const MAIL: &str = r#""""Mail sent to customers."""


def send_confirmation(order, address):
    """Sends the order confirmation email with the order's lines."""
    body = "Thank you for order %s" % order.number
    return (address, body)
"#;

const INVENTORY: &str = r#""""Stock levels in the warehouse."""

STOCK = {}


def reserve(product, quantity):
    """Holds stock for an order being placed, so that nobody else sells it."""
    if STOCK.get(product, 0) < quantity:
        raise RuntimeError("not enough stock")
    STOCK[product] -= quantity
"#;

const CLI: &str = r#""""The shop's command line."""
import csv
import sys


def import_products(path):
    """Reads products from a CSV file into the catalogue."""
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    """Entry point: `shop import FILE`."""
    return import_products(sys.argv[2])
"#;

fn shop() -> Fixture {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            (
                "README.md",
                Some(b"# shop\n\nA small web shop.\n".as_slice()),
            ),
            (
                "shop/__init__.py",
                Some(b"\"\"\"The shop.\"\"\"\n".as_slice()),
            ),
            ("shop/cart.py", Some(CART.as_bytes())),
            ("shop/discounts.py", Some(DISCOUNTS.as_bytes())),
            (
                "shop/payments.py",
                Some(
                    PAYMENTS
                        .replace("math.floor(amount * 100) / 100", "amount")
                        .as_bytes(),
                ),
            ),
            ("shop/mail.py", Some(MAIL.as_bytes())),
            ("shop/inventory.py", Some(INVENTORY.as_bytes())),
            ("shop/cli.py", Some(CLI.as_bytes())),
        ],
        "Start the shop",
        "Dana Reyes",
        T0,
    );
    f.commit(
        "refunds",
        &[("shop/payments.py", Some(PAYMENTS.as_bytes()))],
        "Round refunds down to the cent\n\nThe gateway refuses a refund of more than was charged; rounding half up made refunds of a third of a charge one cent too large.",
        "Eli Park",
        T0 + 86_400,
    );
    f
}

#[test]
fn recall_at_5_on_the_fixtures_is_at_least_0_9() {
    let eval: serde_json::Value = serde_json::from_str(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/ask-eval.json"),
    ))
    .unwrap();
    let fixtures = [
        ("fixture:standard", Fixture::standard()),
        ("fixture:shop", shop()),
    ];
    let (mut asked, mut found) = (0, 0);
    let mut misses = Vec::new();
    for (name, f) in &fixtures {
        let root = f.root();
        let out = run(&["build", root.to_str().unwrap(), "--quiet"]);
        assert!(out.status.success(), "{}", stderr(&out));
        for q in eval["questions"].as_array().unwrap() {
            if q["repo"] != *name {
                continue;
            }
            let question = q["q"].as_str().unwrap();
            let out = run(&["ask", question, root.to_str().unwrap(), "--json"]);
            assert!(out.status.success(), "{}", stderr(&out));
            let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let got: Vec<&str> = answer["results"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r["files"].as_array().unwrap().iter())
                .map(|p| p.as_str().unwrap())
                .collect();
            let want: Vec<&str> = q["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            asked += 1;
            if want.iter().any(|w| got.contains(w)) {
                found += 1;
            } else {
                misses.push(format!("{name}: {question}: want {want:?}, got {got:?}"));
            }
            for r in answer["results"].as_array().unwrap() {
                assert_eq!(r["verified"], true, "{question}: {r}");
            }
        }
    }
    let recall = found as f64 / asked as f64;
    println!("recall@5 on the fixtures: {found}/{asked} = {recall:.2}");
    for m in &misses {
        println!("missed: {m}");
    }
    assert!(asked >= 17, "{asked}");
    assert!(recall >= 0.9, "recall@5 {recall:.2}: {misses:#?}");
}
