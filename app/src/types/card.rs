//! Bank card numbers: the Luhn check digit that every card number carries.

/// Whether `digits` (most significant first) end in a correct Luhn check digit.
pub fn luhn_valid(digits: &[u32]) -> bool {
    luhn_sum(digits, 1).is_multiple_of(10)
}

/// `prefix` followed by the check digit that makes it a valid card number.
pub fn with_luhn_check_digit(prefix: &str) -> String {
    let digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("{prefix}{}", (10 - luhn_sum(&digits, 0) % 10) % 10)
}

/// The Luhn sum, doubling every digit whose position from the right (0-based) has
/// parity `doubled`: 1 when the check digit is included, 0 when it is to be added.
fn luhn_sum(digits: &[u32], doubled: usize) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == doubled, d * 2) {
            (true, twice) if twice > 9 => twice - 9,
            (true, twice) => twice,
            (false, _) => d,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u32> {
        s.chars().filter_map(|c| c.to_digit(10)).collect()
    }

    #[test]
    fn textbook_example() {
        assert_eq!(with_luhn_check_digit("7992739871"), "79927398713");
        assert!(luhn_valid(&digits("79927398713")));
        assert!(!luhn_valid(&digits("79927398710")));
    }

    #[test]
    fn made_numbers_check() {
        for prefix in ["621799000000001", "4111111111111", "622202100000000000"] {
            assert!(luhn_valid(&digits(&with_luhn_check_digit(prefix))), "{prefix}");
        }
    }
}
