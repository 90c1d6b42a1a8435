//! Realistic charts for the tests, in English and French, and an ignored test that writes them
//! as PNGs to look at: `cargo test --lib charts::samples -- --ignored`, then open
//! `$TMPDIR/charts/*.png` (`/tmp/charts` on Linux).

use super::*;

/// A waterfall of one refused client, with steps of both signs and long labels.
pub(crate) fn waterfall_en() -> WaterfallChart {
    let step = |label: &str, contribution: f64, value_label: &str| WaterfallStep {
        label: label.to_string(),
        contribution,
        value_label: value_label.to_string(),
    };
    WaterfallChart {
        title: "Why this client's risk is 14.2 %".to_string(),
        start: WaterfallLevel {
            label: "Average client".to_string(),
            probability: 0.076,
            value_label: "7.6 %".to_string(),
        },
        steps: vec![
            step("External score 3: 0.213", 0.032, "+3.2 pp"),
            step("External score 2: 0.405", 0.021, "+2.1 pp"),
            step("Age: 28.4 years", 0.011, "+1.1 pp"),
            step("Years employed: 8.1 years", -0.011, "−1.1 pp"),
            step("Annuity as a share of the household's income: 24.6 %", 0.009, "+0.9 pp"),
            step("Credit amount: €450,000", -0.008, "−0.8 pp"),
            step("Other features (112)", 0.012, "+1.2 pp"),
        ],
        end: WaterfallLevel { label: "This client".to_string(), probability: 0.142, value_label: "14.2 %".to_string() },
        threshold: Some(Marker { value: 0.084, label: "Threshold 8.4 %".to_string() }),
        legend: Some(WaterfallLegend { raises: "raises the risk".to_string(), lowers: "lowers the risk".to_string() }),
        decimal_mark: DecimalMark::Point,
    }
}

/// The same client in French, with accents.
pub(crate) fn waterfall_fr() -> WaterfallChart {
    let mut chart = waterfall_en();
    chart.title = "Pourquoi le risque de ce client est de 14,2 %".to_string();
    chart.start.label = "Client moyen".to_string();
    chart.start.value_label = "7,6 %".to_string();
    chart.end.label = "Ce client".to_string();
    chart.end.value_label = "14,2 %".to_string();
    let labels = [
        ("Score externe 3 : 0,213", "+3,2 pp"),
        ("Score externe 2 : 0,405", "+2,1 pp"),
        ("Âge : 28,4 ans", "+1,1 pp"),
        ("Durée d'emploi : 8,1 ans", "−1,1 pp"),
        ("Annuité rapportée au revenu du ménage : 24,6 %", "+0,9 pp"),
        ("Montant du crédit : 450\u{202f}000 €", "−0,8 pp"),
        ("Autres caractéristiques (112)", "+1,2 pp"),
    ];
    for (step, (label, value)) in chart.steps.iter_mut().zip(labels) {
        step.label = label.to_string();
        step.value_label = value.to_string();
    }
    chart.threshold = Some(Marker { value: 0.084, label: "Seuil 8,4 %".to_string() });
    chart.legend =
        Some(WaterfallLegend { raises: "augmente le risque".to_string(), lowers: "diminue le risque".to_string() });
    chart.decimal_mark = DecimalMark::Comma;
    chart
}

/// External score 3 among past clients, the client in the third bin.
pub(crate) fn histogram_en() -> HistogramChart {
    let bin_labels = (0..10).map(|bin| format!("{:.1}–{:.1}", bin as f64 / 10.0, (bin + 1) as f64 / 10.0)).collect();
    HistogramChart {
        title: "External score 3 among past clients".to_string(),
        bin_labels,
        repaid: HistogramGroup {
            name: "repaid".to_string(),
            counts: vec![900.0, 2400.0, 5200.0, 9800.0, 14500.0, 19800.0, 23400.0, 25100.0, 21000.0, 9000.0],
        },
        defaulted: HistogramGroup {
            name: "defaulted".to_string(),
            counts: vec![420.0, 1650.0, 2600.0, 3100.0, 2900.0, 2500.0, 1900.0, 1400.0, 900.0, 300.0],
        },
        y_title: Some("Share of each group".to_string()),
        client: Some(HistogramMarker { bin: 2, label: "This client: 0.213".to_string() }),
        note: Some("Not given for 19.8 % of past clients".to_string()),
        decimal_mark: DecimalMark::Point,
    }
}

