//! Reads the theme's stroke icons (Tabler SVGs: `<path d="...">` on a 24 x 24 grid) into
//! vector drawing commands, so icons stay sharp in PDFs.
//!
//! Understands only what the icon set uses (paths; moves, lines, curves, arcs); anything else
//! is skipped, never an error. No drawing here: the writer strokes the commands.

use super::layout::PathCmd;

/// The outline commands of every visible `<path>` of an SVG icon.
pub fn svg_paths(svg: &str) -> Vec<PathCmd> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<path") {
        let tail = &rest[start..];
        let end = tail.find('>').unwrap_or(tail.len());
        let element = &tail[..end];
        rest = &tail[end..];
        // Tabler starts each icon with an invisible 24 x 24 box.
        if element.contains("stroke=\"none\"") {
            continue;
        }
        if let Some(d) = attribute(element, "d") {
            parse_path(d, &mut out);
        }
    }
    out
}

fn attribute<'s>(element: &'s str, name: &str) -> Option<&'s str> {
    let key = format!(" {name}=\"");
    let at = element.find(&key)? + key.len();
    let len = element[at..].find('"')?;
    Some(&element[at..at + len])
}

fn numbers(text: &str) -> Vec<f32> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<f32>| {
        if let Ok(n) = current.parse::<f32>() {
            out.push(n);
        }
        current.clear();
    };
    for ch in text.chars() {
        match ch {
            '-' if !current.ends_with('e') => {
                flush(&mut current, &mut out);
                current.push(ch);
            }
            '.' if current.contains('.') => {
                flush(&mut current, &mut out);
                current.push(ch);
            }
            '0'..='9' | '.' | 'e' | '-' => current.push(ch),
            _ => flush(&mut current, &mut out),
        }
    }
    flush(&mut current, &mut out);
    out
}

fn parse_path(d: &str, out: &mut Vec<PathCmd>) {
    let mut segments: Vec<(char, Vec<f32>)> = Vec::new();
    let mut start = None;
    for (i, ch) in d.char_indices() {
        if ch.is_ascii_alphabetic() && ch != 'e' {
            if let Some((cmd, from)) = start {
                segments.push((cmd, numbers(&d[from..i])));
            }
            start = Some((ch, i + 1));
        }
    }
    if let Some((cmd, from)) = start {
        segments.push((cmd, numbers(&d[from..])));
    }
    let (mut x, mut y) = (0.0f32, 0.0f32);
    let (mut sx, mut sy) = (0.0f32, 0.0f32);
    let mut last_ctrl: Option<(f32, f32)> = None;
    for (cmd, args) in segments {
        let rel = cmd.is_ascii_lowercase();
        let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
        match cmd.to_ascii_uppercase() {
            'M' => {
                for (n, pair) in args.chunks_exact(2).enumerate() {
                    let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
                    x = ox + pair[0];
                    y = oy + pair[1];
                    if n == 0 {
                        out.push(PathCmd::Move(x, y));
                        sx = x;
                        sy = y;
                    } else {
                        out.push(PathCmd::Line(x, y));
                    }
                }
                last_ctrl = None;
            }
            'L' => {
                for pair in args.chunks_exact(2) {
                    let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
                    x = ox + pair[0];
                    y = oy + pair[1];
                    out.push(PathCmd::Line(x, y));
                }
                last_ctrl = None;
            }
            'H' => {
                for v in &args {
                    x = if rel { x + v } else { *v };
                    out.push(PathCmd::Line(x, y));
                }
                last_ctrl = None;
            }
            'V' => {
                for v in &args {
                    y = if rel { y + v } else { *v };
                    out.push(PathCmd::Line(x, y));
                }
                last_ctrl = None;
            }
            'C' => {
                for c in args.chunks_exact(6) {
                    let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
                    out.push(PathCmd::Cubic(ox + c[0], oy + c[1], ox + c[2], oy + c[3], ox + c[4], oy + c[5]));
                    last_ctrl = Some((ox + c[2], oy + c[3]));
                    x = ox + c[4];
                    y = oy + c[5];
                }
            }
            'S' => {
                for c in args.chunks_exact(4) {
                    let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
                    let (c1x, c1y) = last_ctrl.map_or((x, y), |(lx, ly)| (2.0 * x - lx, 2.0 * y - ly));
                    out.push(PathCmd::Cubic(c1x, c1y, ox + c[0], oy + c[1], ox + c[2], oy + c[3]));
                    last_ctrl = Some((ox + c[0], oy + c[1]));
                    x = ox + c[2];
                    y = oy + c[3];
                }
            }
            'Q' => {
                for c in args.chunks_exact(4) {
                    let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
                    let (qx, qy, ex, ey) = (ox + c[0], oy + c[1], ox + c[2], oy + c[3]);
                    out.push(quad(x, y, qx, qy, ex, ey));
                    last_ctrl = None;
                    x = ex;
                    y = ey;
                }
            }
            'A' => {
                for a in args.chunks_exact(7) {
                    let (ox, oy) = if rel { (x, y) } else { (0.0, 0.0) };
                    let (ex, ey) = (ox + a[5], oy + a[6]);
                    arc(out, (x, y), (a[0], a[1]), a[2], a[3] != 0.0, a[4] != 0.0, (ex, ey));
                    x = ex;
                    y = ey;
                }
                last_ctrl = None;
            }
            'Z' => {
                out.push(PathCmd::Close);
                x = sx;
                y = sy;
                last_ctrl = None;
            }
            _ => {}
        }
        let _ = (ox, oy);
    }
}

