//! The throughput chart of the console, drawn on the server as inline SVG: no script, no
//! external asset, and a text table beside it for screen readers and for exact figures.

use std::fmt::Write;

use migrationai_api_types::admin::Throughput;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 28.0;
/// Distinguishable line colours (Okabe–Ito and neighbours), one per queue in kind order.
const COLOURS: [&str; 12] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
    "#882255", "#117733", "#999933", "#44AA99",
];

fn hhmm(unix: i64) -> String {
    let day = unix.rem_euclid(86_400);
    format!("{:02}:{:02}", day / 3600, (day % 3600) / 60)
}

/// Rounds up to 1, 2 or 5 times a power of ten so the axis reads easily.
fn nice_max(v: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if v <= step * m {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn x(i: usize, n: usize) -> f64 {
    LEFT + (WIDTH - LEFT - RIGHT) * (i as f64 + 0.5) / n.max(1) as f64
}

fn y(v: i64, max: i64) -> f64 {
    HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * v as f64 / max.max(1) as f64
}

/// Axes, horizontal grid and minute labels shared by both charts.
fn frame(out: &mut String, t: &Throughput, max: i64, unit: &str) {
    let n = t.minute_starts.len();
    for k in 0..=4 {
        let v = max * k / 4;
        let yy = y(v, max);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11">{v}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    for (i, start) in t.minute_starts.iter().enumerate() {
        if i % 10 == 0 || i + 1 == n {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" font-size="11">{}</text>"#,
                x(i, n),
                HEIGHT - 8.0,
                hhmm(*start)
            );
        }
    }
    let _ = write!(
        out,
        r#"<text x="4" y="2" font-size="11" dominant-baseline="hanging">{unit}</text>"#
    );
}

/// Source rows loaded or rejected per minute, as bars.
pub fn rows_svg(t: &Throughput) -> String {
    let n = t.minute_starts.len();
    let max = nice_max(t.rows.iter().copied().max().unwrap_or(0).max(1));
    let first = t.minute_starts.first().copied().unwrap_or(0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="rows-title rows-desc" xmlns="http://www.w3.org/2000/svg"><title id="rows-title">Rows processed per minute</title><desc id="rows-desc">Source rows loaded or rejected per minute from {} to {} UTC: {} in all, at most {} in one minute.</desc>"#,
        hhmm(first),
        hhmm(first + 60 * n as i64),
        t.total_rows(),
        t.rows.iter().max().unwrap_or(&0)
    );
    frame(&mut out, t, max, "rows/min");
    let w = (WIDTH - LEFT - RIGHT) / n.max(1) as f64 * 0.8;
    for (i, v) in t.rows.iter().enumerate().filter(|(_, v)| **v > 0) {
        let top = y(*v, max);
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{top:.1}" width="{w:.1}" height="{:.1}" fill="#0072B2"><title>{}: {v} rows</title></rect>"##,
            x(i, n) - w / 2.0,
            HEIGHT - BOTTOM - top,
            hhmm(t.minute_starts[i])
        );
    }
    out.push_str("</svg>");
    out
}

/// Batches (messages) processed per minute, one line per queue that had any.
pub fn messages_svg(t: &Throughput) -> String {
    let n = t.minute_starts.len();
    let peak = t
        .queues
        .iter()
        .flat_map(|q| q.messages.iter().copied())
        .max()
        .unwrap_or(0);
    let max = nice_max(peak.max(1));
    let active: Vec<_> = t
        .queues
        .iter()
        .enumerate()
        .filter(|(_, q)| q.messages.iter().any(|m| *m > 0))
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="msg-title msg-desc" xmlns="http://www.w3.org/2000/svg"><title id="msg-title">Messages processed per minute per queue</title><desc id="msg-desc">{} messages in the last hour{}.</desc>"#,
        t.total_messages(),
        if active.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                active
                    .iter()
                    .map(|(_, q)| format!("{} {}", q.kind, q.messages.iter().sum::<i64>()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    frame(&mut out, t, max, "msgs/min");
    for (k, q) in &active {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<String> = q
            .messages
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i, n), y(*v, max)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"><title>{}</title></polyline>"#,
            points.join(" "),
            q.kind
        );
    }
    out.push_str("</svg>");
    out
}

/// The legend of the messages chart: (kind, colour) of the queues drawn.
pub fn legend(t: &Throughput) -> Vec<(String, &'static str)> {
    t.queues
        .iter()
        .enumerate()
        .filter(|(_, q)| q.messages.iter().any(|m| *m > 0))
        .map(|(k, q)| (q.kind.clone(), COLOURS[k % COLOURS.len()]))
        .collect()
}

/// The minutes with any activity, as table rows: (time, rows, messages per drawn queue).
pub fn table(t: &Throughput) -> Vec<(String, i64, Vec<i64>)> {
    let drawn: Vec<_> = t
        .queues
        .iter()
        .filter(|q| q.messages.iter().any(|m| *m > 0))
        .collect();
    t.minute_starts
        .iter()
        .enumerate()
        .filter(|(i, _)| t.rows[*i] > 0 || drawn.iter().any(|q| q.messages[*i] > 0))
        .map(|(i, start)| {
            (
                hhmm(*start),
                t.rows[i],
                drawn.iter().map(|q| q.messages[i]).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(140), 200);
    }
}