/// A refused client on a gauge up to 30 %.
pub(crate) fn gauge_refused_en() -> GaugeChart {
    GaugeChart {
        title: "Probability of default".to_string(),
        probability: Marker { value: 0.142, label: "This client 14.2 %".to_string() },
        threshold: Marker { value: 0.084, label: "Threshold 8.4 %".to_string() },
        scale_max: 0.3,
        verdict: "REFUSED".to_string(),
        decimal_mark: DecimalMark::Point,
    }
}

/// An accepted client, in French, on the whole scale.
pub(crate) fn gauge_accepted_fr() -> GaugeChart {
    GaugeChart {
        title: "Probabilité de défaut".to_string(),
        probability: Marker { value: 0.051, label: "Ce client 5,1 %".to_string() },
        threshold: Marker { value: 0.084, label: "Seuil 8,4 %".to_string() },
        scale_max: 1.0,
        verdict: "ACCORDÉ".to_string(),
        decimal_mark: DecimalMark::Comma,
    }
}

/// A U-shaped cost curve with its minimum at 8.4 %.
pub(crate) fn cost_curve_en() -> CostCurveChart {
    // Cost = 10 × missed defaults + 1 × refused good clients, per client: a smooth U with its
    // lowest point at 0.084.
    let points = (1..=60)
        .map(|step| {
            let threshold = step as f64 / 100.0;
            let cost = 0.52 + 9.0 * (threshold - 0.084).powi(2) + 0.6 * (threshold - 0.084).abs();
            CostPoint { threshold, cost }
        })
        .collect();
    CostCurveChart {
        title: "Cost of errors per client, by threshold".to_string(),
        points,
        chosen: Marker { value: 0.084, label: "Chosen threshold 8.4 %".to_string() },
        x_title: "Decision threshold (probability of default)".to_string(),
        y_title: "Cost per client (a missed default counts 10, a refused good client 1)".to_string(),
        decimal_mark: DecimalMark::Point,
    }
}

/// Global importance of a model over its training clients (figures of the kind training logs).
pub(crate) fn importance_en() -> ImportanceChart {
    let bars = [
        ("EXT_SOURCE_3", 0.331),
        ("EXT_SOURCE_2", 0.284),
        ("EXT_SOURCE_1", 0.132),
        ("BUREAU_WORST_STATUS", 0.101),
        ("AMT_GOODS_PRICE", 0.087),
        ("CREDIT_TERM (annuity over credit, derived)", 0.079),
        ("DAYS_BIRTH", 0.061),
        ("CODE_GENDER", 0.044),
        ("NAME_EDUCATION_TYPE", 0.040),
        ("DAYS_EMPLOYED", 0.032),
    ];
    ImportanceChart {
        title: "What the model leans on: mean |contribution| over 30,000 training clients".to_string(),
        bars: bars.iter().map(|(label, value)| ImportanceBar { label: label.to_string(), value: *value }).collect(),
        x_title: "Mean |SHAP contribution| (log-odds)".to_string(),
        decimal_mark: DecimalMark::Point,
    }
}

/// Every sample, with a file name.
pub(crate) fn all() -> Vec<(&'static str, Chart)> {
    vec![
        ("waterfall_en", Chart::Waterfall(waterfall_en())),
        ("waterfall_fr", Chart::Waterfall(waterfall_fr())),
        ("histogram_en", Chart::Histogram(histogram_en())),
        ("gauge_refused_en", Chart::Gauge(gauge_refused_en())),
        ("gauge_accepted_fr", Chart::Gauge(gauge_accepted_fr())),
        ("cost_curve_en", Chart::CostCurve(cost_curve_en())),
        ("importance_en", Chart::Importance(importance_en())),
    ]
}

#[test]
#[ignore = "writes PNG and SVG files to look at"]
fn write_samples() {
    let directory = std::env::temp_dir().join("charts");
    std::fs::create_dir_all(&directory).unwrap();
    for (name, chart) in all() {
        for (width, height) in [(1200, 800), (800, 500), (480, 300), (300, 900)] {
            let png = render_png(&chart, width, height).unwrap();
            let path = directory.join(format!("{name}_{width}x{height}.png"));
            std::fs::write(&path, &png).unwrap();
            // What was written is the picture asked for.
            let read = image::open(&path).unwrap();
            assert_eq!((read.width(), read.height()), (width, height), "{}", path.display());
        }
        let svg = render_svg(&chart, 1200, 800).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{name}: not a whole SVG document");
        std::fs::write(directory.join(format!("{name}.svg")), svg).unwrap();
    }
}