fn quad(x0: f32, y0: f32, qx: f32, qy: f32, x: f32, y: f32) -> PathCmd {
    PathCmd::Cubic(
        x0 + 2.0 / 3.0 * (qx - x0),
        y0 + 2.0 / 3.0 * (qy - y0),
        x + 2.0 / 3.0 * (qx - x),
        y + 2.0 / 3.0 * (qy - y),
        x,
        y,
    )
}

/// An SVG elliptical arc as cubic curves (endpoint to centre form, SVG 1.1 appendix F.6).
fn arc(
    out: &mut Vec<PathCmd>,
    from: (f32, f32),
    radii: (f32, f32),
    rotation_deg: f32,
    large: bool,
    sweep: bool,
    to: (f32, f32),
) {
    let (mut rx, mut ry) = (radii.0.abs(), radii.1.abs());
    if rx < 1e-6 || ry < 1e-6 || (from.0 - to.0).abs() + (from.1 - to.1).abs() < 1e-6 {
        out.push(PathCmd::Line(to.0, to.1));
        return;
    }
    let phi = rotation_deg.to_radians();
    let (sin, cos) = phi.sin_cos();
    let dx = (from.0 - to.0) / 2.0;
    let dy = (from.1 - to.1) / 2.0;
    let x1 = cos * dx + sin * dy;
    let y1 = -sin * dx + cos * dy;
    let lambda = (x1 * x1) / (rx * rx) + (y1 * y1) / (ry * ry);
    if lambda > 1.0 {
        rx *= lambda.sqrt();
        ry *= lambda.sqrt();
    }
    let num = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1;
    let den = rx * rx * y1 * y1 + ry * ry * x1 * x1;
    let mut coef = (num / den).max(0.0).sqrt();
    if large == sweep {
        coef = -coef;
    }
    let cx1 = coef * rx * y1 / ry;
    let cy1 = -coef * ry * x1 / rx;
    let cx = cos * cx1 - sin * cy1 + (from.0 + to.0) / 2.0;
    let cy = sin * cx1 + cos * cy1 + (from.1 + to.1) / 2.0;
    let angle = |ux: f32, uy: f32, vx: f32, vy: f32| {
        let dot = ux * vx + uy * vy;
        let len = (ux * ux + uy * uy).sqrt() * (vx * vx + vy * vy).sqrt();
        let a = (dot / len).clamp(-1.0, 1.0).acos();
        if ux * vy - uy * vx < 0.0 { -a } else { a }
    };
    let theta1 = angle(1.0, 0.0, (x1 - cx1) / rx, (y1 - cy1) / ry);
    let mut delta = angle((x1 - cx1) / rx, (y1 - cy1) / ry, (-x1 - cx1) / rx, (-y1 - cy1) / ry);
    if !sweep && delta > 0.0 {
        delta -= std::f32::consts::TAU;
    } else if sweep && delta < 0.0 {
        delta += std::f32::consts::TAU;
    }
    let segments = (delta.abs() / std::f32::consts::FRAC_PI_2).ceil().max(1.0) as usize;
    let step = delta / segments as f32;
    let k = 4.0 / 3.0 * (step / 4.0).tan();
    let point = |t: f32| {
        let (s, c) = t.sin_cos();
        (cx + rx * c * cos - ry * s * sin, cy + rx * c * sin + ry * s * cos)
    };
    let deriv = |t: f32| {
        let (s, c) = t.sin_cos();
        (-rx * s * cos - ry * c * sin, -rx * s * sin + ry * c * cos)
    };
    for i in 0..segments {
        let t0 = theta1 + step * i as f32;
        let t1 = t0 + step;
        let (p0, d0) = (point(t0), deriv(t0));
        let (p1, d1) = (point(t1), deriv(t1));
        out.push(PathCmd::Cubic(p0.0 + k * d0.0, p0.1 + k * d0.1, p1.0 - k * d1.0, p1.1 - k * d1.1, p1.0, p1.1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabler_background_box_is_skipped_and_paths_are_read() {
        let svg = r#"<svg><path stroke="none" d="M0 0h24v24H0z" fill="none"/><path d="M3 12a9 9 0 1 0 18 0a9 9 0 1 0 -18 0" /><path d="M12 8v4l2 2"/></svg>"#;
        let cmds = svg_paths(svg);
        assert!(matches!(cmds[0], PathCmd::Move(3.0, 12.0)));
        assert!(cmds.iter().any(|c| matches!(c, PathCmd::Cubic(..))));
        assert!(cmds.contains(&PathCmd::Line(12.0, 12.0)));
    }

    #[test]
    fn numbers_split_on_signs_and_second_dots() {
        assert_eq!(numbers("1-2.5.5 3"), vec![1.0, -2.5, 0.5, 3.0]);
    }
}
