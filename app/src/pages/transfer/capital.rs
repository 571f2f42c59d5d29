//! Amounts in Chinese capital numerals (大写金额), as banks print them on vouchers
//! and receipts so that a figure cannot be altered: ¥1,234.56 is
//! 壹仟贰佰叁拾肆元伍角陆分.
//!
//! Follows the People's Bank of China rules for filling in vouchers (《正确填写票据
//! 和结算凭证的基本规定》): every digit is written with its unit (壹拾, not 拾); a run
//! of zeros inside the number is one 零; a zero ones-of-yuan before a non-zero jiao
//! needs no 零 (壹仟陆佰捌拾元叁角贰分); a zero jiao before a non-zero fen does
//! (壹万陆仟肆佰零玖元零贰分); an amount without fen ends in 整.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// Units within a group of four digits, from the ones up.
const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
/// The name of each group of four digits, from the ones up.
const GROUPS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// `fen` (hundredths of a yuan) in capital numerals.
pub fn capital_amount(fen: i64) -> String {
    let abs = fen.unsigned_abs();
    let (yuan, jiao, cents) = (abs / 100, (abs / 10 % 10) as usize, (abs % 10) as usize);
    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    if yuan > 0 {
        out.push_str(&integer(yuan));
        out.push('元');
    } else if jiao == 0 && cents == 0 {
        out.push_str("零元");
    }
    if jiao > 0 {
        out.push(DIGITS[jiao]);
        out.push('角');
    } else if cents > 0 && yuan > 0 {
        out.push('零');
    }
    if cents > 0 {
        out.push(DIGITS[cents]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

/// A positive whole number in capital numerals with units (no 元).
fn integer(n: u64) -> String {
    let digits: Vec<usize> = n.to_string().bytes().map(|b| usize::from(b - b'0')).collect();
    let mut out = String::new();
    // A zero has been passed since the last digit written: write one 零 before the next.
    let mut zero_pending = false;
    let mut group_has_digit = false;
    for (i, &digit) in digits.iter().enumerate() {
        let position = digits.len() - 1 - i;
        if digit == 0 {
            zero_pending = !out.is_empty();
        } else {
            if zero_pending {
                out.push('零');
                zero_pending = false;
            }
            out.push(DIGITS[digit]);
            out.push_str(UNITS[position % 4]);
            group_has_digit = true;
        }
        if position.is_multiple_of(4) {
            if group_has_digit {
                out.push_str(GROUPS[position / 4]);
                // A zero at the end of a written group (壹拾万柒仟) needs no 零.
                zero_pending = false;
            }
            group_has_digit = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::capital_amount;

    fn yuan(text: &str) -> String {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
        let fen = whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap();
        capital_amount(fen)
    }

    #[test]
    fn the_usual_amounts() {
        assert_eq!(yuan("1234.56"), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(yuan("10.00"), "壹拾元整");
        assert_eq!(yuan("15.00"), "壹拾伍元整");
        assert_eq!(yuan("5000.00"), "伍仟元整");
        assert_eq!(yuan("1.00"), "壹元整");
        assert_eq!(yuan("2000.50"), "贰仟元伍角整");
    }

    /// The examples of the People's Bank of China rules.
    #[test]
    fn the_central_bank_examples() {
        assert_eq!(yuan("1409.50"), "壹仟肆佰零玖元伍角整");
        assert_eq!(yuan("6007.14"), "陆仟零柒元壹角肆分");
        assert_eq!(yuan("1680.32"), "壹仟陆佰捌拾元叁角贰分");
        assert_eq!(yuan("107000.53"), "壹拾万柒仟元伍角叁分");
        assert_eq!(yuan("16409.02"), "壹万陆仟肆佰零玖元零贰分");
        assert_eq!(yuan("325.04"), "叁佰贰拾伍元零肆分");
    }

    #[test]
    fn zeros_between_groups() {
        assert_eq!(yuan("10001.00"), "壹万零壹元整");
        assert_eq!(yuan("100000.00"), "壹拾万元整");
        assert_eq!(yuan("1000000.00"), "壹佰万元整");
        assert_eq!(yuan("5000000.00"), "伍佰万元整");
        assert_eq!(yuan("10010000.00"), "壹仟零壹万元整");
        assert_eq!(yuan("100000001.00"), "壹亿零壹元整");
        assert_eq!(yuan("100007000.00"), "壹亿零柒仟元整");
        assert_eq!(yuan("107000000.00"), "壹亿零柒佰万元整");
        assert_eq!(yuan("120000000.00"), "壹亿贰仟万元整");
        assert_eq!(yuan("1000000000000.00"), "壹万亿元整");
    }

    #[test]
    fn less_than_a_yuan_and_nothing() {
        assert_eq!(capital_amount(5), "伍分");
        assert_eq!(capital_amount(50), "伍角整");
        assert_eq!(capital_amount(56), "伍角陆分");
        assert_eq!(capital_amount(0), "零元整");
        assert_eq!(capital_amount(-123_456), "负壹仟贰佰叁拾肆元伍角陆分");
    }

    #[test]
    fn the_largest_amounts_do_not_panic() {
        assert!(capital_amount(i64::MAX).ends_with("柒分"));
        assert!(capital_amount(i64::MIN).starts_with('负'));
    }
}
