//! Figures of the real sample C's credit-history tables (`tools/calibrate_history.py`):
//! distributions apart for clients who repaid (index 0) and who defaulted (index 1).
//! Generated; do not edit by hand.

/// P(number of bureau credits <= k), k = 0..=30 (more is read as 30).
pub const CREDITS_CDF: [[f64; 31]; 2] = [
    [
        0.137831, 0.256234, 0.365305, 0.472235, 0.57121, 0.653817, 0.72235, 0.77941, 0.826373, 0.864005, 0.895212,
        0.915711, 0.932844, 0.948906, 0.962062, 0.969864, 0.976901, 0.982867, 0.98715, 0.989139, 0.991739, 0.993422,
        0.994187, 0.995411, 0.996176, 0.996788, 0.997399, 0.998011, 0.998776, 0.999235, 1.0,
    ],
    [
        0.183784, 0.284685, 0.403604, 0.500901, 0.598198, 0.672072, 0.735135, 0.778378, 0.818018, 0.841441, 0.868468,
        0.900901, 0.917117, 0.944144, 0.953153, 0.965766, 0.974775, 0.978378, 0.983784, 0.987387, 0.987387, 0.992793,
        0.994595, 0.994595, 0.994595, 0.996396, 0.998198, 0.998198, 1.0, 1.0, 1.0,
    ],
];
/// Shares of Active, Closed, Sold credits.
pub const STATUS_SHARES: [[f64; 3]; 2] = [[0.36035, 0.635376, 0.00427405], [0.445792, 0.548522, 0.00568613]];
/// Credit types and their shares (the rarest put together as another type).
pub const TYPES: [(&str, f64); 7] = [
    ("Consumer credit", 0.730277),
    ("Credit card", 0.232731),
    ("Car loan", 0.0158368),
    ("Mortgage", 0.0112494),
    ("Microloan", 0.00777232),
    ("Loan for business development", 0.00108111),
    ("Another type of loan", 0.00105189),
];
/// Deciles of DAYS_CREDIT (days before the application the credit was opened).
pub const DAYS_CREDIT: [f64; 11] =
    [-2922.0, -2434.0, -1893.0, -1502.1, -1226.0, -991.0, -763.0, -560.0, -382.0, -214.0, -3.0];
/// Deciles of ln(AMT_CREDIT_SUM).
pub const LN_AMOUNT: [f64; 11] =
    [1.50408, 10.2508, 10.7428, 11.1199, 11.438, 11.8091, 12.1007, 12.4192, 13.017, 13.6048, 17.4806];
/// Deciles of debt over amount of active credits, repaid and defaulted apart.
pub const DEBT_FRACTION: [[f64; 11]; 2] = [
    [0.0, 0.0, 0.0135251, 0.296191, 0.515371, 0.6671, 0.787396, 0.870068, 0.935664, 0.982968, 1.0],
    [0.0, 0.0, 0.122007, 0.489731, 0.671047, 0.8132, 0.886527, 0.942624, 0.977954, 1.0, 1.0],
];
/// Deciles of the planned duration in days (DAYS_CREDIT_ENDDATE - DAYS_CREDIT).
pub const DURATION: [f64; 11] = [2.0, 177.0, 212.0, 305.0, 365.0, 467.0, 731.0, 1096.0, 1694.2, 1827.0, 34023.0];
/// Share of credits overdue now.
pub const OVERDUE: [f64; 2] = [0.00269107, 0.0045489];
/// Share of credits with monthly statuses.
pub const WITH_MONTHS: f64 = 0.339499;
/// Share of months with status X (unknown) among open months.
pub const UNKNOWN_MONTHS: f64 = 0.372924;
/// Share of reported months late (status 1 to 5).
pub const LATE_MONTHS: [f64; 2] = [0.0430011, 0.0665889];
/// Shares of levels 1 to 5 among late months.
pub const LATE_LEVELS: [[f64; 5]; 2] =
    [[0.765045, 0.0670971, 0.0251326, 0.0133733, 0.129352], [0.558366, 0.0680934, 0.0389105, 0.0330739, 0.301556]];
/// Share of clients with a card with us.
pub const WITH_CARD: [f64; 2] = [0.27505, 0.308108];
/// Deciles of the months of card records per client.
pub const CARD_MONTHS: [f64; 11] = [1.0, 6.0, 8.0, 11.0, 15.0, 21.0, 28.0, 43.0, 82.0, 95.0, 112.0];
/// Deciles of the card limit.
pub const CARD_LIMIT: [f64; 11] =
    [0.0, 67500.0, 90000.0, 1.35e+05, 1.575e+05, 1.8e+05, 2.25e+05, 2.7e+05, 4.5e+05, 4.5e+05, 9e+05];
/// Deciles of each client's mean utilisation (balance over limit).
pub const UTILISATION: [[f64; 11]; 2] = [
    [0.0, 0.0, 0.0, 0.0, 0.112541, 0.25588, 0.374622, 0.519864, 0.647599, 0.815326, 1.06263],
    [0.0, 0.0, 0.0956706, 0.213476, 0.381683, 0.474673, 0.583941, 0.727103, 0.833276, 0.933884, 1.14885],
];
/// Share of card months with days past due.
pub const DPD_MONTHS: [f64; 2] = [0.043273, 0.0545906];
/// Deciles of the payment over the minimum due, months with a minimum.
pub const PAYMENT_RATIO: [[f64; 11]; 2] = [
    [0.0, 0.0294115, 1.0, 1.0, 1.0, 1.024, 1.11111, 1.33333, 2.0, 3.4919, 20.0],
    [0.0, 0.0178703, 1.0, 1.0, 1.00031, 1.02991, 1.11261, 1.32196, 2.0, 4.0, 20.0],
];
/// Share of card months with drawings.
pub const DRAWING_MONTHS: f64 = 0.355563;
